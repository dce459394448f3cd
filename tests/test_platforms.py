"""Canvas and Moodle in, their own gradebook and feedback uploads out.

The zips are built here in the platforms' own naming (see
``fixtures/platforms/README.md``) from the notebooks of the tiny fault-test
assignment F1; grading is simulated through nbgrader's Gradebook API (as
nbgrader's own tests do), so these tests never start the sandbox.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading_fakes import fake_grades

from autograder import collect
from autograder.course import Course
from autograder.export import (
    LatePolicy,
    grade_rows,
    write_csv,
    write_feedback_bundle,
    write_platform_gradebook,
)
from autograder.platforms import Canvas, Moodle, Pattern, csv_text, terminal_text

REPO = Path(__file__).resolve().parents[1]
FAULTS = REPO / "tests" / "fixtures" / "faults"
PLATFORMS = REPO / "tests" / "fixtures" / "platforms"
MASTER = FAULTS / "master"
PERFECT = (FAULTS / "submissions/perfect/F1/F1.ipynb").read_bytes()
WARNS = (FAULTS / "submissions/warns/F1/F1.ipynb").read_bytes()
A2_RELEASED = (REPO / "book/assignments/A2.ipynb").read_bytes()


def _cli(*args: object, course: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            *map(str, args),
            "--course-dir",
            course,
            "--solutions-dir",
            MASTER,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def _zip(path: Path, members: dict[str, bytes], links: dict[str, str] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in dict(links).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A course with F1 released (nbgrader's release takes seconds): copied."""
    root = tmp_path_factory.mktemp("released") / "course"
    Course(root, solutions_dir=MASTER).release("F1")
    return root


_RELEASED: list[Path] = []


@pytest.fixture(autouse=True)
def _released_course(released):
    _RELEASED[:] = [released]


def _course(root: Path) -> Course:
    shutil.copytree(_RELEASED[0], root)
    return Course(root, solutions_dir=MASTER)


def _known() -> dict[str, set[str]]:
    return {"F1": collect.cell_ids(MASTER / "F1")}


CANVAS_CLASS = {
    # Two students named John Smith: only the user id tells them apart.
    "smithjohn_12345_678901_F1.ipynb": PERFECT,
    # The same student again, late, a second upload of F1.ipynb (-1).
    "smithjohn_LATE_12345_678950_F1-1.ipynb": WARNS,
    "smithjohn_22222_678902_F1.ipynb": PERFECT,
    "müllerjürgen_33333_678903_F1.ipynb": PERFECT,
    "nguyễnthị_44444_678904_F1.ipynb": PERFECT,
    # Not in the gradebook file (enrolled after the export).
    "latecomerlee_88888_678908_F1.ipynb": PERFECT,
}


@pytest.fixture
def canvas_class(tmp_path) -> tuple[Course, dict]:
    archive = _zip(
        tmp_path / "submissions.zip",
        CANVAS_CLASS,
        links={"linkerl_55555_678905_F1.ipynb": "../../solutions/F1/F1.ipynb"},
    )
    course = _course(tmp_path / "course")
    found = collect.from_zip(archive, "F1", Canvas())
    book = collect.store(
        course.root, "F1", found, renamed_is_normal=True, assignments=_known()
    )
    return course, {"found": found, "book": book, "zip": archive}


def test_canvas_students_are_their_user_ids_and_same_names_never_merge(canvas_class):
    course, out = canvas_class
    book = out["book"]
    assert sorted(book.students) == [
        "12345",
        "22222",
        "33333",
        "44444",
        "55555",
        "88888",
    ]
    assert book.students["12345"].name == book.students["22222"].name == "smithjohn"
    assert book.students["12345"].collected
    assert book.students["22222"].collected
    assert book.students["33333"].name == "müllerjürgen"
    assert book.students["44444"].name == "nguyễnthị"
    assert (course.root / "submitted/33333/F1/F1.ipynb").read_bytes() == PERFECT
    assert book.students["12345"].keys == {
        "lastfirst": "smithjohn",
        "submission_id": "678950",
    }


def test_canvas_newest_attempt_wins_is_late_and_collect_says_what_it_replaced(
    canvas_class,
):
    course, out = canvas_class
    status = out["book"].students["12345"]
    assert (course.root / "submitted/12345/F1/F1.ipynb").read_bytes() == WARNS
    assert status.late is True
    assert out["book"].students["22222"].late is False
    (replaced,) = status.replaced
    assert replaced.startswith("submissions.zip:smithjohn_LATE_12345_678950_F1-1")
    assert "(attempt 1, late) replaced submissions.zip:smithjohn_12345_678901" in (
        replaced
    )
    lines = collect.summary_lines(out["book"], out["found"])
    assert "12345 (smithjohn): collected (late)" in lines
    assert any("replaced" in line for line in lines)


