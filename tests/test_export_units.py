"""Unit tests of autograder/export.py: each function on small known inputs.

The course is a stand-in (``FakeCourse``: a folder, the graded cells' ids,
and a gradebook of plain objects shaped as nbgrader's), so no nbgrader
release or database runs and every expected cell follows from the table in
the test. These are the tests ``make mutation`` runs against export.py.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from grader_unit_fakes import A, FakeCourse, set_status, submission

from autograder import export
from autograder.export import ATTENTION, OK, LatePolicy
from autograder.platforms import Filled, Platform


def _answer_notebook(*answers: tuple[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for grade_id, source in answers:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True}
        nb.cells.append(cell)
    return nb


def _write(root: Path, stage: str, student: str | None, nb, name="A1.ipynb") -> None:
    folder = root / stage / (student or "") / A if student else root / stage / A
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


# ------------------------------------------------------------ LatePolicy


def test_late_policy_describes_itself():
    assert LatePolicy().describe() == "no late penalty"
    assert LatePolicy("zero").describe() == "late submissions score 0"
    assert (
        LatePolicy("per-day", 1.5, "2024-05-01T12:00").describe()
        == "1.5 points per day late (due 2024-05-01T12:00)"
    )


def test_late_policy_is_recorded_and_read_back(tmp_path):
    course = FakeCourse(tmp_path / "course")
    assert LatePolicy.recorded(course, A) == LatePolicy()
    policy = LatePolicy("per-day", 2.0, "2024-05-01")
    assert policy.path(course, A) == tmp_path / "course/status/A1.late-policy.json"
    policy.record(course, A)
    text = (tmp_path / "course/status/A1.late-policy.json").read_text()
    assert text.endswith("}\n")
    assert json.loads(text) == {"kind": "per-day", "per_day": 2.0, "due": "2024-05-01"}
    assert LatePolicy.recorded(course, A) == policy
    assert LatePolicy.recorded(course, "A2") == LatePolicy()


def test_number():
    assert export._number(None) == ""
    assert export._number(2.0) == "2"
    assert export._number(0.5) == "0.5"
    assert export._number(0) == "0"


# ----------------------------------------------- answers and their flags


def test_answers_are_the_solution_cells_by_grade_id(tmp_path):
    nb = _answer_notebook(("a", "x = 1"), ("b", "y = 2"))
    plain = nbformat.v4.new_code_cell("z")
    graded = nbformat.v4.new_code_cell("assert x")
    graded.metadata["nbgrader"] = {"grade_id": "t", "grade": True, "solution": False}
    nameless = nbformat.v4.new_code_cell("w")
    nameless.metadata["nbgrader"] = {"solution": True}
    nb.cells += [plain, graded, nameless]
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert export._answers(tmp_path / "n.ipynb") == {"a": "x = 1", "b": "y = 2"}
    (tmp_path / "bad.ipynb").write_text("{")
    assert export._answers(tmp_path / "bad.ipynb") == {}
    assert export._answers(tmp_path / "missing.ipynb") == {}


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("import lstm_ref", True),
        ("from lstm_ref.lstm import lstm_forward", True),
        ("x = my_lstm_ref_copy(1)", True),
        ("m = __import__('lstm_ref')", True),
        ("# lstm_ref would be easier", False),
        ("x = 1", False),
        ('"""lstm_ref', True),  # cannot be tokenized: a plain search
        ("x = (", False),
        ("if x:\n    a\n  b\n", False),  # IndentationError
        ("if x:\n    lstm_ref\n  b\n", True),
    ],
)
def test_names_reference(source, names):
    assert export._names_reference(source) is names


def test_submission_flags_blank_and_uses_lstm_ref(tmp_path):
    course = FakeCourse(tmp_path)
    starter = _answer_notebook(
        ("a", "# your code"), ("b", "pass"), ("c", "import lstm_ref")
    )
    _write(tmp_path, "release", None, starter)
    _write(tmp_path, "submitted", "blank", starter)
    _write(tmp_path, "submitted", "ok", _answer_notebook(("a", "x = 1"), ("b", "y")))
    _write(
        tmp_path,
        "submitted",
        "ref",
        _answer_notebook(
            ("b", "import lstm_ref"), ("a", "lstm_ref.f()"), ("c", "import lstm_ref")
        ),
    )
    assert export.submission_flags(course, A, "blank") == [
        "blank: no answer cell was changed from the released notebook (the "
        "student may have submitted the wrong file)"
    ]
    assert export.submission_flags(course, A, "ok") == []
    assert export.submission_flags(course, A, "ref") == [
        "uses lstm_ref: the answer cells a, b name the reference package; check "
        "that they compute the result themselves"
    ]
    assert export.submission_flags(course, A, "nobody") == []


