"""Freeze and thaw a whole process tree between invocations, the way Lambda freezes its sandbox.

The cgroup freezer (v2 ``cgroup.freeze``, v1 ``freezer.state``) stops every process in a
cgroup, including children that called ``setsid``, and nothing can fork its way out. Where
no cgroup is writable, SIGSTOP is sent to every process of the tree, found through /proc
(this process is made a child subreaper, so that orphaned grandchildren stay in the tree).
Every freeze and thaw is confirmed before it returns. Linux only.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

CONFIRM_SECONDS = 5.0
POLL_SECONDS = 0.001
PR_SET_CHILD_SUBREAPER = 36


class FreezeError(RuntimeError):
    """The tree could not be frozen, thawed or killed as asked."""


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process instead of init, so they stay findable."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def stale_paths(paths: Iterable[Path]) -> list[Path]:
    """Those ``leak-lsp-PID-*`` paths whose ``reproduce`` process is gone (killed by SIGKILL)."""
    stale = []
    for path in paths:
        parts = path.name.split("-")
        pid = parts[2] if len(parts) >= 4 else ""
        if pid.isdigit() and int(pid) != os.getpid() and process_state(int(pid)) in (None, "Z", "X"):
            stale.append(path)
    return stale


def process_state(pid: int) -> str | None:
    """The one-letter state of /proc/PID/stat (R, S, T, Z...), or None once the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def descendants(root: int) -> list[int]:
    """Every process below ``root``, found by parent pid."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + CONFIRM_SECONDS
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise FreezeError(f"timed out waiting until {what}")
        time.sleep(POLL_SECONDS)


def signal_quietly(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class Freezer:
    """Owns the runtime's process tree: freezes, thaws and finally kills all of it."""

    name = "none"

    def __init__(self) -> None:
        self.root: int | None = None
        self._adopted: set[int] = set()
        self._others = set(descendants(os.getpid()))  # children of this process that are not ours

    def adopt(self, pid: int) -> None:
        """Take the runtime process (before it starts any work) into the frozen tree."""
        self.root = pid

    def tree(self) -> list[int]:
        """The runtime and all its descendants, including orphans re-parented to this process."""
        if self.root is None:
            return []
        mine = os.getpid()
        direct = [pid for pid in descendants(mine) if pid not in self._others]
        return [pid for pid in direct if process_state(pid) is not None]

    def freeze(self) -> None:
        raise NotImplementedError

    def thaw(self) -> None:
        raise NotImplementedError

    def kill_all(self) -> None:
        """SIGKILL the whole tree until nothing of it is left, then reap what is ours to reap."""
        deadline = time.monotonic() + CONFIRM_SECONDS
        while (alive := [pid for pid in self.tree() if process_state(pid) not in ("Z", "X", None)]):
            for pid in alive:
                signal_quietly(pid, signal.SIGKILL)
                signal_quietly(pid, signal.SIGCONT)
            if time.monotonic() > deadline:
                raise FreezeError(f"processes {alive} survived SIGKILL")
            time.sleep(POLL_SECONDS)
        for pid in self.tree():
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass

    def close(self) -> None:
        """Release what the freezer created (a cgroup)."""

    @property
    def cgroup(self) -> str | None:
        """The cgroup holding the tree, for the watchdog to remove after a SIGKILL."""
        return None


class SignalFreezer(Freezer):
    """SIGSTOP to every process of the tree, repeated until no new process appears."""

    name = "sigstop"

    def freeze(self) -> None:
        stopped: set[int] = set()
        while new := [pid for pid in self.tree() if pid not in stopped]:
            for pid in new:
                signal_quietly(pid, signal.SIGSTOP)
            stopped.update(new)
            wait_until(lambda: all(process_state(pid) in ("T", "t", "Z", "X", None) for pid in new),
                       "every process of the tree is stopped")

    def thaw(self) -> None:
        tree = self.tree()
        for pid in tree:
            signal_quietly(pid, signal.SIGCONT)
        wait_until(lambda: all(process_state(pid) not in ("T", "t") for pid in tree),
                   "every process of the tree runs again")


