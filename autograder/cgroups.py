"""Limits over all of a sandbox's processes: memory and the number of tasks.

A per-process limit (``RLIMIT_AS``) does not stop a notebook that forks: four
children of 1 GiB each are within a 2 GiB address-space cap. A control group
holds every process and thread the notebook starts, so its memory (pages,
including its tmpfs files) and its number of tasks are counted together.

- cgroup v1 (these machines, as root): the ``memory`` and ``pids``
  hierarchies; a group under the grader's own group in each.
- cgroup v2 (most instructors' machines): the unified hierarchy; as root, a
  group ``lstm-grader`` under the root with the memory and pids controllers
  enabled. Without root, v2 needs a delegated subtree (``systemd-run --user
  --scope -p Delegate=yes``), which this module uses if the grader's own group
  is writable and can take children with the controllers; the scope's
  processes move to a leaf ``lstm-grader-self`` first, as v2's rule that a
  group with processes cannot enable controllers for its children requires.
  These machines run v1: the v2 paths are tested on a simulated hierarchy
  (tests/test_cgroups.py), not on a v2 kernel.

``CgroupFactory.probe()`` says which of this is possible here; what is not
is reported once by ``autograde`` and kept in each notebook's metadata, never
dropped silently.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_paths() -> dict[str, str]:
    """The grader's group in each hierarchy ("" for the v2 unified one)."""
    paths = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


class Cgroup:
    """One notebook's group(s); ``join`` runs in the child before exec."""

    def __init__(self, dirs: dict[str, Path], version: int) -> None:
        self.dirs = dirs  # "memory"/"pids" -> directory (v2: the same one)
        self.version = version

    def join(self) -> None:
        pid = str(os.getpid())
        for directory in set(self.dirs.values()):
            (directory / "cgroup.procs").write_text(pid)

    def memory_killed(self) -> bool:
        """Whether the kernel killed a process of this group for its memory."""
        directory = self.dirs.get("memory")
        if directory is None:
            return False
        with contextlib.suppress(OSError, ValueError):
            if self.version == 1:
                control = (directory / "memory.oom_control").read_text()
                for line in control.splitlines():
                    if line.startswith("oom_kill ") and int(line.split()[1]) > 0:
                        return True
                return int((directory / "memory.failcnt").read_text()) > 0 and (
                    "under_oom 1" in control
                )
            events = (directory / "memory.events").read_text()
            for line in events.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        return False

    def tasks_refused(self) -> bool:
        """Whether a fork or thread was refused for the task limit."""
        directory = self.dirs.get("pids")
        if directory is None:
            return False
        with contextlib.suppress(OSError, ValueError):
            events = (directory / "pids.events").read_text()
            for line in events.splitlines():
                key, _, value = line.partition(" ")
                if key == "max" and int(value) > 0:
                    return True
        return False

    def close(self) -> None:
        for directory in set(self.dirs.values()):
            for _ in range(50):
                try:
                    pids = (directory / "cgroup.procs").read_text().split()
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(
                        ProcessLookupError, ValueError, PermissionError
                    ):
                        os.kill(int(pid), signal.SIGKILL)
                time.sleep(0.02)
            with contextlib.suppress(OSError):
                directory.rmdir()


def _leave_for_leaf(parent: Path) -> None:
    """Move the processes of ``parent`` into a leaf group of their own.

    cgroup v2 lets a group other than the root hand controllers to its
    children only while no process lives in it (the "no internal processes"
    rule; writing cgroup.subtree_control fails with EBUSY otherwise). In a
    delegated scope the grader itself lives in ``parent`` (in a container
    with its own cgroup namespace, in the namespace's root), so it and the
    other processes there move to ``parent/lstm-grader-self`` first.
    """
    leaf = parent / "lstm-grader-self"
    leaf.mkdir(exist_ok=True)
    for pid in (parent / "cgroup.procs").read_text().split():
        with contextlib.suppress(ProcessLookupError, OSError):
            (leaf / "cgroup.procs").write_text(pid)


