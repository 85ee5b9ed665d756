"""The intermediate form every reader produces: paragraphs and table grids, in reading order.

Merged cells are resolved: a cell spanning rows or columns fills every position it covers, and the
positions after the first are marked ``spanned`` so table readers can use a merged label on every row
it covers while taking each merged value only once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    spanned: bool = False  # True where this position is covered by a cell that starts elsewhere


@dataclass
class Table:
    rows: list[list[Cell]]

    def text(self) -> str:
        return "\n".join("\t".join(cell.text for cell in row) for row in self.rows)


@dataclass
class Paragraph:
    text: str


Block = Paragraph | Table


@dataclass
class Document:
    """A document read into paragraphs and tables, with what the container said about it."""

    media_type: str
    blocks: list[Block] = field(default_factory=list)
    # Clean body text, one paragraph a line, tables excluded (trafilatura's output for HTML).
    text_lines: list[str] = field(default_factory=list)
    # Metadata the container gives: page <meta> tags, the 索引号 table, the <title>.
    meta: dict[str, str] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    # True when the text and numbers came from OCR of page images, not from a text layer.
    ocr: bool = False

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]