def test_a_symlink_in_a_zip_is_refused_with_the_reason(canvas_class):
    course, out = canvas_class
    status = out["book"].students["55555"]
    assert not status.collected
    assert "is a symbolic link" in status.collect_problems[0]
    assert not (course.root / "submitted/55555").exists()


def test_unsafe_zip_members_are_refused(tmp_path):
    archive = _zip(
        tmp_path / "bad.zip",
        {
            "../escape_1_2_F1.ipynb": PERFECT,
            "/abs_3_4_F1.ipynb": PERFECT,
            "ok_5_6_F1.ipynb": PERFECT,
        },
    )
    found = collect.from_zip(archive, "F1", Canvas())
    assert found["5"].problems == []
    assert found["5"].notebooks
    for student in ("1", "3"):
        assert found[student].notebooks == []
        assert "unsafe path" in found[student].problems[0]


def test_moodle_folders_old_and_new_and_the_flat_variant(tmp_path):
    archive = _zip(
        tmp_path / "moodle.zip",
        {
            "John Smith_101_assignsubmission_file_/F1.ipynb": PERFECT,
            "John Smith_102_assignsubmission_file_/F1.ipynb": WARNS,
            "Zoë Ñandú_103_assignsubmission_file/F1.ipynb": PERFECT,
            "Anna Lee_104_assignsubmission_file_F1.ipynb": PERFECT,
            "Anna Lee_104_assignsubmission_onlinetext_/onlinetext.html": b"<p>",
        },
    )
    course = _course(tmp_path / "course")
    found = collect.from_zip(archive, "F1", Moodle())
    book = collect.store(
        course.root, "F1", found, renamed_is_normal=True, assignments=_known()
    )
    assert sorted(book.students) == ["101", "102", "103", "104"]
    assert all(s.collected for s in book.students.values())
    assert book.students["101"].name == book.students["102"].name == "John Smith"
    assert book.students["103"].name == "Zoë Ñandú"
    assert (course.root / "submitted/102/F1/F1.ipynb").read_bytes() == WARNS
    assert book.students["103"].keys["folder"] == "Zoë Ñandú_103_assignsubmission_file"
    assert book.students["104"].keys["folder"] == (
        "Anna Lee_104_assignsubmission_file_"
    )


def test_a_pattern_with_named_groups_picks_the_newest_by_timestamp(tmp_path):
    pattern = Pattern(
        r"(?P<student_id>s\d+)__(?P<timestamp>[\d-]+T[\d:]+)(?P<late>_late)?"
        r"__(?P<file>\w+\.ipynb)$"
    )
    archive = _zip(
        tmp_path / "lms.zip",
        {
            "s1__2026-11-30T10:00:00__F1.ipynb": PERFECT,
            "s1__2026-12-01T09:00:00_late__F1.ipynb": WARNS,
            "s2__2026-11-29T08:00:00__F1.ipynb": PERFECT,
        },
    )
    found = collect.from_zip(archive, "F1", pattern)
    assert found["s1"].notebooks == [("F1.ipynb", WARNS)]
    assert found["s1"].late is True
    assert found["s1"].keys["timestamp"] == "2026-12-01T09:00:00"
    assert (
        "replaced lms.zip:s1__2026-11-30T10:00:00__F1.ipynb" in found["s1"].replaced[0]
    )
    assert found["s2"].late is False
    with pytest.raises(ValueError, match="student_id"):
        Pattern(r"(?P<name>\w+)\.ipynb")


