"""One long-lived LibreOffice per process, so DOC/WPS do not pay LibreOffice's start for every file.

A fresh ``soffice --convert-to`` costs about a second before it reads a byte; a LibreOffice that stays
up converts a report in a tenth of that. The project's Python has no ``uno`` module (it comes with
Debian's python3-uno, for the system Python), so a small helper (uno_helper.py) runs with the Python
that has it: it starts ``soffice --headless`` on a private pipe and converts what it is sent.

- Started on the first DOC/WPS and reused; each process (``extract --all`` runs worker processes)
  has its own, with its own profile, and a forked child never uses its parent's.
- A conversion that does not answer within its timeout kills the helper's process group
  (LibreOffice with it): a hostile document costs one restart, never the whole extraction.
- A LibreOffice that died (crashed on a document, or killed) is restarted and the document retried once.
- Shut down when the process exits (atexit, and multiprocessing's finalizers for pool workers,
  which leave without running atexit).
- When no server can start (no ``uno``, LibreOffice refuses), ``ServerUnavailable`` tells the caller
  to fall back to one LibreOffice per file, for the rest of the process.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

HELPER = Path(__file__).with_name("uno_helper.py")
# The first start builds a fresh profile (a few seconds); a minute means LibreOffice will not come up.
STARTUP_TIMEOUT = 60.0
# LibreOffice's memory creeps up over thousands of documents: start afresh now and then.
CONVERSIONS_PER_SERVER = 500
# Where a Python with ``uno`` may be: set GOVREPORTS_UNO_PYTHON to name another.
_UNO_PYTHON_CANDIDATES = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", "python3")

log = logging.getLogger(__name__)


class ServerUnavailable(Exception):
    """No long-lived LibreOffice in this process: convert one file per LibreOffice instead."""


class _ServerDied(Exception):
    """The helper or its LibreOffice went away: not the document's fault (or not yet known to be)."""


class _TimedOut(Exception):
    pass


@functools.cache
def uno_python() -> str | None:
    """A Python interpreter that can ``import uno``, or None."""
    named = os.environ.get("GOVREPORTS_UNO_PYTHON")
    for candidate in (named,) if named else _UNO_PYTHON_CANDIDATES:
        path = shutil.which(candidate)
        if path is None:
            continue
        try:
            probe = subprocess.run(
                [path, "-c", "import uno"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return path
    return None


class OfficeServer:
    """One helper process and its LibreOffice; dead for good once killed or stopped."""

    def __init__(self, soffice: str, python: str, startup_timeout: float = STARTUP_TIMEOUT) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="govreports-office-"))
        self.owner = os.getpid()
        self.conversions = 0
        self._buffer = b""
        self._log = (self.work / "helper.log").open("wb")
        pipe_name = f"govreports-{os.getpid()}-{self.work.name}"
        # Where LibreOffice puts the pipe's socket; a killed LibreOffice leaves it behind.
        self.pipe_socket = Path("/tmp") / f"OSL_PIPE_{os.getuid()}_{pipe_name}"
        command = [python, str(HELPER), soffice, str(self.work / "profile"), pipe_name, str(startup_timeout)]
        # A session of its own: killing its process group stops LibreOffice too.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
        )
        try:
            ready = self._reply(startup_timeout + 10)
        except (_TimedOut, _ServerDied) as error:
            said = (self.work / "helper.log").read_bytes()[-500:].decode(errors="replace").strip()
            ready = {"error": f"{error or 'no answer in time'} {said}".strip()}
        if not ready.get("ready"):
            self.kill()
            raise ServerUnavailable(f"LibreOffice server did not start: {ready.get('error')}")
        self.office_pid: int = ready["office_pid"]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def convert(
        self,
        data: bytes,
        suffix: str,
        output_filter: str,
        output_suffix: str,
        input_filter: str | None,
        timeout: float,
    ) -> bytes:
        source = self.work / f"document{suffix}"
        target = self.work / f"converted.{output_suffix}"
        source.write_bytes(data)
        target.unlink(missing_ok=True)
        request = {
            "source": str(source),
            "target": str(target),
            "input_filter": input_filter,
            "output_filter": output_filter,
        }
        self.conversions += 1
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            answer = self._reply(timeout)
        except OSError as error:  # the pipe to a helper that is gone
            self.kill()
            raise _ServerDied(str(error)) from None
        except _ServerDied:
            self.kill()
            raise
        except _TimedOut:
            self.kill()
            raise
        finally:
            source.unlink(missing_ok=True)
        if "error" in answer:
            if not answer.get("alive", False):
                self.kill()
                raise _ServerDied(answer["error"])
            raise RuntimeError(answer["error"])
        try:
            return target.read_bytes()
        except FileNotFoundError:
            raise RuntimeError("LibreOffice wrote no output") from None
        finally:
            target.unlink(missing_ok=True)

    def _reply(self, timeout: float) -> dict:
        """The helper's next line, read straight from the pipe so the timeout holds."""
        deadline = time.monotonic() + timeout
        stdout = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _TimedOut
            readable, _, _ = select.select([stdout], [], [], remaining)
            if readable:
                chunk = os.read(stdout, 65536)
                if not chunk:
                    raise _ServerDied("the LibreOffice helper exited")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            raise _ServerDied(f"the LibreOffice helper said {line[:200]!r}") from None

    def stop(self, grace: float = 15.0) -> None:
        """Close the helper's input: it ends LibreOffice and exits; whatever is left is killed."""
        if self.alive:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=grace)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the whole group is gone already
        self.process.wait()
        self._close()

    def _close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout, self._log):
            try:
                stream.close()
            except (OSError, ValueError):
                pass  # a closed pipe to a dead helper: nothing left to flush
        shutil.rmtree(self.work, ignore_errors=True)
        self.pipe_socket.unlink(missing_ok=True)

    def forget(self) -> None:
        """In a forked child: close our copies of the parent's pipes; its server is not ours to stop."""
        for stream in (self.process.stdin, self.process.stdout, self._log):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self.process.returncode = 0  # not our child: never wait for it


