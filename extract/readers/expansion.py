"""What a document expands to, measured before a library expands it (zip and flate bombs, huge images).

python-docx and openpyxl read whole XML parts into memory, pdfium inflates whole content streams, PIL
decodes every pixel: a few kilobytes of DOCX, XLSX, PDF or PNG can expand to gigabytes. ``oversized``
says why a document is too large to read (for a ``document.too_large`` finding), or None. The worker's
memory limit (govreports/limits.py) stays as the safety net.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from extract.findings import finding

# A report's word/document.xml or sheet XML is a few MB; images inside a DOCX are stored, not counted.
MAX_XML_PART = 32 << 20
MAX_UNZIPPED = 256 << 20
# One inflated PDF stream: a page image of an A3 colour scan at 300 dpi is 52 MB.
MAX_PDF_STREAM = 256 << 20
MAX_PDF_INFLATED = 1 << 30
_STREAM = re.compile(rb"stream\r?\n")
# What zipfile raises on a damaged directory: a bad signature, a version from the future (NotImplementedError),
# sizes past the end (ValueError, EOFError), a seek before the start (OSError).
ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError)
_CHUNK = 1 << 16


def oversized(data: bytes, media_type: str) -> str | None:
    """Why a document of this type is too large to read, or None."""
    if media_type.startswith("application/vnd.openxmlformats"):  # DOCX, XLSX
        return zip_problem(data)
    if media_type == "application/pdf":
        return pdf_problem(data)
    if media_type.startswith("image/"):
        return image_problem(data)
    return None


def image_problem(data: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    from extract.readers.ocr import size_problem

    try:
        size = Image.open(io.BytesIO(data)).size  # the header only: nothing decoded yet
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # the reader says what is wrong with it
    return size_problem(*size)


def too_large_finding(message: str) -> dict:
    """A document, or a part of it, left unread because reading it takes more than any report needs."""
    return finding("document.too_large", "document", message)


def zip_problem(data: bytes) -> str | None:
    """Why the ZIP container (DOCX, XLSX) expands too far, from the sizes its directory declares.

    Python's zipfile never gives more than a member's declared size (and fails on a mismatch), so the
    declared sizes bound what python-docx and openpyxl can read."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except ZIP_ERRORS:
        return None  # the reader says what is wrong with it
    total = sum(member.file_size for member in members)
    if total > MAX_UNZIPPED:
        return f"压缩包解压后共 {total:,} 字节，超过 {MAX_UNZIPPED:,} 字节的上限，未读取"
    for member in members:
        if member.filename.endswith(".xml") and member.file_size > MAX_XML_PART:
            return f"{member.filename} 解压后 {member.file_size:,} 字节，超过 {MAX_XML_PART:,} 字节的上限，未读取"
    return None


def pdf_problem(data: bytes) -> str | None:
    """Why the PDF's flate streams inflate too far: one past ``MAX_PDF_STREAM``, or all past
    ``MAX_PDF_INFLATED``. Inflated in chunks and thrown away, so measuring costs no memory."""
    total = 0
    for match in _STREAM.finditer(data):
        size = _inflated_size(data, match.end(), MAX_PDF_STREAM + 1)
        if size > MAX_PDF_STREAM:
            return f"PDF 的一个数据流解压后超过 {MAX_PDF_STREAM:,} 字节，未读取"
        total += size
        if total > MAX_PDF_INFLATED:
            return f"PDF 的数据流解压后共超过 {MAX_PDF_INFLATED:,} 字节，未读取"
    return None


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """Bytes the zlib stream at ``start`` inflates to, counting up to ``limit``; 0 when it is no zlib stream."""
    inflater = zlib.decompressobj()
    size = 0
    position = start
    pending = b""
    try:
        while size < limit and not inflater.eof:
            if pending:
                chunk, pending = pending, b""
            else:
                chunk = data[position : position + _CHUNK]
                position += _CHUNK
                if not chunk:
                    break
            size += len(inflater.decompress(chunk, _CHUNK))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return size
    return size