def test_submission_flags_without_a_release_or_answers(tmp_path):
    course = FakeCourse(tmp_path)
    _write(tmp_path, "submitted", "ann", _answer_notebook(("a", "import lstm_ref")))
    _write(tmp_path, "submitted", "bob", nbformat.v4.new_notebook())
    assert export.submission_flags(course, A, "ann") == [
        "uses lstm_ref: the answer cells a name the reference package; check "
        "that they compute the result themselves"
    ]
    _write(tmp_path, "release", None, _answer_notebook(("a", "")))
    assert export.submission_flags(course, A, "bob") == []


def test_submission_flags_every_notebook_of_a_student(tmp_path):
    course = FakeCourse(tmp_path)
    starter = _answer_notebook(("a", "pass"))
    _write(tmp_path, "release", None, starter)
    _write(tmp_path, "release", None, starter, "B.ipynb")
    _write(tmp_path, "submitted", "ann", _answer_notebook(("a", "import lstm_ref")))
    _write(tmp_path, "submitted", "ann", starter, "B.ipynb")
    assert [f.split(":")[0] for f in export.submission_flags(course, A, "ann")] == [
        "uses lstm_ref",
        "blank",
    ]


# -------------------------------------------------------------- lateness


def _late(timestamp="", late=True):
    return SimpleNamespace(
        keys={"timestamp": timestamp} if timestamp else {}, late=late
    )


DUE = "2024-05-01T12:00:00"


@pytest.mark.parametrize(
    ("timestamp", "due", "days"),
    [
        ("", DUE, None),
        ("2024-05-02T12:00:00", "", None),
        ("yesterday", DUE, None),
        ("2024-05-02T12:00:00", "soon", None),
        ("2024-05-02T12:00:00+00:00", DUE, None),  # aware minus naive: TypeError
        ("2024-05-01T11:00:00", DUE, 0),
        ("2024-05-01T12:00:00", DUE, 0),
        ("2024-05-01T12:00:01", DUE, 1),
        ("2024-05-02T12:00:00", DUE, 1),
        ("2024-05-02T12:00:01", DUE, 2),
        ("2024-05-04T11:00:00", DUE, 3),
    ],
)
def test_days_late(timestamp, due, days):
    assert export._days_late(_late(timestamp), LatePolicy("per-day", 1.0, due)) == days


def _row(score="10"):
    return {"score": score, "late": "", "days_late": "", "penalty": ""} | {
        "score_before_penalty": ""
    }


def test_late_policy_none_marks_late_only():
    row, problems = _row(), []
    export._apply_late_policy(row, _late("2024-05-09T00:00:00"), LatePolicy(), problems)
    assert row == _row() | {"late": "yes"}
    assert problems == []
    row = _row()
    export._apply_late_policy(row, _late(late=False), LatePolicy("zero"), problems)
    assert row == _row()
    row = _row()
    export._apply_late_policy(row, None, LatePolicy("zero"), problems)
    assert row == _row()
    row = _row("")
    export._apply_late_policy(row, _late(), LatePolicy("zero"), problems)
    assert row == _row("") | {"late": "yes"}
    assert problems == []


def test_late_policy_zero_takes_every_point():
    row, problems = _row("7.5"), []
    export._apply_late_policy(row, _late(), LatePolicy("zero"), problems)
    assert row == {
        "score": "0",
        "late": "yes",
        "days_late": "",
        "penalty": "7.5",
        "score_before_penalty": "7.5",
    }
    assert problems == []


def test_late_policy_per_day():
    policy = LatePolicy("per-day", 1.5, DUE)
    row, problems = _row(), []
    export._apply_late_policy(row, _late("2024-05-03T00:00:00"), policy, problems)
    assert row == {
        "score": "7",
        "late": "yes",
        "days_late": "2",
        "penalty": "3",
        "score_before_penalty": "10",
    }
    row = _row("2")
    export._apply_late_policy(row, _late("2024-05-03T00:00:00"), policy, problems)
    assert (row["score"], row["penalty"], row["days_late"]) == ("0", "2", "2")
    row = _row()
    export._apply_late_policy(row, _late("2024-05-01T00:00:00"), policy, problems)
    assert (row["score"], row["penalty"], row["days_late"]) == ("10", "0", "0")
    assert problems == []