class Converter:
    """A process's converter: starts its server on first use, restarts it when it died or hung."""

    def __init__(self, startup_timeout: float = STARTUP_TIMEOUT) -> None:
        self.server: OfficeServer | None = None
        self.unavailable: str | None = None  # why no server can run here: stop trying
        self.startup_timeout = startup_timeout
        self.starts = 0
        self._lock = threading.Lock()
        self._exit_hooked_in: int | None = None

    def convert(
        self,
        data: bytes,
        suffix: str,
        output_filter: str,
        output_suffix: str,
        *,
        input_filter: str | None,
        timeout: float,
    ) -> bytes:
        """Convert through the server; ``ServerUnavailable`` when none can start."""
        with self._lock:
            for attempt in (1, 2):
                server = self._running_server()
                try:
                    return server.convert(data, suffix, output_filter, output_suffix, input_filter, timeout)
                except _TimedOut:
                    self.server = None
                    raise RuntimeError(
                        f"LibreOffice did not finish converting the {suffix} file within {timeout:g} s"
                    ) from None
                except _ServerDied as died:
                    self.server = None
                    if attempt == 2:  # twice on this document: the document is what kills it
                        raise RuntimeError(
                            f"LibreOffice could not convert the {suffix} file: {died}"
                        ) from None
                except RuntimeError as error:
                    raise RuntimeError(f"LibreOffice could not convert the {suffix} file: {error}") from None
        raise AssertionError("unreachable")

    def _running_server(self) -> OfficeServer:
        if self.unavailable:
            raise ServerUnavailable(self.unavailable)
        server = self.server
        if server is not None and (not server.alive or server.conversions >= CONVERSIONS_PER_SERVER):
            server.stop()
            server = self.server = None
        if server is None:
            server = self.server = self._start()
        return server

    def _start(self) -> OfficeServer:
        soffice = shutil.which("soffice")
        python = uno_python()
        if soffice is None or python is None:
            self.unavailable = (
                "no soffice" if soffice is None else "no Python with the uno module (python3-uno)"
            )
            raise ServerUnavailable(self.unavailable)
        try:
            server = OfficeServer(soffice, python, self.startup_timeout)
        except ServerUnavailable as error:
            self.unavailable = str(error)
            log.warning("%s; converting DOC/WPS with one LibreOffice per file", error)
            raise
        self.starts += 1
        self._hook_exit()
        return server

    def _hook_exit(self) -> None:
        """Stop the server when this process exits: atexit, and multiprocessing's finalizers, which
        pool workers run instead of atexit (registered here, in the process that owns the server)."""
        if self._exit_hooked_in == os.getpid():
            return
        self._exit_hooked_in = os.getpid()
        atexit.register(self.shutdown)
        from multiprocessing import util

        util.Finalize(None, self.shutdown, exitpriority=10)

    def shutdown(self) -> None:
        server, self.server = self.server, None
        if server is not None and server.owner == os.getpid():
            server.stop()

    def forget_after_fork(self) -> None:
        if self.server is not None:
            self.server.forget()
        self.server = None
        self._lock = threading.Lock()


_converter = Converter()


def _new_converter_in_child() -> None:
    global _converter
    _converter.forget_after_fork()
    _converter = Converter()


os.register_at_fork(after_in_child=_new_converter_in_child)


def process_converter() -> Converter:
    """This process's converter."""
    return _converter
