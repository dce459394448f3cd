"""Unit tests of autograder/collect.py: each function on small known inputs.

No nbgrader course, no sandbox: a few bytes of notebook, a folder or an
in-memory zip, and the exact entries, problems and status fields that must
come out. These are the tests ``make mutation`` runs against collect.py
(tools/mutation.py), so they are fast, and they pin every message.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import collect
from autograder.collect import Candidate, Found
from autograder.platforms import Parsed, Pattern, Platform
from autograder.status import StatusBook

A = "A1"


def _notebook(*ids: str | None, source: str = "x = 1") -> bytes:
    """A notebook whose cells carry these nbgrader grade_ids (None: no nbgrader)."""
    nb = nbformat.v4.new_notebook()
    for grade_id in ids:
        cell = nbformat.v4.new_code_cell(source)
        if grade_id is not None:
            cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True}
        nb.cells.append(cell)
    return nbformat.writes(nb).encode()


GOOD = _notebook("c1", "c2")


# ---------------------------------------------------------------- _bounded


def test_bounded_reads_one_byte_more_than_the_limit():
    assert collect.MAX_NOTEBOOK_BYTES == 50 * 1024 * 1024
    asked = []
    assert collect._bounded(lambda n: asked.append(n) or b"ok") == b"ok"
    assert asked == [50 * 1024 * 1024 + 1]


# ------------------------------------------------------------ _dir_entries


def _entries(entries) -> list[tuple]:
    return [(e.path, e.refused, e.read is None) for e in entries]


def test_dir_entries_lists_notebooks_and_refuses_links_and_special_files(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.ipynb").write_bytes(b"git")
    (tmp_path / "a" / A).mkdir(parents=True)
    (tmp_path / "a" / A / "A1.ipynb").write_bytes(b"one")
    (tmp_path / "a" / ".hidden.ipynb").write_bytes(b"hid")
    (tmp_path / "a" / "b.ipynb").write_bytes(b"bee")
    (tmp_path / "a" / "notes.txt").write_bytes(b"txt")
    (tmp_path / "a" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "a" / ".ipynb_checkpoints" / "A1.ipynb").write_bytes(b"chk")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "z.ipynb").write_bytes(b"zed")
    (tmp_path / "b").symlink_to(tmp_path / "c", target_is_directory=True)
    (tmp_path / "c" / "link.ipynb").symlink_to(tmp_path / "a" / "b.ipynb")
    os.mkfifo(tmp_path / "c" / "pipe.ipynb")
    found = list(collect._dir_entries(tmp_path))
    assert _entries(found) == [
        (
            "b",
            "b/ is a symbolic link; collect never follows links: ask for the "
            "files themselves",
            True,
        ),
        ("a/b.ipynb", "", False),
        ("a/A1/A1.ipynb", "", False),
        (
            "c/link.ipynb",
            "c/link.ipynb is a symbolic link; collect never follows links: ask "
            "the student for the notebook itself",
            True,
        ),
        ("c/pipe.ipynb", "c/pipe.ipynb is a special file, not a notebook", True),
        ("c/z.ipynb", "", False),
    ]
    by_path = {e.path: e for e in found}
    bee = by_path["a/b.ipynb"]
    assert bee.read() == b"bee"
    assert bee.size == 3
    assert bee.mtime == ((tmp_path / "a" / "b.ipynb").stat().st_mtime,)
    assert by_path["c/z.ipynb"].read() == b"zed"
    assert by_path["a/A1/A1.ipynb"].size == 3


def test_dir_entries_skip_dot_files_but_go_on_with_the_rest(tmp_path):
    for name in (".a.ipynb", "b.ipynb", ".c", "d.ipynb"):
        (tmp_path / name).write_bytes(name.encode())
    assert [e.path for e in collect._dir_entries(tmp_path)] == ["b.ipynb", "d.ipynb"]


def test_dir_entries_read_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "MAX_NOTEBOOK_BYTES", 4)
    (tmp_path / "big.ipynb").write_bytes(b"0123456789")
    (entry,) = collect._dir_entries(tmp_path)
    assert entry.read() == b"01234"


# ---------------------------------------------------------- zip members


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("/abs.ipynb", True),
        ("\\abs.ipynb", True),
        ("C:x.ipynb", True),
        ("c:/x.ipynb", True),
        ("a/../b.ipynb", True),
        ("a\\..\\b.ipynb", True),
        ("..", True),
        ("a/b.ipynb", False),
        ("a..b/c..ipynb", False),
        ("x/C:y.ipynb", False),
        ("1:x.ipynb", False),
        ("a.ipynb", False),
    ],
)
def test_unsafe_member(name, unsafe):
    assert collect._unsafe_member(name) is unsafe


def _info(name: str, flags: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.flag_bits = flags
    return info


def test_member_name_reads_utf8_written_without_the_flag():
    mojibake = "müller.ipynb".encode().decode("cp437")
    assert mojibake != "müller.ipynb"
    assert collect._member_name(_info(mojibake, 0)) == "müller.ipynb"
    assert collect._member_name(_info(mojibake, 0x001)) == "müller.ipynb"
    # With the UTF-8 flag the name is already right, mojibake or not.
    assert collect._member_name(_info(mojibake, 0x800)) == mojibake
    assert collect._member_name(_info("müller.ipynb", 0x800)) == "müller.ipynb"
    # Not CP437-encodable, or its CP437 bytes are not UTF-8: kept as it is.
    assert collect._member_name(_info("€.ipynb", 0)) == "€.ipynb"
    assert collect._member_name(_info("ü.ipynb", 0)) == "ü.ipynb"


def _zip(members: list[tuple[str, bytes, int]]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10))
            info.external_attr = mode << 16
            archive.writestr(info, data)
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


def test_zip_entries_skip_folders_and_dot_files_and_refuse_unsafe_members():
    regular = stat.S_IFREG | 0o644
    archive = _zip(
        [
            ("d/", b"", stat.S_IFDIR | 0o755),
            ("__MACOSX/._a.ipynb", b"mac", regular),
            ("__MACOSX/a.ipynb", b"mac", regular),
            (".hidden.ipynb", b"hid", regular),
            ("d/.h.ipynb", b"hid", regular),
            ("zero.ipynb", b"mode zero", 0),
            ("/abs.ipynb", b"abs", regular),
            ("../up.ipynb", b"up", regular),
            ("link.ipynb", b"target", stat.S_IFLNK | 0o777),
            ("pipe.ipynb", b"", stat.S_IFIFO | 0o644),
            ("notes.txt", b"txt", regular),
            ("d/s_x.ipynb", b"data", regular),
        ]
    )
    found = list(collect._zip_entries(archive, "sub.zip"))
    assert _entries(found) == [
        ("zero.ipynb", "", False),
        (
            "/abs.ipynb",
            "sub.zip:/abs.ipynb has an unsafe path (absolute or with '..'); refused",
            True,
        ),
        (
            "../up.ipynb",
            "sub.zip:../up.ipynb has an unsafe path (absolute or with '..'); refused",
            True,
        ),
        (
            "link.ipynb",
            "sub.zip:link.ipynb is a symbolic link; collect never follows links: "
            "ask the student for the notebook itself",
            True,
        ),
        ("pipe.ipynb", "sub.zip:pipe.ipynb is a special file; refused", True),
        ("d/s_x.ipynb", "", False),
    ]
    assert found[0].read() == b"mode zero"
    assert found[-1].read() == b"data"
    assert found[-1].size == 4
    assert found[-1].mtime == (2024, 5, 6, 7, 8, 10)


def test_zip_entries_read_names_as_utf8_and_bound_the_read(monkeypatch):
    monkeypatch.setattr(collect, "MAX_NOTEBOOK_BYTES", 3)
    mojibake = "ö_x.ipynb".encode().decode("cp437")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(mojibake), b"abcdef")
    buffer.seek(0)
    archive = zipfile.ZipFile(buffer)
    archive.infolist()[0].flag_bits = 0
    (entry,) = collect._zip_entries(archive, "z")
    assert entry.path == "ö_x.ipynb"
    assert entry.read() == b"abcd"


# ---------------------------------------------------------------- _gather


class _ByStem(Platform):
    """``<student>-<file>``; a name ``None-...`` is unknown; ``name`` from a table."""

    expected = "<student>-<file>"
    names = {"ann": "Ann A.", "bob": ""}

    def parse(self, path):
        stem, _, file_name = Path(path).name.partition("-")
        if stem == "None" or not file_name:
            return None
        return Parsed(stem, file_name, name=self.names.get(stem, stem.upper()))


def _entry(path, data=b"", refused="", size=None, mtime=()):
    return collect._Entry(
        path,
        None if refused else (lambda: data),
        len(data) if size is None else size,
        mtime,
        refused,
    )


def test_gather_groups_by_student_with_every_problem(monkeypatch):
    monkeypatch.setattr(collect, "MAX_NOTEBOOK_BYTES", 5)
    entries = [
        _entry("x/noname.ipynb"),
        _entry("x/None-a.ipynb", refused="linked"),
        _entry("ann-a.ipynb", b"12345", mtime=(1.0,)),
        _entry("ann-b.ipynb", b"123456"),
        _entry("ann-c.ipynb", b"1", size=6),
        _entry("ann-d.ipynb", refused="ann-d is a link"),
        _entry("bob-a.ipynb", b"b"),
        _entry("cy-a.ipynb", b"c"),
        _entry("cy-b.ipynb", b"C"),
    ]
    found = collect._gather(entries, _ByStem(), "L", lambda p: "key:" + p)
    assert sorted(found) == [
        "ann",
        "bob",
        "cy",
        "key:x/None-a.ipynb",
        "key:x/noname.ipynb",
    ]
    assert found["key:x/noname.ipynb"].problems == [
        "cannot tell the student from the file name 'noname.ipynb' "
        "(expected <student>-<file>)"
    ]
    assert found["key:x/noname.ipynb"].origin == "L:x/noname.ipynb"
    assert found["key:x/None-a.ipynb"].problems == ["linked"]
    ann = found["ann"]
    assert ann.name == "Ann A."
    assert ann.origin == "L:ann-a.ipynb"
    assert ann.problems == [
        "b.ipynb is larger than 50 MB; skipped",
        "c.ipynb is larger than 50 MB; skipped",
        "ann-d is a link",
    ]
    assert ann.notebooks == [("a.ipynb", b"12345")]
    (candidate,) = ann.candidates
    assert (candidate.file_name, candidate.data, candidate.origin) == (
        "a.ipynb",
        b"12345",
        "L:ann-a.ipynb",
    )
    assert candidate.mtime == (1.0,)
    assert candidate.parsed.student_id == "ann"
    assert found["bob"].name == ""
    assert found["bob"].notebooks == [("a.ipynb", b"b")]
    assert found["cy"].name == "CY"
    assert found["cy"].notebooks == [("a.ipynb", b"c"), ("b.ipynb", b"C")]
    assert found["cy"].origin == "L:cy-a.ipynb, L:cy-b.ipynb"


def test_gather_without_a_label_uses_the_bare_path_and_keeps_the_first_name():
    class Named(_ByStem):
        def parse(self, path):
            parsed = super().parse(path)
            parsed.name = Path(path).parent.name
            return parsed

    entries = [_entry("First/ann-a.ipynb", b"1"), _entry("Second/ann-b.ipynb", b"2")]
    found = collect._gather(entries, Named(), "", str)
    assert found["ann"].name == "First"
    assert [c.origin for c in found["ann"].candidates] == [
        "First/ann-a.ipynb",
        "Second/ann-b.ipynb",
    ]


# ------------------------------------------------- attempts and _describe


def _candidate(origin, file_name="A1.ipynb", data=b"", mtime=(), **parsed):
    return Candidate(file_name, data, origin, Parsed("s", file_name, **parsed), mtime)


def test_describe_says_attempt_timestamp_and_lateness():
    assert collect._describe(_candidate("z:f")) == "z:f"
    assert (
        collect._describe(
            _candidate("z:f", attempt=2, timestamp="2024-05-06T07:08", late=True)
        )
        == "z:f (attempt 2, 2024-05-06T07:08, late)"
    )
    assert collect._describe(_candidate("z:f", late=True)) == "z:f (late)"
    assert collect._describe(_candidate("z:f", timestamp="t")) == "z:f (t)"


def test_newest_attempt_wins_and_says_what_it_replaced():
    entry = Found(origin="old")
    entry.candidates = [
        _candidate("z:2", data=b"two", attempt=2, keys={"k": "2"}, late=True),
        _candidate("z:1", data=b"one", attempt=1, keys={"k": "1", "j": "1"}),
        _candidate("z:0", data=b"zero", keys={"z": "0"}),
    ]
    collect._newest_attempts(entry)
    assert entry.notebooks == [("A1.ipynb", b"two")]
    assert entry.replaced == [
        "z:2 (attempt 2, late) replaced z:0",
        "z:2 (attempt 2, late) replaced z:1 (attempt 1)",
    ]
    assert entry.origin == "z:2"
    assert entry.late is True
    assert entry.keys == {"k": "2"}
    assert entry.problems == []


def test_newest_by_timestamp_then_mtime_and_the_timestamp_is_kept():
    entry = Found(origin="old")
    entry.candidates = [
        _candidate("z:b", data=b"b", timestamp="2024-02", mtime=(1,)),
        _candidate("z:a", data=b"a", timestamp="2024-03", mtime=(0,)),
        _candidate("z:c", file_name="B.ipynb", data=b"c", mtime=(5,)),
        _candidate("z:d", file_name="B.ipynb", data=b"d", mtime=(3,)),
    ]
    collect._newest_attempts(entry)
    assert entry.notebooks == [("A1.ipynb", b"a"), ("B.ipynb", b"c")]
    assert entry.keys == {"timestamp": "2024-03"}
    assert entry.origin == "z:a, z:c"
    assert entry.late is False


def test_attempts_that_tie_are_refused_and_nothing_is_kept():
    entry = Found(origin="old")
    entry.candidates = [_candidate("z:1", data=b"1"), _candidate("z:2", data=b"2")]
    collect._newest_attempts(entry)
    assert entry.notebooks == []
    assert entry.replaced == []
    assert entry.origin == "old"
    assert entry.problems == [
        "several files named A1.ipynb and nothing says which is newer: z:1, z:2; "
        "keep one and collect again"
    ]


def test_a_single_candidate_is_kept_and_its_lateness_read():
    entry = Found(origin="old")
    entry.candidates = [_candidate("z:1", data=b"1", late=True)]
    collect._newest_attempts(entry)
    assert entry.notebooks == [("A1.ipynb", b"1")]
    assert entry.late is True
    assert entry.replaced == []


# ---------------------------------------------------- from_dir, from_zip


@pytest.mark.parametrize(
    ("path", "inside"),
    [
        ("s/x.ipynb", True),
        ("x.ipynb", True),
        ("s/A1/x.ipynb", True),
        ("s/A2/x.ipynb", False),
        ("s/A1/y/x.ipynb", False),
        ("s/y/A1/x.ipynb", False),
    ],
)
def test_in_submission(path, inside):
    assert collect._in_submission(path, A) is inside


def test_first_part_and_stem():
    assert collect._first_part("a/b/c.ipynb") == "a"
    assert collect._stem("a/b/c.d.ipynb") == "c.d"


def test_from_dir_reads_both_layouts_and_keeps_students_without_a_notebook(tmp_path):
    (tmp_path / "ann" / A).mkdir(parents=True)
    (tmp_path / "ann" / A / "A1.ipynb").write_bytes(b"ann")
    (tmp_path / "ann" / "A2").mkdir()
    (tmp_path / "ann" / "A2" / "A2.ipynb").write_bytes(b"other")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "A1.ipynb").write_bytes(b"bob")
    (tmp_path / "cy").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "dee").symlink_to(tmp_path / "cy", target_is_directory=True)
    (tmp_path / "stray.ipynb").write_bytes(b"stray")
    found = collect.from_dir(tmp_path, A)
    root = str(tmp_path.resolve())
    assert sorted(found) == ["ann", "bob", "cy", "dee", "stray.ipynb"]
    assert found["ann"].notebooks == [("A1.ipynb", b"ann")]
    assert found["ann"].origin == f"{root}:ann/A1/A1.ipynb"
    assert found["bob"].notebooks == [("A1.ipynb", b"bob")]
    assert found["cy"].problems == ["no A1.ipynb in cy/"]
    assert found["cy"].origin == str((tmp_path / "cy").resolve())
    assert found["dee"].problems[0].startswith("dee/ is a symbolic link")
    assert found["stray.ipynb"].problems == [
        "cannot tell the student from the file name 'stray.ipynb' (expected "
        "<student>/<assignment>/*.ipynb or <student>/*.ipynb)"
    ]


def test_from_dir_with_a_platform_keeps_every_path(tmp_path):
    (tmp_path / "x" / "A2").mkdir(parents=True)
    (tmp_path / "x" / "A2" / "ann_1.ipynb").write_bytes(b"a")
    (tmp_path / "x" / "cy").mkdir()
    found = collect.from_dir(tmp_path, A, Pattern(r"(?P<student_id>[a-z]+)_1"))
    assert sorted(found) == ["ann"]
    assert found["ann"].notebooks == [("ann_1.ipynb", b"a")]


def test_from_dir_refuses_a_file(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        collect.from_dir(tmp_path / "f", A)


def test_from_zip_default_platform_and_labels(tmp_path):
    path = tmp_path / "class.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ann_A1.ipynb", b"ann")
        archive.writestr("nobody.ipynb", b"?")
    found = collect.from_zip(path, A)
    assert sorted(found) == ["ann", "nobody"]
    assert found["ann"].notebooks == [("ann_A1.ipynb", b"ann")]
    assert found["ann"].origin == "class.zip:ann_A1.ipynb"
    assert found["nobody"].problems == [
        "cannot tell the student from the file name 'nobody.ipynb' (expected "
        "<student>_<anything>.ipynb)"
    ]
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(FileNotFoundError, match="bad.zip is not a zip file"):
        collect.from_zip(tmp_path / "bad.zip", A)


# ------------------------------------------------- cell_ids, check_notebook


def test_cell_ids_are_the_grade_ids_of_every_master(tmp_path):
    (tmp_path / "a.ipynb").write_bytes(_notebook("c1", None, "c2"))
    (tmp_path / "b.ipynb").write_bytes(_notebook("c3"))
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.metadata["nbgrader"] = {"grade_id": ""}
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "c.ipynb")
    (tmp_path / "d.txt").write_bytes(_notebook("c4"))
    assert collect.cell_ids(tmp_path) == {"c1", "c2", "c3"}


def test_check_notebook_refuses_what_is_not_json_or_not_a_notebook():
    assert collect.check_notebook(b'{"cells": [') == (
        False,
        [
            "not a readable notebook: the file is not valid JSON (cut off, or "
            "edited outside Jupyter?); ask the student to re-submit it"
        ],
    )
    gradable, problems = collect.check_notebook(b'{"nbformat": 4, "cells": 1}')
    assert gradable is False
    (problem,) = problems
    assert problem.startswith("not a readable notebook (")
    assert problem.endswith("); ask the student to re-submit it")
    assert "\n" not in problem


def test_check_notebook_shows_the_first_line_of_the_error_cut_at_160(monkeypatch):
    def reads(text, as_version):
        raise ValueError("y" * 200 + "\nsecond line")

    monkeypatch.setattr(collect.nbformat, "reads", reads)
    assert collect.check_notebook(b"{}") == (
        False,
        [
            f"not a readable notebook (ValueError: {'y' * 160}); "
            "ask the student to re-submit it"
        ],
    )

    def silent(text, as_version):
        raise KeyError

    monkeypatch.setattr(collect.nbformat, "reads", silent)
    assert collect.check_notebook(b"{}") == (
        False,
        ["not a readable notebook (KeyError: ); ask the student to re-submit it"],
    )


def test_check_notebook_flags_missing_metadata_and_repeated_cells():
    assert collect.check_notebook(GOOD) == (True, [])
    assert collect.check_notebook(_notebook(None, None)) == (
        True,
        [
            "no nbgrader metadata in the notebook (cells copied into a new "
            "notebook?): answers cannot be matched to tests"
        ],
    )
    assert collect.check_notebook(_notebook("b", "a", "b", "a", "b", "c", None)) == (
        True,
        ["graded cell a appears 2 times", "graded cell b appears 3 times"],
    )


ASSIGNMENTS = {"A1": {"a", "b", "c", "d"}, "A2": {"w", "x", "y", "z"}, "A3": {"x"}}


def test_check_notebook_refuses_another_assignments_notebook():
    assert collect.check_notebook(_notebook("w", "x", "y"), A, ASSIGNMENTS) == (
        False,
        [
            "not A1's notebook: 3 of its 3 nbgrader cells are not A1's (it looks "
            "like A2's notebook); ask the student for their A1 notebook"
        ],
    )
    assert collect.check_notebook(_notebook("w", "x", "a"), A, ASSIGNMENTS) == (
        False,
        [
            "not A1's notebook: 2 of its 3 nbgrader cells are not A1's (it looks "
            "like A2's notebook); ask the student for their A1 notebook"
        ],
    )
    # Half of A2's cells, half of A3's: both are named.
    assert collect.check_notebook(_notebook("q", "x"), A, ASSIGNMENTS)[1] == [
        "not A1's notebook: 2 of its 2 nbgrader cells are not A1's (it looks "
        "like A2 or A3's notebook); ask the student for their A1 notebook"
    ]
    assert collect.check_notebook(_notebook("q", "r"), A, ASSIGNMENTS)[1] == [
        "not A1's notebook: 2 of its 2 nbgrader cells are not A1's (it looks "
        "like another assignment's notebook); ask the student for their A1 "
        "notebook"
    ]


def test_check_notebook_accepts_half_its_own_cells_and_unknown_assignments():
    assert collect.check_notebook(_notebook("a", "w"), A, ASSIGNMENTS) == (True, [])
    assert collect.check_notebook(_notebook("w", "x"), "A9", ASSIGNMENTS) == (True, [])
    assert collect.check_notebook(_notebook("w", "x"), A, {}) == (True, [])
    assert collect.check_notebook(_notebook("w", "x"), A) == (True, [])


# ------------------------------------------------------------ choose_notebook


def test_choose_notebook_every_case():
    assert collect.choose_notebook(A, [], False) == (
        None,
        ["no notebook submitted (expected A1.ipynb)"],
    )
    assert collect.choose_notebook(A, [("A1.ipynb", b"1")], False) == (b"1", [])
    assert collect.choose_notebook(
        A, [("x.ipynb", b"x"), ("A1.ipynb", b"1"), ("y.ipynb", b"y")], False
    ) == (b"1", ["ignored other notebooks: x.ipynb, y.ipynb"])
    assert collect.choose_notebook(A, [("x.ipynb", b"x")], True) == (b"x", [])
    assert collect.choose_notebook(A, [("x.ipynb", b"x")], False) == (
        b"x",
        ["notebook named 'x.ipynb', expected 'A1.ipynb'; collected as A1.ipynb"],
    )
    assert collect.choose_notebook(A, [("y.ipynb", b"y"), ("x.ipynb", b"x")], True) == (
        None,
        [
            "several notebooks and none named A1.ipynb: x.ipynb, y.ipynb; keep one "
            "and collect again"
        ],
    )


def test_digest_is_sha256_hex():
    assert collect.digest(b"abc") == hashlib.sha256(b"abc").hexdigest()


# ------------------------------------------------------------------ store


def _found(notebooks=(), problems=(), **fields) -> Found:
    return Found(
        origin=fields.pop("origin", "in:x"),
        notebooks=list(notebooks),
        problems=list(problems),
        **fields,
    )


def test_store_copies_a_gradable_notebook_and_records_the_student(tmp_path):
    found = {
        "ann": _found(
            [("A1.ipynb", GOOD)],
            name="Ann A.",
            late=True,
            keys={"k": "v"},
            replaced=["new replaced old"],
            origin="z:ann",
        )
    }
    book = collect.store(tmp_path, A, found, renamed_is_normal=False)
    path = tmp_path / "submitted" / "ann" / A / "A1.ipynb"
    assert path.read_bytes() == GOOD
    saved = StatusBook(tmp_path, A).students["ann"]
    assert saved == book.students["ann"]
    assert saved.origin == "z:ann"
    assert saved.name == "Ann A."
    assert saved.late is True
    assert saved.keys == {"k": "v"}
    assert saved.replaced == ["new replaced old"]
    assert saved.collected is True
    assert saved.digest == collect.digest(GOOD)
    assert saved.collect_problems == []
    assert saved.graded is None


def _graded(tmp_path: Path, student: str) -> None:
    """Mark a stored student as graded, with autograded and feedback copies."""
    book = StatusBook(tmp_path, A)
    status = book.get(student)
    status.graded, status.graded_digest = True, status.digest
    status.grade_problems = ["g"]
    status.feedback_problems = ["f"]
    book.save()
    for stage in ("autograded", "feedback"):
        (tmp_path / stage / student / A).mkdir(parents=True)
        (tmp_path / stage / student / A / "A1.ipynb").write_bytes(b"made")


def test_store_the_same_notebook_again_keeps_the_grade(tmp_path):
    found = {"ann": _found([("A1.ipynb", GOOD)])}
    collect.store(tmp_path, A, found, renamed_is_normal=False)
    _graded(tmp_path, "ann")
    collect.store(tmp_path, A, found, renamed_is_normal=False)
    status = StatusBook(tmp_path, A).students["ann"]
    assert status.graded is True
    assert status.graded_digest == collect.digest(GOOD)
    assert status.grade_problems == ["g"]
    assert status.feedback_problems == ["f"]
    assert (tmp_path / "autograded" / "ann" / A / "A1.ipynb").is_file()
    assert (tmp_path / "feedback" / "ann" / A / "A1.ipynb").is_file()


def test_store_a_changed_notebook_drops_the_grade_and_what_was_made(tmp_path):
    collect.store(
        tmp_path, A, {"ann": _found([("A1.ipynb", GOOD)])}, renamed_is_normal=False
    )
    _graded(tmp_path, "ann")
    (tmp_path / "submitted" / "ann" / A / "extra.ipynb").write_bytes(b"old")
    changed = _notebook("c1")
    collect.store(
        tmp_path, A, {"ann": _found([("A1.ipynb", changed)])}, renamed_is_normal=False
    )
    status = StatusBook(tmp_path, A).students["ann"]
    assert status.graded is None
    assert status.graded_digest == ""
    assert status.grade_problems == []
    assert status.feedback_problems == []
    assert status.digest == collect.digest(changed)
    assert status.collected is True
    assert sorted(p.name for p in (tmp_path / "submitted" / "ann" / A).iterdir()) == [
        "A1.ipynb"
    ]
    assert not (tmp_path / "autograded" / "ann" / A).exists()
    assert not (tmp_path / "feedback" / "ann" / A).exists()


def test_store_rewrites_a_deleted_copy_of_the_same_notebook(tmp_path):
    found = {"ann": _found([("A1.ipynb", GOOD)])}
    collect.store(tmp_path, A, found, renamed_is_normal=False)
    _graded(tmp_path, "ann")
    (tmp_path / "submitted" / "ann" / A / "A1.ipynb").unlink()
    collect.store(tmp_path, A, found, renamed_is_normal=False)
    assert (tmp_path / "submitted" / "ann" / A / "A1.ipynb").read_bytes() == GOOD
    assert StatusBook(tmp_path, A).students["ann"].graded is None


def test_store_a_failed_re_collect_drops_the_older_grade(tmp_path):
    collect.store(
        tmp_path, A, {"ann": _found([("A1.ipynb", GOOD)])}, renamed_is_normal=False
    )
    _graded(tmp_path, "ann")
    collect.store(
        tmp_path, A, {"ann": _found([("A1.ipynb", b"{oops")])}, renamed_is_normal=False
    )
    status = StatusBook(tmp_path, A).students["ann"]
    assert status.collected is False
    assert status.graded is None
    assert status.graded_digest == ""
    assert status.digest == ""
    assert status.grade_problems == []
    assert status.feedback_problems == []
    assert status.collect_problems[0].startswith("not a readable notebook")
    assert not (tmp_path / "submitted" / "ann" / A).exists()
    assert not (tmp_path / "autograded" / "ann" / A).exists()


def test_store_a_student_with_only_problems_is_recorded_not_collected(tmp_path):
    collect.store(
        tmp_path, A, {"ann": _found([("A1.ipynb", GOOD)])}, renamed_is_normal=False
    )
    _graded(tmp_path, "ann")
    found = {
        "ann": _found(problems=["it is a link"]),
        "bob": _found(),
        "cy": _found([("x.ipynb", _notebook(None))], problems=["p"]),
    }
    book = collect.store(tmp_path, A, found, renamed_is_normal=False)
    ann = book.students["ann"]
    assert ann.collect_problems == ["it is a link"]
    assert (ann.collected, ann.graded, ann.digest, ann.graded_digest) == (
        False,
        None,
        "",
        "",
    )
    assert (ann.grade_problems, ann.feedback_problems) == ([], [])
    assert book.students["bob"].collect_problems == [
        "no notebook submitted (expected A1.ipynb)"
    ]
    assert book.students["cy"].collect_problems == [
        "p",
        "notebook named 'x.ipynb', expected 'A1.ipynb'; collected as A1.ipynb",
        "no nbgrader metadata in the notebook (cells copied into a new notebook?): "
        "answers cannot be matched to tests",
    ]
    assert book.students["cy"].collected is True
    assert (tmp_path / "submitted" / "cy" / A / "A1.ipynb").is_file()


def test_store_refuses_an_unusable_student_id(tmp_path):
    found = {"a b": _found([("A1.ipynb", GOOD)]), "_x": _found([("A1.ipynb", GOOD)])}
    book = collect.store(tmp_path, A, found, renamed_is_normal=True)
    for student in found:
        status = book.students[student]
        assert status.collected is False
        assert status.collect_problems == [
            f"{student!r} is not usable as a student id (letters, digits and "
            ". @ - _ only); rename the folder or file"
        ]
    assert not (tmp_path / "submitted").exists()


def test_store_renamed_is_normal_and_another_assignment_refused(tmp_path):
    found = {
        "ann": _found([("mine.ipynb", _notebook("a"))]),
        "bob": _found([("mine.ipynb", _notebook("w", "x"))]),
    }
    book = collect.store(
        tmp_path, A, found, renamed_is_normal=True, assignments=ASSIGNMENTS
    )
    assert book.students["ann"].collect_problems == []
    assert book.students["ann"].collected is True
    assert book.students["bob"].collected is False
    assert book.students["bob"].collect_problems[0].startswith("not A1's notebook")


# ------------------------------------------------------------ summary_lines


def test_summary_lines(tmp_path):
    book = StatusBook(tmp_path, A)
    ann = book.get("ann")
    ann.collected, ann.name, ann.late = True, "Ann\x1b[2J", True
    ann.replaced = ["z:2 replaced z:1", "z:3 replaced z:2"]
    bob = book.get("bob")
    bob.collect_problems = ["p1", "p2"]
    bob.grade_problems = ["g"]
    book.get("dee").collected = True
    assert collect.summary_lines(book, ["dee", "bob", "ann"]) == [
        "ann (Ann\\x1b[2J): collected (late)",
        "  ann: z:2 replaced z:1",
        "  ann: z:3 replaced z:2",
        "bob: NOT collected: p1; p2",
        "dee: collected",
    ]


def test_gather_a_student_with_only_refused_files_keeps_the_origin(monkeypatch):
    monkeypatch.setattr(collect, "MAX_NOTEBOOK_BYTES", 5)
    entries = [
        _entry("ann-a.ipynb", refused="a link"),
        # The zip said 1 byte; reading gave more than the limit.
        _entry("bob-a.ipynb", b"123456", size=1),
        _entry("bob-b.ipynb", b"12"),
    ]
    found = collect._gather(entries, _ByStem(), "L", str)
    assert found["ann"].origin == "L:ann-a.ipynb"
    assert found["ann"].notebooks == []
    assert found["bob"].problems == ["a.ipynb is larger than 50 MB; skipped"]
    assert found["bob"].notebooks == [("b.ipynb", b"12")]


def test_a_tie_on_one_file_keeps_the_other_files():
    entry = Found(origin="old")
    entry.candidates = [
        _candidate("z:1", data=b"1"),
        _candidate("z:2", data=b"2"),
        _candidate("z:3", file_name="B.ipynb", data=b"3"),
    ]
    collect._newest_attempts(entry)
    assert entry.notebooks == [("B.ipynb", b"3")]
    assert entry.origin == "z:3"
    assert len(entry.problems) == 1


def test_from_zip_names_the_zip_in_a_refusal(tmp_path):
    path = tmp_path / "class.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../ann_A1.ipynb", b"ann")
    found = collect.from_zip(path, A)
    assert found["ann"].problems == [
        "class.zip:../ann_A1.ipynb has an unsafe path (absolute or with '..'); refused"
    ]
    assert found["ann"].origin == "class.zip:../ann_A1.ipynb"
