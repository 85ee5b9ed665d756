"""Pure extraction: a document's bytes → a structured report. No network, no database."""

from extract.report import UnreadableDocument, parse_document, sniff_media_type

__all__ = ["UnreadableDocument", "parse_document", "sniff_media_type"]
