"""DOC and WPS attachments: LibreOffice turns them into DOCX, which the DOCX reader then reads.

Kingsoft WPS 文字 saves .wps files in Word's binary format (an OLE file with a ``WordDocument``
stream), so both go through LibreOffice's "MS Word 97" import filter. Naming that filter matters:
left to guess, LibreOffice imports a damaged file as plain text and "succeeds" with garbage.

Conversions go through one long-lived LibreOffice per process (office_server.py: several documents
a second instead of one); where that server cannot start (no python3-uno), one LibreOffice per file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extract.document import Document
from extract.readers import office_server
from extract.readers.docx import read_docx

SOFFICE_MISSING = "LibreOffice (soffice) is needed to read DOC/WPS: apt-get install libreoffice-writer-nogui"
# Generous: a normal report converts in about a second; this only stops a hung LibreOffice.
CONVERT_TIMEOUT = 120.0

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
WORD_FILTER = "MS Word 97"
DOCX_FILTER = "MS Word 2007 XML"  # what ``--convert-to docx`` picks for a text document
# False: always one LibreOffice per file (the fallback; tests and benchmarks compare the two).
USE_SERVER = True
_SUFFIXES = {"application/msword": ".doc", "application/vnd.ms-works": ".wps"}


def read_word_binary(data: bytes, media_type: str) -> Document:
    check_word_binary(data)
    converted = convert_word_binary_to_docx(data, _SUFFIXES.get(media_type, ".doc"))
    document = read_docx(converted)
    document.media_type = media_type
    return document


def check_word_binary(data: bytes) -> None:
    """Refuse early what is no Word binary at all, with a message saying why."""
    if not data.startswith(_OLE_SIGNATURE):
        raise ValueError("not an OLE compound file (no DOC/WPS signature)")
    if _WORD_STREAM not in data:
        raise ValueError("the OLE file has no WordDocument stream: not a Word/WPS 文字 document")


def convert_word_binary_to_docx(data: bytes, suffix: str) -> bytes:
    """Through this process's LibreOffice server; one LibreOffice per file when it cannot start."""
    if shutil.which("soffice") is None:
        raise RuntimeError(SOFFICE_MISSING)
    if USE_SERVER:
        try:
            return office_server.process_converter().convert(
                data, suffix, DOCX_FILTER, "docx", input_filter=WORD_FILTER, timeout=CONVERT_TIMEOUT
            )
        except office_server.ServerUnavailable:
            pass  # said once in the log; the per-file path below gives the same DOCX, only slower
    return convert_with_libreoffice(data, suffix, "docx", input_filter=WORD_FILTER)


def convert_with_libreoffice(
    data: bytes,
    suffix: str,
    target: str,
    *,
    input_filter: str | None = None,
    timeout: float | None = None,
) -> bytes:
    """Convert with a headless LibreOffice; ``target`` is what ``--convert-to`` takes ("docx", "xls")."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError(SOFFICE_MISSING)
    timeout = CONVERT_TIMEOUT if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="govreports-soffice-") as work:
        source = Path(work) / f"document{suffix}"
        source.write_bytes(data)
        outdir = Path(work) / "out"
        # A private profile per call: two LibreOffice processes sharing one profile block each other.
        profile = (Path(work) / "profile").as_uri()
        command = [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}"]
        if input_filter:
            command.append(f"--infilter={input_filter}")
        command += ["--convert-to", target, "--outdir", str(outdir), str(source)]
        stderr = _run_with_timeout(command, timeout, suffix)
        result = outdir / f"document.{target.split(':')[0]}"
        if not result.exists():
            raise RuntimeError(f"LibreOffice could not convert the {suffix} file: {stderr or 'no output'}")
        return result.read_bytes()


def _run_with_timeout(command: list[str], timeout: float, suffix: str) -> str:
    """Run LibreOffice in its own process group, so a timeout kills soffice.bin too; return its stderr."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise RuntimeError(
            f"LibreOffice did not finish converting the {suffix} file within {timeout:g} s"
        ) from None
    lines = stderr.decode("utf-8", errors="replace").splitlines()
    # LibreOffice always warns about Java on machines without it: not the reason for anything.
    return " ".join(line.strip() for line in lines if line.strip() and "javaldx" not in line)