class CgroupFactory:
    """Makes a group per notebook, or says why it cannot."""

    def __init__(self) -> None:
        self.version = 0
        self.parents: dict[str, Path] = {}
        self.problem = ""
        self._find()

    def _find(self) -> None:
        own = _own_paths()
        if (ROOT / "memory").is_dir() and (ROOT / "pids").is_dir() and "memory" in own:
            parents = {
                name: ROOT / name / own.get(name, "/").lstrip("/")
                for name in ("memory", "pids")
            }
            if all(os.access(p, os.W_OK) for p in parents.values()):
                self.version, self.parents = 1, parents
                return
            self.problem = (
                "cgroup v1: the grader cannot create groups under "
                + ", ".join(str(p) for p in parents.values())
                + " (run the grader as root)"
            )
            return
        if (ROOT / "cgroup.controllers").is_file():
            self._find_v2(own.get("", "/"))
            return
        self.problem = "this machine has no cgroup memory and pids controllers"

    def _find_v2(self, own: str) -> None:
        candidates = []
        if os.geteuid() == 0:
            candidates.append((ROOT, ROOT / "lstm-grader"))
        own_dir = ROOT / own.lstrip("/")
        if own_dir != ROOT:
            candidates.append((own_dir, own_dir / "lstm-grader"))
        for parent, group in candidates:
            try:
                if parent != ROOT and not os.access(parent, os.W_OK):
                    continue
                available = (parent / "cgroup.controllers").read_text().split()
                if not {"memory", "pids"} <= set(available):
                    continue
                enabled = (parent / "cgroup.subtree_control").read_text().split()
                if not {"memory", "pids"} <= set(enabled):
                    control = parent / "cgroup.subtree_control"
                    try:
                        control.write_text("+memory +pids")
                    except OSError as error:
                        # EBUSY: processes live in parent (the grader in a
                        # delegated scope, or a container's namespace root).
                        if error.errno != errno.EBUSY:
                            raise
                        _leave_for_leaf(parent)
                        control.write_text("+memory +pids")
                group.mkdir(exist_ok=True)
                (group / "cgroup.subtree_control").write_text("+memory +pids")
            except OSError:
                continue
            self.version = 2
            self.parents = {"memory": group, "pids": group}
            return
        self.problem = (
            "cgroup v2: the grader may not create groups with the memory and "
            "pids controllers (run it as root, or inside `systemd-run --user "
            "--scope -p Delegate=yes`)"
        )

    def remove_stale(self, older_than: float = 3600.0) -> None:
        """Remove empty groups of earlier runs (a grader that was killed
        leaves its group behind); recent ones may belong to a running one."""
        now = time.time()
        for parent in set(self.parents.values()):
            for group in parent.glob("lstm-grade-*"):
                with contextlib.suppress(OSError):
                    if now - group.stat().st_mtime < older_than:
                        continue
                    if not (group / "cgroup.procs").read_text().split():
                        group.rmdir()

    @property
    def available(self) -> bool:
        return self.version > 0

    def create(self, memory_bytes: int, max_tasks: int) -> Cgroup:
        name = f"lstm-grade-{secrets.token_hex(6)}"
        if self.version == 1:
            dirs = {kind: parent / name for kind, parent in self.parents.items()}
            for directory in dirs.values():
                directory.mkdir()
            memory = dirs["memory"]
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            with contextlib.suppress(OSError):  # swap accounting may be off
                (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
            (dirs["pids"] / "pids.max").write_text(str(max_tasks))
            return Cgroup(dirs, 1)
        directory = self.parents["memory"] / name
        directory.mkdir()
        (directory / "memory.max").write_text(str(memory_bytes))
        with contextlib.suppress(OSError):
            (directory / "memory.swap.max").write_text("0")
        (directory / "pids.max").write_text(str(max_tasks))
        return Cgroup({"memory": directory, "pids": directory}, 2)
