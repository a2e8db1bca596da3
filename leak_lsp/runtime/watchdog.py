"""Cleans up after ``reproduce`` when it dies without cleaning up itself (SIGKILL, out of memory).

``reproduce`` starts this process first, in a session of its own, and keeps the write end of its
standard input. It tells the watchdog, one JSON line at a time, what to clean: the cgroup holding the
runtime's tree, the runtime's process group, the temporary folder. End of input means ``reproduce`` is
gone, whether it finished (it has cleaned up already: everything here is then a no-op) or was killed.
Runs only leak-lsp's own code: ``python -P -m leak_lsp.runtime.watchdog``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from leak_lsp.runtime.freezer import CgroupV1Freezer, CgroupV2Freezer

_FREEZERS = {CgroupV2Freezer.name: CgroupV2Freezer, CgroupV1Freezer.name: CgroupV1Freezer}


class Watchdog:
    """``reproduce``'s side: the watchdog process, told what to clean as it is created."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        self.process: subprocess.Popen[str] | None
        try:
            self.process = subprocess.Popen([sys.executable, "-P", "-m", "leak_lsp.runtime.watchdog"],
                                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            start_new_session=True, cwd="/", env=os.environ | {"PYTHONPATH": path},
                                            text=True)
        except OSError:
            self.process = None  # cleaning up after a SIGKILL is then left to the next run

    def watch(self, **what: object) -> None:
        if self.process is None or self.process.stdin is None:
            return
        try:
            self.process.stdin.write(json.dumps(what) + "\n")
            self.process.stdin.flush()
        except OSError:
            pass

    def release(self) -> None:
        """``reproduce`` has cleaned up: the watchdog ends without touching anything."""
        self.watch(done=True)
        if self.process is not None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait()


def clean(what: dict[str, Any]) -> None:
    """Kill the runtime's tree and remove what ``reproduce`` created for it."""
    freezer = _FREEZERS.get(str(what.get("freezer")))
    if freezer is not None and what.get("cgroup"):
        freezer(Path(what["cgroup"])).remove_stale()
    group = what.get("group")
    if isinstance(group, int) and group > 1:
        try:
            os.killpg(group, signal.SIGKILL)  # stopped members too: the signal freezer's tree
        except (ProcessLookupError, PermissionError):
            pass
    if what.get("folder"):
        shutil.rmtree(what["folder"], ignore_errors=True)


def main() -> None:
    what: dict[str, Any] = {}
    for line in sys.stdin:
        try:
            what |= json.loads(line)
        except (json.JSONDecodeError, TypeError):
            continue
    if not what.get("done"):
        clean(what)


if __name__ == "__main__":
    main()