class CgroupFreezer(Freezer):
    """A fresh cgroup below this process's own; its members are frozen all at once."""

    version = 0

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    @classmethod
    def create(cls) -> CgroupFreezer | None:
        """A freezer in a new cgroup, or None when no cgroup of this kind is writable here."""
        base = cls._own_cgroup()
        if base is None:
            return None
        for stale in stale_paths(base.glob("leak-lsp-*-*")):
            cls(stale).remove_stale()
        directory = base / f"leak-lsp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            directory.mkdir()
        except OSError:
            return None
        freezer = cls(directory)
        if not freezer._control_file().exists():
            freezer.close()
            return None
        return freezer

    @classmethod
    def _own_cgroup(cls) -> Path | None:
        raise NotImplementedError

    def _control_file(self) -> Path:
        raise NotImplementedError

    def adopt(self, pid: int) -> None:
        super().adopt(pid)
        try:
            (self.directory / "cgroup.procs").write_text(str(pid))
        except OSError as error:
            raise FreezeError(f"cannot move the runtime into {self.directory}: {error}") from error

    @property
    def cgroup(self) -> str | None:
        return str(self.directory)

    def members(self) -> list[int]:
        try:
            return [int(line) for line in (self.directory / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> None:
        for pid in self.members():
            signal_quietly(pid, signal.SIGKILL)
        self.thaw_quietly()
        super().kill_all()
        wait_until(lambda: not self.members(), f"{self.directory} is empty")

    def thaw_quietly(self) -> None:
        try:
            self.thaw()
        except (OSError, FreezeError):
            pass

    def remove_stale(self) -> None:
        """A cgroup left by a run that was killed by SIGKILL: kill what it still holds, remove it."""
        try:
            self.kill_all()
        except (OSError, FreezeError):
            return
        self.close()

    def close(self) -> None:
        deadline = time.monotonic() + CONFIRM_SECONDS
        while self.directory.exists():
            try:
                self.directory.rmdir()
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(POLL_SECONDS)


def _mount_point(fstype: str, option: str | None) -> Path | None:
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        fields = line.split()
        if len(fields) >= 4 and fields[2] == fstype and (option is None or option in fields[3].split(",")):
            return Path(fields[1])
    return None


def _own_path(hierarchy: str) -> str | None:
    """This process's path in a hierarchy of /proc/self/cgroup ("" for v2, "freezer" for v1)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if hierarchy in controllers.split(","):
            return path.lstrip("/")
    return None


class CgroupV2Freezer(CgroupFreezer):
    name = "cgroup-v2"

    @classmethod
    def _own_cgroup(cls) -> Path | None:
        mount, own = _mount_point("cgroup2", None), _own_path("")
        return None if mount is None or own is None else mount / own

    def _control_file(self) -> Path:
        return self.directory / "cgroup.freeze"

    def _frozen(self) -> bool:
        events = (self.directory / "cgroup.events").read_text().split()
        return events[events.index("frozen") + 1] == "1"

    def freeze(self) -> None:
        self._control_file().write_text("1")
        wait_until(self._frozen, "the cgroup reports frozen")

    def thaw(self) -> None:
        self._control_file().write_text("0")
        wait_until(lambda: not self._frozen(), "the cgroup reports thawed")


class CgroupV1Freezer(CgroupFreezer):
    name = "cgroup-v1"

    @classmethod
    def _own_cgroup(cls) -> Path | None:
        mount, own = _mount_point("cgroup", "freezer"), _own_path("freezer")
        return None if mount is None or own is None else mount / own

    def _control_file(self) -> Path:
        return self.directory / "freezer.state"

    def _state(self) -> str:
        return self._control_file().read_text().strip()

    def freeze(self) -> None:
        self._control_file().write_text("FROZEN")
        wait_until(lambda: self._state() == "FROZEN", "the cgroup reports FROZEN")

    def thaw(self) -> None:
        self._control_file().write_text("THAWED")
        wait_until(lambda: self._state() == "THAWED", "the cgroup reports THAWED")


def make_freezer(kind: str) -> Freezer:
    """``auto`` prefers a cgroup freezer and falls back to signals; ``cgroup`` insists on one."""
    if kind in ("auto", "cgroup"):
        for freezer_type in (CgroupV2Freezer, CgroupV1Freezer):
            freezer = freezer_type.create()
            if freezer is not None:
                return freezer
        if kind == "cgroup":
            raise FreezeError("no writable cgroup freezer (v2 cgroup.freeze or v1 freezer.state) here")
    return SignalFreezer()