def test_folders_both_layouts_dot_folders_symlinks_and_special_files(tmp_path):
    source = tmp_path / "in"
    (source / "alice/F1").mkdir(parents=True)
    (source / "alice/F1/F1.ipynb").write_bytes(PERFECT)
    (source / "alice/A9").mkdir()  # another assignment's folder: not this one
    (source / "alice/A9/A9.ipynb").write_bytes(PERFECT)
    (source / "bob").mkdir()
    (source / "bob/F1.ipynb").write_bytes(PERFECT)  # hand-made <student>/*.ipynb
    (source / ".git/F1").mkdir(parents=True)
    (source / ".git/F1/F1.ipynb").write_bytes(PERFECT)
    (source / "carol/F1").mkdir(parents=True)
    (source / "carol/F1/F1.ipynb").symlink_to(MASTER / "F1" / "F1.ipynb")
    (source / "dave").symlink_to(FAULTS / "submissions" / "perfect")
    (source / "erin/F1").mkdir(parents=True)
    os.mkfifo(source / "erin/F1/F1.ipynb")
    found = collect.from_dir(source, "F1")
    assert sorted(found) == ["alice", "bob", "carol", "dave", "erin"]
    assert found["alice"].notebooks == [("F1.ipynb", PERFECT)]
    assert found["bob"].notebooks == [("F1.ipynb", PERFECT)]
    assert found["carol"].notebooks == []
    assert "symbolic link" in found["carol"].problems[0]
    assert "symbolic link" in found["dave"].problems[0]
    assert "special file" in found["erin"].problems[0]


def test_another_assignments_notebook_is_refused_at_collect_with_the_reason(tmp_path):
    course = _course(tmp_path / "course")
    source = tmp_path / "in"
    (source / "alice/F1").mkdir(parents=True)
    (source / "alice/F1/F1.ipynb").write_bytes(A2_RELEASED)
    known = {**_known(), "A2": collect.cell_ids(REPO / "solutions" / "A2")}
    book = collect.store(
        course.root,
        "F1",
        collect.from_dir(source, "F1"),
        renamed_is_normal=False,
        assignments=known,
    )
    status = book.students["alice"]
    assert not status.collected
    assert "not F1's notebook" in status.collect_problems[0]
    assert "A2's notebook" in status.collect_problems[0]


def test_names_are_neutralised_in_csv_and_escaped_on_the_terminal(tmp_path):
    assert csv_text('=HYPERLINK("http://x","y")').startswith("'=")
    for lead in "=+-@\t\r":
        assert csv_text(lead + "x").startswith("'")
    assert "\x1b" not in terminal_text("evil\x1b[2J")
    assert "\\x1b" in terminal_text("\x1b")
    assert terminal_text("Zoë Ñandú") == "Zoë Ñandú"
    source = tmp_path / "in"
    for name in ("=HYPERLINK(1)", "evil\x1b[31mred", "ok"):
        (source / name / "F1").mkdir(parents=True)
        (source / name / "F1" / "F1.ipynb").write_bytes(PERFECT)
    course = _course(tmp_path / "course")
    found = collect.from_dir(source, "F1")
    book = collect.store(course.root, "F1", found, renamed_is_normal=False)
    lines = "\n".join(collect.summary_lines(book, found))
    assert "\x1b" not in lines
    assert "not usable as a student id" in lines
    write_csv(course, "F1", tmp_path / "grades.csv")
    raw = (tmp_path / "grades.csv").read_text()
    assert "\x1b" not in raw
    rows = list(csv.DictReader(io.StringIO(raw)))
    ids = {r["student_id"] for r in rows}
    assert ids == {"'=HYPERLINK(1)", "evil\\x1b[31mred", "ok"}
    assert not any(r["student_id"].startswith(("=", "+", "-", "@")) for r in rows)


def test_canvas_gradebook_is_filled_on_the_id_every_other_cell_unchanged(
    canvas_class, tmp_path
):
    course, _ = canvas_class
    fake_grades(
        course,
        {
            "12345": {"test_add": 2, "test_scale": 0, "test_both": 1},
            "22222": {"test_add": 2, "test_scale": 2, "test_both": 1},
            "44444": {"test_add": 0, "test_scale": 0, "test_both": 0},
            "88888": {"test_add": 2, "test_scale": 2, "test_both": 0},
        },
    )
    source = PLATFORMS / "canvas_gradebook.csv"
    out = tmp_path / "canvas_import.csv"
    done = write_platform_gradebook(course, "F1", Canvas(), source, out)
    assert done.column == "F1 (4242)"
    before = list(csv.reader(io.StringIO(source.read_text("utf-8-sig"))))
    after = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(after) == len(before)
    assert after[0] == before[0]
    column = before[0].index("F1 (4242)")
    expected = {"12345": "3", "22222": "5", "44444": "0", "33333": "", "77777": ""}
    for old, new in zip(before[1:], after[1:], strict=True):
        assert new[:column] + new[column + 1 :] == old[:column] + old[column + 1 :]
        if old[1]:
            assert new[column] == expected[old[1]], old
    assert after[1][column] == "5.00"  # Points Possible untouched
    assert sorted(done.filled) == ["12345", "22222", "44444"]
    assert done.no_submission == ["77777"]
    # 33333 submitted but has no grade yet: left empty, never 0.
    assert done.not_graded == ["33333"]
    assert done.unknown == ["88888"]


