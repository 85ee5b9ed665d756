"""A long-lived LibreOffice converter, run with a Python that has ``uno`` (Debian's python3-uno).

Not imported by the project: extract/readers/office_server.py starts it as a script with that
Python (the project's own interpreter has no ``uno``) and talks to it with one JSON object per
line. It starts ``soffice --headless`` listening on a private pipe, answers
``{"ready": true, "office_pid": N}`` once UNO answers, then for each request
``{"source": path, "target": path, "input_filter": name, "output_filter": name}`` converts and answers
``{"ok": true}`` or ``{"error": message, "alive": bool}``. Standard input closing (the worker exited
or was killed) ends LibreOffice and this helper.

Usage: python3 uno_helper.py SOFFICE PROFILE_DIR PIPE_NAME STARTUP_TIMEOUT
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

# Protocol output goes through a private copy of stdout: whatever LibreOffice or the UNO bridge
# prints to fd 1 then lands on stderr instead of corrupting a reply.
_replies = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)


def reply(message: dict) -> None:
    _replies.write(json.dumps(message, ensure_ascii=False) + "\n")
    _replies.flush()


def properties(**values: object) -> tuple:
    from com.sun.star.beans import PropertyValue

    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


def start_office(soffice: str, profile: Path, pipe_name: str) -> subprocess.Popen:
    command = [
        soffice,
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext",
    ]
    # Same process group as this helper: the worker kills the group to stop a hung conversion.
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=2)


def connect(pipe_name: str, office: subprocess.Popen, deadline: float):
    """The office's Desktop, once its pipe answers (the first start builds the profile: seconds)."""
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext"
    while True:
        try:
            context = resolver.resolve(url)
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except NoConnectException:
            if office.poll() is not None:
                raise RuntimeError(f"soffice exited with status {office.returncode} while starting") from None
            if time.monotonic() > deadline:
                raise RuntimeError("soffice did not accept UNO connections in time") from None
            time.sleep(0.1)


class Refused(Exception):
    """LibreOffice said no without an exception of its own."""


def convert(desktop, request: dict) -> None:
    import uno

    load = {"Hidden": True, "ReadOnly": True, "MacroExecutionMode": 0, "UpdateDocMode": 0}
    if request.get("input_filter"):
        # Named, never guessed: left to guess, LibreOffice imports a damaged DOC as plain text.
        load["FilterName"] = request["input_filter"]
    source = uno.systemPathToFileUrl(request["source"])
    document = desktop.loadComponentFromURL(source, "_blank", 0, properties(**load))
    if document is None:
        raise Refused("the import filter refused the file")
    try:
        target = uno.systemPathToFileUrl(request["target"])
        document.storeToURL(target, properties(FilterName=request["output_filter"], Overwrite=True))
    finally:
        document.close(True)


def office_process_id(launcher_pid: int) -> int:
    """soffice.bin's pid: ``soffice`` execs oosplash, which runs soffice.bin as its child."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the name: state, ppid, ...
            if int(fields[1]) == launcher_pid:
                return int(stat.parent.name)
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    return launcher_pid


def office_alive(office: subprocess.Popen, desktop) -> bool:
    """After a failed conversion: is LibreOffice still there to take the next document?"""
    if office.poll() is not None:
        return False
    try:
        desktop.getComponents()  # a round trip over the bridge
        return True
    except Exception:
        return False


def watch_parent() -> None:
    """The worker died while a conversion hangs (so standard input is not being read): end the whole
    process group, LibreOffice included, rather than leave it running orphaned."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1.0)
    if os.getpgrp() == os.getpid():  # our own group, as office_server starts us: LibreOffice is in it
        os.killpg(0, signal.SIGKILL)
    os._exit(1)


def main() -> int:
    soffice, profile, pipe_name, startup_timeout = sys.argv[1:5]
    threading.Thread(target=watch_parent, daemon=True).start()
    office = None
    try:
        office = start_office(soffice, Path(profile), pipe_name)
        desktop = connect(pipe_name, office, time.monotonic() + float(startup_timeout))
    except Exception as error:
        reply({"error": f"{type(error).__name__}: {error}", "alive": False})
        if office is not None:
            office.kill()
        return 1
    reply({"ready": True, "office_pid": office_process_id(office.pid)})
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                convert(desktop, request)
            except Exception as error:
                message = getattr(error, "Message", "") or str(error)  # UNO exceptions carry .Message
                if not isinstance(error, Refused):
                    message = f"{type(error).__name__}: {message}".strip(": ")
                alive = office_alive(office, desktop)
                reply({"error": message, "alive": alive})
                if not alive:
                    return 1
            else:
                reply({"ok": True})
    finally:
        # Standard input closed (or LibreOffice died): end LibreOffice, politely first.
        if office.poll() is None:
            try:
                desktop.terminate()
                office.wait(timeout=10)
            except Exception:
                office.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