def test_late_policy_per_day_without_a_time_says_so():
    row, problems = _row(), []
    export._apply_late_policy(row, _late(), LatePolicy("per-day", 1.0, DUE), problems)
    assert row == _row() | {"late": "yes"}
    assert problems == [
        "late by an unknown number of days: no penalty applied (the file names "
        "carry no time; collect with a --pattern that has a timestamp group, and "
        "give --due)"
    ]


# -------------------------------------------------------------- grade_rows


def _class(tmp_path: Path, **kwargs) -> FakeCourse:
    """ann graded 3/5, bob failed to grade, cy not collected, dee not graded
    yet, eve late and graded, fay only in the gradebook, gus collected but
    neither graded nor in the book."""
    course = FakeCourse(
        tmp_path,
        [
            submission("ann", 3.0, 5.0, {"test_a": 1.0, "test_b": 2.0, "other": 9}),
            submission("bob", 1.0, 5.0, {"test_a": 1.0}),
            submission("cy", 4.0, 5.0, {"test_a": 2.0}),
            submission("dee", 4.0, 5.0, {"test_a": 2.0}),
            submission("eve", 5.0, 5.0, {"test_a": 2.5, "test_b": 2.5}),
            submission("fay", 0.5, 5.0, {"test_b": 0.5}),
        ],
        **kwargs,
    )
    set_status(
        tmp_path,
        ann={"collected": True, "graded": True, "name": "Ann A."},
        bob={"collected": True, "graded": False, "grade_problems": ["crashed"]},
        cy={"collected": False, "collect_problems": ["not JSON"]},
        dee={"collected": True, "graded": None},
        eve={
            "collected": True,
            "graded": True,
            "late": True,
            "keys": {"timestamp": "2024-05-02T13:00:00"},
        },
        gus={"collected": True, "graded": True},
    )
    return course


def test_grade_rows_every_cell(tmp_path):
    course = _class(tmp_path)
    rows = export.grade_rows(course, A, LatePolicy("per-day", 1.0, DUE))
    assert [r["student_id"] for r in rows] == [
        "ann",
        "bob",
        "cy",
        "dee",
        "eve",
        "fay",
        "gus",
    ]
    blank = dict.fromkeys(export.EXTRA_COLUMNS, "")
    by_id = {r["student_id"]: r for r in rows}
    assert by_id["ann"] == blank | {
        "student_id": "ann",
        "score": "3",
        "max_score": "5",
        "test_a": "1",
        "test_b": "2",
        "name": "Ann A.",
        "status": OK,
        "reason": "",
    }
    assert by_id["bob"] == blank | {
        "student_id": "bob",
        "score": "",
        "max_score": "",
        "status": ATTENTION,
        "reason": "crashed",
    }
    assert by_id["cy"] == blank | {
        "student_id": "cy",
        "score": "",
        "max_score": "",
        "status": ATTENTION,
        "reason": "not JSON",
    }
    assert by_id["dee"] == blank | {
        "student_id": "dee",
        "score": "",
        "max_score": "",
        "status": ATTENTION,
        "reason": "collected but not autograded yet",
    }
    assert by_id["eve"] == blank | {
        "student_id": "eve",
        "score": "3",
        "max_score": "5",
        "test_a": "2.5",
        "test_b": "2.5",
        "late": "yes",
        "days_late": "2",
        "penalty": "2",
        "score_before_penalty": "5",
        "flags": "late",
        "status": OK,
        "reason": "",
    }
    assert by_id["fay"] == blank | {
        "student_id": "fay",
        "score": "0.5",
        "max_score": "5",
        "test_a": "",
        "test_b": "0.5",
        "status": OK,
        "reason": "",
    }
    assert by_id["gus"] == blank | {
        "student_id": "gus",
        "score": "",
        "max_score": "",
        "status": ATTENTION,
        "reason": "no grade",
    }