def test_canvas_column_by_name_or_refused_with_the_columns(canvas_class, tmp_path):
    course, _ = canvas_class
    source = tmp_path / "two.csv"
    source.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,F1 (1),F1 (2)\n"
        '"Smith, John",12345,,,,,\n'
    )
    with pytest.raises(ValueError, match="--column"):
        write_platform_gradebook(course, "F1", Canvas(), source, tmp_path / "o.csv")
    done = write_platform_gradebook(
        course, "F1", Canvas(), source, tmp_path / "o.csv", column="F1 (2)"
    )
    assert done.column == "F1 (2)"
    with pytest.raises(ValueError, match="not in the gradebook"):
        write_platform_gradebook(
            course, "F1", Canvas(), source, tmp_path / "o.csv", column="F9"
        )


def test_moodle_worksheet_gets_grade_and_a_one_line_comment(tmp_path):
    archive = _zip(
        tmp_path / "moodle.zip",
        {
            "John Smith_101_assignsubmission_file_/F1.ipynb": PERFECT,
            "John Smith_102_assignsubmission_file_/F1.ipynb": PERFECT,
            "Zoë Ñandú_103_assignsubmission_file/F1.ipynb": PERFECT,
            "Extra Person_106_assignsubmission_file/F1.ipynb": PERFECT,
        },
    )
    course = _course(tmp_path / "course")
    found = collect.from_zip(archive, "F1", Moodle())
    collect.store(course.root, "F1", found, renamed_is_normal=True)
    fake_grades(
        course,
        {
            "101": {"test_add": 2, "test_scale": 2, "test_both": 1},
            "102": {"test_add": 0, "test_scale": 2, "test_both": 0},
            "106": {"test_add": 2, "test_scale": 2, "test_both": 1},
        },
    )
    source = PLATFORMS / "moodle_worksheet.csv"
    out = tmp_path / "worksheet.csv"
    done = write_platform_gradebook(course, "F1", Moodle(), source, out, comment=True)
    rows = {r["Identifier"]: r for r in _csv_rows(out)}
    before = {r["Identifier"]: r for r in _csv_rows(source)}
    assert rows["Participant 101"]["Grade"] == "5"
    assert rows["Participant 102"]["Grade"] == "2"
    assert rows["Participant 103"]["Grade"] == ""  # collected, not graded
    assert rows["Participant 105"]["Grade"] == ""  # no submission
    comment = rows["Participant 102"]["Feedback comments"]
    assert "\n" not in comment
    assert "2/5" in comment
    assert "test_add" in comment
    assert "test_both" in comment
    for key, row in rows.items():
        for column in row:
            if column not in ("Grade", "Feedback comments"):
                assert row[column] == before[key][column]
    assert done.no_submission == ["105"]
    assert done.not_graded == ["103"]
    assert done.unknown == ["106"]


def test_feedback_bundles_use_each_platforms_upload_names(canvas_class, tmp_path):
    course, _ = canvas_class
    for student in ("12345", "22222", "33333"):
        page = course.root / "feedback" / student / "F1" / "F1.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>{student}</p>")
    manual = course.root / "feedback" / "walkin" / "F1" / "F1.html"
    manual.parent.mkdir(parents=True)
    manual.write_text("<p>walk-in</p>")
    book = collect.StatusBook(course.root, "F1")
    book.get("walkin").collected = True
    book.save()
    bundle = tmp_path / "canvas_feedback.zip"
    included, skipped = write_feedback_bundle(course, "F1", Canvas(), bundle)
    with zipfile.ZipFile(bundle) as archive:
        names = sorted(archive.namelist())
        assert archive.read("müllerjürgen_33333_678903_feedback.html") == (
            b"<p>33333</p>"
        )
    assert names == [
        "müllerjürgen_33333_678903_feedback.html",
        "smithjohn_12345_678950_feedback.html",
        "smithjohn_22222_678902_feedback.html",
    ]
    assert sorted(included) == ["12345", "22222", "33333"]
    assert "not collected from a canvas download" in skipped["walkin"]
    moodle = Moodle()
    name = moodle.feedback_name(
        "101", {"folder": "John Smith_101_assignsubmission_file_"}, "A2"
    )
    assert name == "John Smith_101_assignsubmission_file_/A2_feedback.html"


