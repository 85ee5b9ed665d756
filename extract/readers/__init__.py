"""Readers: raw bytes of one format → :class:`extract.document.Document`."""