def test_grade_rows_flags_say_why_and_short_names_go_in_flags(tmp_path):
    course = _class(tmp_path)
    starter = _answer_notebook(("a", "pass"))
    _write(tmp_path, "release", None, starter)
    _write(tmp_path, "submitted", "ann", starter)
    _write(tmp_path, "submitted", "cy", starter)  # not collected: no flags
    _write(tmp_path, "submitted", "fay", _answer_notebook(("a", "import lstm_ref")))
    _write(tmp_path, "submitted", "eve", starter)
    by_id = {r["student_id"]: r for r in export.grade_rows(course, A)}
    assert by_id["ann"]["flags"] == "blank"
    assert by_id["ann"]["status"] == ATTENTION
    assert by_id["ann"]["reason"].startswith("blank: no answer cell was changed")
    assert by_id["cy"]["flags"] == ""
    assert by_id["cy"]["reason"] == "not JSON"
    assert by_id["fay"]["flags"] == "uses lstm_ref"
    assert by_id["eve"]["flags"] == "blank, late"
    assert by_id["eve"]["score"] == "5"  # no policy: no penalty
    assert by_id["eve"]["penalty"] == ""


def test_grade_rows_reasons_are_joined_in_order(tmp_path):
    course = FakeCourse(tmp_path)
    set_status(
        tmp_path,
        ann={
            "collected": True,
            "graded": None,
            "collect_problems": ["c"],
            "grade_problems": ["g"],
        },
    )
    (row,) = export.grade_rows(course, A)
    assert row["reason"] == "c; g; collected but not autograded yet"


def test_grade_rows_without_a_gradebook_or_a_release(tmp_path):
    course = _class(tmp_path, gradebook=False)
    by_id = {r["student_id"]: r for r in export.grade_rows(course, A)}
    assert sorted(by_id) == ["ann", "bob", "cy", "dee", "eve", "gus"]
    assert by_id["ann"]["score"] == ""
    assert by_id["ann"]["reason"] == "no grade"
    course = _class(tmp_path, released=False)
    by_id = {r["student_id"]: r for r in export.grade_rows(course, A)}
    assert by_id["ann"]["score"] == "3"
    assert "test_a" not in by_id["ann"]
    # An assignment the gradebook does not know: no grades, no error.
    assert export.grade_rows(course, "A2") == []


# ------------------------------------------------------------------ CSV out


def test_safe_neutralises_only_text_columns():
    row = {
        "student_id": "=a",
        "status": "+b",
        "reason": "-c",
        "name": "@d",
        "flags": "=e",
        "score": "-1",
        "test_a": "=2",
    }
    assert export._safe(row) == {
        "student_id": "'=a",
        "status": "'+b",
        "reason": "'-c",
        "name": "'@d",
        "flags": "'=e",
        "score": "-1",
        "test_a": "=2",
    }


def test_write_csv_header_cells_and_recorded_policy(tmp_path):
    course = _class(tmp_path)
    out = tmp_path / "out" / "deep" / "grades.csv"
    rows = export.write_csv(course, A, out)
    assert rows == export.grade_rows(course, A)
    text = out.read_text("utf-8")
    header = text.splitlines()[0]
    assert header == (
        "student_id,status,reason,score,max_score,test_a,test_b,name,late,"
        "days_late,penalty,score_before_penalty,flags"
    )
    read = list(csv.DictReader(io.StringIO(text)))
    assert [r["student_id"] for r in read] == [r["student_id"] for r in rows]
    assert read[0]["score"] == "3"
    assert read[0]["name"] == "Ann A."
    assert "other" not in read[0]
    assert not LatePolicy().path(course, A).exists()
    export.write_csv(course, A, out, LatePolicy())
    assert not LatePolicy().path(course, A).exists()
    export.write_csv(course, A, out, LatePolicy("zero"))
    assert LatePolicy.recorded(course, A) == LatePolicy("zero")


def test_write_csv_neutralises_a_formula_name(tmp_path):
    course = FakeCourse(tmp_path, released=False)
    set_status(tmp_path, ann={"collected": False, "name": "=HYPERLINK(1)"})
    export.write_csv(course, A, tmp_path / "g.csv")
    (row,) = csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text()))
    assert row["name"] == "'=HYPERLINK(1)"
    assert list(row) == ["student_id", "status", "reason", "score", "max_score"] + list(
        export.EXTRA_COLUMNS
    )