def test_late_policy_applies_only_when_asked_and_is_recorded(tmp_path):
    archive = _zip(
        tmp_path / "lms.zip",
        {
            "s1__2026-12-03T10:00:00_late__F1.ipynb": PERFECT,
            "s2__2026-12-01T09:00:00__F1.ipynb": PERFECT,
        },
    )
    pattern = Pattern(
        r"(?P<student_id>s\d+)__(?P<timestamp>[\d-]+T[\d:]+)(?P<late>_late)?__"
    )
    course = _course(tmp_path / "course")
    collect.store(
        course.root,
        "F1",
        collect.from_zip(archive, "F1", pattern),
        renamed_is_normal=True,
    )
    full = {"test_add": 2, "test_scale": 2, "test_both": 1}
    fake_grades(course, {"s1": full, "s2": full})
    rows = {r["student_id"]: r for r in grade_rows(course, "F1")}
    assert (rows["s1"]["score"], rows["s1"]["late"], rows["s1"]["penalty"]) == (
        "5",
        "yes",
        "",
    )
    policy = LatePolicy("per-day", 1.5, "2026-12-01T23:59:00")
    write_csv(course, "F1", tmp_path / "g.csv", policy)
    rows = {r["student_id"]: r for r in _csv_rows(tmp_path / "g.csv")}
    # 2026-12-03T10:00 is 1 day 10 h after the deadline: 2 days, 3 points.
    assert rows["s1"]["days_late"] == "2"
    assert (rows["s1"]["score"], rows["s1"]["penalty"]) == ("2", "3")
    assert rows["s1"]["score_before_penalty"] == "5"
    assert rows["s2"]["score"] == "5"
    assert rows["s2"]["penalty"] == ""
    recorded = json.loads((course.root / "status/F1.late-policy.json").read_text())
    assert recorded == {"kind": "per-day", "per_day": 1.5, "due": "2026-12-01T23:59:00"}
    zero = {r["student_id"]: r for r in grade_rows(course, "F1", LatePolicy("zero"))}
    assert zero["s1"]["score"] == "0"
    assert zero["s2"]["score"] == "5"


def test_blank_notebooks_and_answers_naming_lstm_ref_are_flagged(tmp_path):
    course = _course(tmp_path / "course")
    released = (course.root / "release/F1/F1.ipynb").read_bytes()
    notebook = nbformat.reads(PERFECT.decode(), as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "add":
            cell.source = "import lstm_ref as r\n\ndef add(a, b):\n    return a + b\n"
    source = tmp_path / "in"
    for name, data in (
        ("blank", released),
        ("refcaller", nbformat.writes(notebook).encode()),
        ("honest", PERFECT),
    ):
        (source / name / "F1").mkdir(parents=True)
        (source / name / "F1" / "F1.ipynb").write_bytes(data)
    collect.store(
        course.root, "F1", collect.from_dir(source, "F1"), renamed_is_normal=False
    )
    zero = {"test_add": 0, "test_scale": 0, "test_both": 0}
    full = {"test_add": 2, "test_scale": 2, "test_both": 1}
    fake_grades(course, {"blank": zero, "refcaller": full, "honest": full})
    rows = {r["student_id"]: r for r in grade_rows(course, "F1")}
    assert rows["blank"]["status"] == "needs attention"
    assert rows["blank"]["flags"] == "blank"
    assert "no answer cell was changed" in rows["blank"]["reason"]
    assert rows["refcaller"]["flags"] == "uses lstm_ref"
    assert "add" in rows["refcaller"]["reason"]
    assert (rows["honest"]["status"], rows["honest"]["flags"]) == ("ok", "")


def test_utf8_names_in_a_zip_without_the_utf8_flag_are_read_as_utf8(tmp_path):
    # Written with an ASCII placeholder (no UTF-8 flag), then the name's
    # bytes replaced by UTF-8 ones, as a platform that does not set the flag
    # writes them; the zip format would read them as CP437.
    archive = tmp_path / "noflag.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("mXXllerjXXrgen_33333_678903_F1.ipynb", PERFECT)
    raw = archive.read_bytes().replace(b"XX", "ü".encode())
    archive.write_bytes(raw)
    with zipfile.ZipFile(archive) as handle:
        assert handle.infolist()[0].flag_bits & 0x800 == 0
        assert handle.namelist() != ["müllerjürgen_33333_678903_F1.ipynb"]
    found = collect.from_zip(archive, "F1", Canvas())
    assert found["33333"].name == "müllerjürgen"
    assert found["33333"].notebooks == [("F1.ipynb", PERFECT)]
