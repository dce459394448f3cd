"""cgroup v2 paths of autograder/cgroups.py, on a simulated hierarchy.

These machines run cgroup v1 (the grading tests exercise it for real);
instructors' machines usually run v2. The simulation keeps v2's rules that
matter here: a new group lists the controllers its parent hands down; a
process lives in exactly one group (writing its pid to a cgroup.procs moves
it); and a group other than the root that holds processes cannot enable
controllers for its children (EBUSY, the "no internal processes" rule).
"""

from __future__ import annotations

import errno
import pathlib

import pytest

from autograder import cgroups


@pytest.fixture(params=["host"])
def v2(request, tmp_path, monkeypatch):
    # "host": the real root, exempt from the rule; "container": the root of a
    # cgroup namespace, which is not.
    exempt = request.param == "host"
    root = tmp_path / "cgroup"
    root.mkdir()
    original_write = pathlib.Path.write_text
    original_mkdir = pathlib.Path.mkdir

    def groups():
        return [p.parent for p in root.rglob("cgroup.procs")]

    def write_text(self, data, *args, **kwargs):
        if root not in self.parents:
            return original_write(self, data, *args, **kwargs)
        group = self.parent
        if self.name == "cgroup.subtree_control":
            procs = (group / "cgroup.procs").read_text().split()
            if (group != root or not exempt) and procs:
                raise OSError(errno.EBUSY, "Device or resource busy")
            wanted = {w.lstrip("+") for w in data.split()}
            available = set((group / "cgroup.controllers").read_text().split())
            if not wanted <= available:
                raise OSError(errno.ENOENT, "No such file or directory")
            return original_write(self, " ".join(sorted(wanted)))
        if self.name == "cgroup.procs":
            pid = data.strip()
            for other in groups():
                procs = (other / "cgroup.procs").read_text().split()
                if pid in procs:
                    procs.remove(pid)
                    original_write(other / "cgroup.procs", "\n".join(procs))
            procs = (group / "cgroup.procs").read_text().split()
            return original_write(self, "\n".join([*procs, pid]))
        return original_write(self, data, *args, **kwargs)

    def mkdir(self, *args, **kwargs):
        existed = self.exists()
        original_mkdir(self, *args, **kwargs)
        if root in self.parents and not existed:
            handed = (self.parent / "cgroup.subtree_control").read_text()
            original_write(self / "cgroup.controllers", handed)
            original_write(self / "cgroup.subtree_control", "")
            original_write(self / "cgroup.procs", "")

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)
    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    original_write(root / "cgroup.controllers", "cpu memory pids")
    original_write(root / "cgroup.subtree_control", "memory pids")
    original_write(root / "cgroup.procs", "1")
    monkeypatch.setattr(cgroups, "ROOT", root)
    return root


def _scope(root, monkeypatch, controllers="memory pids"):
    """A delegated scope holding the grader (pid 4242) and its shell (4241)."""
    scope = root / "user.slice" / "run-r1.scope"
    scope.mkdir(parents=True)
    (scope / "cgroup.controllers").write_text(controllers)
    for pid in ("4241", "4242"):
        (scope / "cgroup.procs").write_text(pid)
    monkeypatch.setattr(cgroups, "_own_paths", lambda: {"": "/user.slice/run-r1.scope"})
    monkeypatch.setattr(cgroups.os, "geteuid", lambda: 1000)
    return scope


def test_a_delegated_scope_moves_its_processes_to_a_leaf_and_makes_groups(
    v2, monkeypatch
):
    scope = _scope(v2, monkeypatch)
    factory = cgroups.CgroupFactory()
    assert factory.problem == ""
    assert factory.version == 2
    leaf = scope / "lstm-grader-self"
    assert sorted((leaf / "cgroup.procs").read_text().split()) == ["4241", "4242"]
    assert (scope / "cgroup.procs").read_text().split() == []
    assert (scope / "cgroup.subtree_control").read_text().split() == ["memory", "pids"]
    group = factory.create(memory_bytes=2 << 30, max_tasks=64)
    assert group.dirs["memory"].parent == scope / "lstm-grader"
    assert (group.dirs["memory"] / "memory.max").read_text() == str(2 << 30)
    assert (group.dirs["pids"] / "pids.max").read_text() == "64"
    assert not group.memory_killed()
    (group.dirs["memory"] / "memory.events").write_text("low 0\noom 1\noom_kill 1\n")
    assert group.memory_killed()
    (group.dirs["pids"] / "pids.events").write_text("max 3\n")
    assert group.tasks_refused()


def test_a_scope_without_delegated_controllers_is_reported(v2, monkeypatch):
    _scope(v2, monkeypatch, controllers="cpu")
    factory = cgroups.CgroupFactory()
    assert not factory.available
    assert "systemd-run --user --scope -p Delegate=yes" in factory.problem


def test_as_root_the_groups_live_under_one_group_of_the_root(v2, monkeypatch):
    monkeypatch.setattr(cgroups, "_own_paths", lambda: {"": "/system.slice/x"})
    monkeypatch.setattr(cgroups.os, "geteuid", lambda: 0)
    factory = cgroups.CgroupFactory()
    assert factory.version == 2
    group = factory.create(memory_bytes=1 << 30, max_tasks=16)
    assert group.dirs["memory"].parent == v2 / "lstm-grader"
    assert (v2 / "cgroup.procs").read_text().split() == ["1"]  # the root is exempt


@pytest.mark.parametrize("v2", ["container"], indirect=True)
def test_root_of_a_container_namespace_moves_its_processes_to_a_leaf(v2, monkeypatch):
    monkeypatch.setattr(cgroups, "_own_paths", lambda: {"": "/"})
    monkeypatch.setattr(cgroups.os, "geteuid", lambda: 0)
    (v2 / "cgroup.subtree_control").write_bytes(b"")  # nothing enabled yet
    factory = cgroups.CgroupFactory()
    assert factory.version == 2, factory.problem
    assert (v2 / "lstm-grader-self" / "cgroup.procs").read_text().split() == ["1"]
    assert factory.create(memory_bytes=1 << 30, max_tasks=16).version == 2