def test_one_line_comment():
    row = {"score": "3", "max_score": "5", "test_a": "0", "test_b": "0", "c": "0"}
    assert export.one_line_comment(row, ["test_a", "test_b"]) == (
        "Autograded: 3/5; tests failed: test_a, test_b; the feedback page has the "
        "details."
    )
    row = {"score": "5", "max_score": "5", "test_a": "2", "penalty": ""}
    assert export.one_line_comment(row, ["test_a", "test_b"]) == (
        "Autograded: 5/5; the feedback page has the details."
    )
    row = {"score": "4", "max_score": "5", "test_a": "0.5", "penalty": "1"}
    assert export.one_line_comment(row, ["test_a"]) == (
        "Autograded: 4/5 after a late penalty of 1; the feedback page has the details."
    )


# ------------------------------------------------------ platform gradebook


class FakePlatform(Platform):
    name = "fakeplat"

    def __init__(self):
        self.calls = []

    def fill_gradebook(self, rows, text, assignment, column=None, comments=None):
        self.calls.append((rows, text, assignment, column, comments))
        return Filled(
            text=text.upper(),
            column="Col",
            filled=["ann"],
            no_grade=["bob", "zed", "cy"],
            unknown=["eve"],
            notes=["a note"],
        )

    def feedback_name(self, student, keys, assignment):
        if "upload" not in keys:
            return None
        return f"{student}-{keys['upload']}_{assignment}.html"


def test_write_platform_gradebook_passes_grades_and_sorts_what_is_missing(tmp_path):
    course = _class(tmp_path)
    source = tmp_path / "gb.csv"
    source.write_text("id,grade\r\nann,\r\n", encoding="utf-8", newline="")
    out = tmp_path / "new" / "deep" / "gb.csv"
    platform = FakePlatform()
    done = export.write_platform_gradebook(course, A, platform, source, out)
    assert out.read_bytes() == b"ID,GRADE\r\nANN,\r\n"
    ((rows, text, assignment, column, comments),) = platform.calls
    assert text == "id,grade\r\nann,\r\n"
    assert (assignment, column, comments) == (A, None, None)
    assert rows == [r | {"grade": r["score"]} for r in export.grade_rows(course, A)]
    by_id = {r["student_id"]: r for r in rows}
    assert by_id["ann"]["grade"] == "3"
    assert by_id["ann"]["max_score"] == "5"
    assert by_id["bob"]["grade"] == ""
    assert done.column == "Col"
    assert done.filled == ["ann"]
    assert done.not_graded == ["bob", "cy"]
    assert done.no_submission == ["zed"]
    assert done.unknown == ["eve"]
    assert done.notes == ["a note"]
    assert not LatePolicy().path(course, A).exists()


def test_write_platform_gradebook_comments_column_and_policy(tmp_path):
    course = _class(tmp_path)
    source = tmp_path / "gb.csv"
    source.write_text("x\n")
    platform = FakePlatform()
    policy = LatePolicy("per-day", 1.0, DUE)
    export.write_platform_gradebook(
        course,
        A,
        platform,
        source,
        tmp_path / "o.csv",
        column="A1 (123)",
        comment=True,
        policy=policy,
    )
    ((rows, _, _, column, comments),) = platform.calls
    assert column == "A1 (123)"
    assert {r["student_id"]: r["grade"] for r in rows}["eve"] == "3"
    assert comments == {
        "ann": "Autograded: 3/5; the feedback page has the details.",
        "eve": "Autograded: 3/5 after a late penalty of 2; the feedback page has "
        "the details.",
        "fay": "Autograded: 0.5/5; the feedback page has the details.",
    }
    assert LatePolicy.recorded(course, A) == policy
    export.write_platform_gradebook(
        course, A, platform, source, tmp_path / "o.csv", policy=LatePolicy()
    )
    assert platform.calls[-1][4] is None


# ---------------------------------------------------------- feedback bundle


