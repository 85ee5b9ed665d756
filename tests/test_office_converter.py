"""The long-lived LibreOffice converter (extract/readers/office_server.py): reused, restarted when it
dies or hangs, one per worker process, stopped at exit, and the per-file path when it cannot start.

Each test that kills or hangs a LibreOffice makes its own Converter, so the process's own converter
(used by the other test modules) is never disturbed.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from extract import parse_document
from extract.readers import office, office_server
from extract.readers.docx import read_docx
from extract.report import DOC, WPS

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"
WORD_FIXTURES = {"report-2019.doc": DOC, "report-2021.doc": DOC, "report-2021.wps": WPS}

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or office_server.uno_python() is None,
    reason="needs LibreOffice and a Python with uno: apt-get install libreoffice-writer-nogui python3-uno",
)


def convert(converter: office_server.Converter, name: str, timeout: float = 60.0) -> bytes:
    return converter.convert(
        (DOCUMENTS / name).read_bytes(),
        Path(name).suffix,
        office.DOCX_FILTER,
        "docx",
        input_filter=office.WORD_FILTER,
        timeout=timeout,
    )


def table_texts(docx: bytes) -> list[list[list[str]]]:
    return [[[cell.text for cell in row] for row in table.rows] for table in read_docx(docx).tables]


def gone(pid: int) -> bool:
    """Ended (a zombie waiting for a reaper counts: it runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def wait_until_gone(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def converter():
    converter = office_server.Converter()
    yield converter
    converter.shutdown()


def test_one_server_converts_every_fixture(converter):
    for name in WORD_FIXTURES:
        assert len(read_docx(convert(converter, name)).tables) == 3, name
    assert converter.starts == 1
    assert converter.server is not None and converter.server.conversions == len(WORD_FIXTURES)


@pytest.mark.parametrize("name", list(WORD_FIXTURES))
def test_server_and_per_file_give_the_same_cells(name, monkeypatch):
    """The server is what parse_document uses; the per-file fallback must read the very same report."""
    data = (DOCUMENTS / name).read_bytes()
    through_server = parse_document(data, path=name, media_type=WORD_FIXTURES[name])
    monkeypatch.setattr(office, "USE_SERVER", False)
    per_file = parse_document(data, path=name, media_type=WORD_FIXTURES[name])
    for key in ("applications", "reviews", "disclosure", "sections", "title", "year", "template"):
        assert through_server[key] == per_file[key], key
    assert office_server.process_converter().starts >= 1  # the first parse did go through the server


def test_killed_office_is_restarted_and_the_document_converted(converter):
    first = table_texts(convert(converter, "report-2019.doc"))
    old = converter.server
    os.kill(old.office_pid, signal.SIGKILL)
    assert wait_until_gone(old.office_pid)
    assert table_texts(convert(converter, "report-2019.doc")) == first
    assert converter.starts == 2 and converter.server is not old
    assert wait_until_gone(old.process.pid)  # the old helper went with its LibreOffice


def test_killed_helper_is_restarted(converter):
    convert(converter, "report-2021.doc")
    old = converter.server
    os.killpg(old.process.pid, signal.SIGKILL)
    assert wait_until_gone(old.office_pid)
    assert len(read_docx(convert(converter, "report-2021.wps")).tables) == 3
    assert converter.starts == 2


def test_hung_conversion_times_out_and_the_next_document_converts(converter):
    convert(converter, "report-2019.doc")
    hung = converter.server
    os.kill(hung.office_pid, signal.SIGSTOP)  # LibreOffice stops answering mid-stream, as on a hostile file
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"did not finish converting the \.doc file within 3 s"):
        convert(converter, "report-2021.doc", timeout=3)
    assert time.monotonic() - started < 10
    assert wait_until_gone(hung.office_pid) and wait_until_gone(hung.process.pid)
    assert not hung.work.exists() and not hung.pipe_socket.exists()
    assert len(read_docx(convert(converter, "report-2021.doc")).tables) == 3
    assert converter.starts == 2


def test_refused_document_keeps_the_server(converter):
    """The Word 97 filter refusing a damaged body is the document's fault: LibreOffice stays up."""
    convert(converter, "report-2019.doc")
    server = converter.server
    data = bytearray((DOCUMENTS / "report-2019.doc").read_bytes())
    data[512:40000] = bytes(range(256)) * ((40000 - 512) // 256) + bytes((40000 - 512) % 256)
    with pytest.raises(RuntimeError, match="LibreOffice could not convert the .doc file"):
        converter.convert(
            bytes(data), ".doc", office.DOCX_FILTER, "docx", input_filter=office.WORD_FILTER, timeout=60
        )
    assert len(read_docx(convert(converter, "report-2021.doc")).tables) == 3
    assert converter.server is server and converter.starts == 1


def test_shutdown_stops_libreoffice(converter):
    convert(converter, "report-2021.wps")
    server = converter.server
    converter.shutdown()
    assert wait_until_gone(server.office_pid) and wait_until_gone(server.process.pid)
    assert not server.work.exists() and not server.pipe_socket.exists()  # profile and pipe removed


def test_server_that_cannot_start_falls_back_to_one_libreoffice_per_file(monkeypatch):
    fresh = office_server.Converter()
    monkeypatch.setattr(office_server, "_converter", fresh)
    monkeypatch.setattr(office_server, "uno_python", lambda: None)
    data = (DOCUMENTS / "report-2021.doc").read_bytes()
    document = office.read_word_binary(data, DOC)
    assert len(document.tables) == 3
    assert fresh.server is None and "uno" in fresh.unavailable


def test_server_whose_office_never_answers_is_unavailable(tmp_path):
    """soffice that exits at once (here: a stand-in script) is a server that cannot start, said so."""
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(office_server.ServerUnavailable, match="exited with status 3"):
        office_server.OfficeServer(str(fake), office_server.uno_python(), startup_timeout=20)


def office_of_this_worker(name: str) -> tuple[int, int]:
    """Runs in a pool worker: convert with the worker's own converter, say which LibreOffice did it."""
    data = (DOCUMENTS / name).read_bytes()
    office.read_word_binary(data, WORD_FIXTURES[name])
    converter = office_server.process_converter()
    return os.getpid(), converter.server.office_pid


def test_each_worker_process_has_its_own_converter_stopped_when_it_exits():
    office.read_word_binary((DOCUMENTS / "report-2019.doc").read_bytes(), DOC)  # the parent's own
    parents = office_server.process_converter().server.office_pid
    with ProcessPoolExecutor(max_workers=2) as pool:
        # Two documents per worker at the same time: a barrier-free way to reach both workers.
        results = list(pool.map(office_of_this_worker, list(WORD_FIXTURES) * 2))
    offices_by_worker: dict[int, set[int]] = {}
    for worker, office_pid in results:
        offices_by_worker.setdefault(worker, set()).add(office_pid)
    assert all(len(pids) == 1 for pids in offices_by_worker.values())  # reused within a worker
    offices = {pid for pids in offices_by_worker.values() for pid in pids}
    assert len(offices) == len(offices_by_worker) and parents not in offices
    assert all(wait_until_gone(pid) for pid in offices)  # the workers' exit stopped them
    assert not gone(parents)  # and no worker touched the parent's