def test_write_feedback_bundle_names_pages_for_the_upload(tmp_path):
    course = FakeCourse(tmp_path)
    set_status(
        tmp_path,
        ann={"collected": True, "keys": {"upload": "u1"}},
        bob={"collected": True, "keys": {"upload": "u2"}},
        cy={"collected": False, "keys": {"upload": "u3"}},
        dee={"collected": True},
        eve={"collected": True, "keys": {"upload": "u5"}},
    )
    for student, pages in {
        "ann": ["A1.html"],
        "bob": ["A1.html", "B.html"],
        "cy": ["A1.html"],
        "dee": ["A1.html"],
        "eve": [],
        "fay": ["A1.html"],
    }.items():
        folder = tmp_path / "feedback" / student / A
        folder.mkdir(parents=True)
        for page in pages:
            (folder / page).write_text(f"{student} {page}")
        (folder / "notes.txt").write_text("not a page")
    (tmp_path / "feedback" / "ann" / "A2").mkdir()
    (tmp_path / "feedback" / "ann" / "A2" / "A2.html").write_text("other")
    bundle = tmp_path / "out" / "deep" / "bundle.zip"
    included, skipped = export.write_feedback_bundle(course, A, FakePlatform(), bundle)
    assert included == ["ann", "bob"]
    assert skipped == {
        "cy": "its submission is no longer collected",
        "dee": "not collected from a fakeplat download, so there is no fakeplat "
        "file name to attach it to",
        "fay": "its submission is no longer collected",
    }
    with zipfile.ZipFile(bundle) as archive:
        assert archive.namelist() == [
            "ann-u1_A1.html",
            "bob-u2_A1.html",
            "bob-u2_A1-B.html",
        ]
        assert archive.read("bob-u2_A1-B.html") == b"bob B.html"
        assert archive.read("ann-u1_A1.html") == b"ann A1.html"
        info = archive.getinfo("ann-u1_A1.html")
        assert info.compress_type == zipfile.ZIP_DEFLATED
    # Again, into the folder that now exists: the same bundle.
    assert export.write_feedback_bundle(course, A, FakePlatform(), bundle) == (
        included,
        skipped,
    )


def test_a_crlf_canvas_gradebook_keeps_its_line_endings(tmp_path):
    # Regression: the file was read with universal newlines, so the platform
    # never saw its CRLF and wrote LF back.
    from autograder.platforms import Canvas

    course = _class(tmp_path)
    source = tmp_path / "canvas.csv"
    source.write_bytes(
        b"Student,ID,SIS User ID,SIS Login ID,Section,A1 (7)\r\n"
        b"    Points Possible,,,,,5.00\r\n"
        b"Ann,ann,S1,ann,LSTM,\r\n"
    )
    out = tmp_path / "filled.csv"
    export.write_platform_gradebook(course, A, Canvas(), source, out)
    assert out.read_bytes() == (
        b"Student,ID,SIS User ID,SIS Login ID,Section,A1 (7)\r\n"
        b"    Points Possible,,,,,5.00\r\n"
        b"Ann,ann,S1,ann,LSTM,3\r\n"
    )


def test_write_platform_gradebook_comment_names_failed_tests_and_no_policy(tmp_path):
    course = FakeCourse(
        tmp_path, [submission("ann", 2.0, 5.0, {"test_a": 2, "test_b": 0})]
    )
    set_status(tmp_path, ann={"collected": True, "graded": True})
    source = tmp_path / "gb.csv"
    source.write_text("x\n")
    platform = FakePlatform()
    export.write_platform_gradebook(
        course,
        A,
        platform,
        source,
        tmp_path / "o.csv",
        comment=True,
        policy=LatePolicy(),
    )
    assert platform.calls[0][4] == {
        "ann": "Autograded: 2/5; tests failed: test_b; the feedback page has the "
        "details."
    }
    assert not LatePolicy().path(course, A).exists()
    # Not released: no test columns, so no test is named.
    course.released = False
    export.write_platform_gradebook(
        course, A, platform, source, tmp_path / "o.csv", comment=True
    )
    assert platform.calls[1][4] == {
        "ann": "Autograded: 2/5; the feedback page has the details."
    }


def test_grade_rows_per_day_without_a_time_needs_attention(tmp_path):
    course = FakeCourse(tmp_path, [submission("ann", 4.0, 5.0, {"test_a": 2})])
    set_status(tmp_path, ann={"collected": True, "graded": True, "late": True})
    (row,) = export.grade_rows(course, A, LatePolicy("per-day", 1.0, DUE))
    assert row["status"] == ATTENTION
    assert row["reason"].startswith("late by an unknown number of days")
    assert row["score"] == "4"


def test_write_csv_applies_the_policy_and_leaves_ungraded_cells_empty(tmp_path):
    course = _class(tmp_path)
    out = tmp_path / "g.csv"
    export.write_csv(course, A, out, LatePolicy("per-day", 1.0, DUE))
    by_id = {r["student_id"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert (by_id["eve"]["score"], by_id["eve"]["penalty"]) == ("3", "2")
    assert (by_id["bob"]["test_a"], by_id["bob"]["test_b"]) == ("", "")
    assert by_id["fay"]["test_a"] == ""
