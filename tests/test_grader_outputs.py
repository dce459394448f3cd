"""The grader's outputs, cell by cell, against a class whose scores are known.

A class of the tiny assignment F1 (test_add 2 points, test_scale 2,
test_both 1) is collected and its grades recorded through nbgrader's
Gradebook API (``grading_fakes.py``: no sandbox), so every expected value
below follows from the table ``CLASS`` alone. Every column of grades.csv,
A*_scores.csv and A*_tests.csv and every number of the report page is
checked; so are the collect rules whose loss would go unnoticed (dot-folders,
the 50 MB limit, a failed re-collect).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading_fakes import fake_grades

from autograder import collect
from autograder.course import Course
from autograder.export import write_csv
from autograder.report import write_report

REPO = Path(__file__).resolve().parents[1]
FAULTS = REPO / "tests" / "fixtures" / "faults"
MASTER = FAULTS / "master"
PERFECT = (FAULTS / "submissions/perfect/F1/F1.ipynb").read_bytes()
POINTS = {"test_add": 2, "test_scale": 2, "test_both": 1}
MESSAGES = {
    "test_add": "add(1, 2) should be 3",
    "test_scale": "scale must multiply every element",
    "test_both": "add and scale together are wrong",
}
# Per-test scores; None: collected but not graded.
CLASS = {
    "ana": {"test_add": 2, "test_scale": 2, "test_both": 1},
    "ben": {"test_add": 2, "test_scale": 0, "test_both": 0},
    "cai": {"test_add": 0, "test_scale": 2, "test_both": 0},
    "dev": {"test_add": 0, "test_scale": 0, "test_both": 0},
    "eva": {"test_add": 2, "test_scale": 2, "test_both": 0},
    "fay": None,
}
BROKEN = "gus"  # submitted a file that is not JSON


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def _own_code(number: int) -> bytes:
    """A notebook with its own (correct) code: never blank, never similar."""
    text = PERFECT.decode()
    return text.replace("np.add(a, b)", f"a + b + 0 * {number}").encode()


@pytest.fixture(scope="module")
def known(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("outputs")
    course = Course(tmp / "course", solutions_dir=MASTER)
    course.release("F1")
    source = tmp / "in"
    for number, student in enumerate(CLASS):
        (source / student / "F1").mkdir(parents=True)
        (source / student / "F1" / "F1.ipynb").write_bytes(_own_code(number))
    (source / BROKEN / "F1").mkdir(parents=True)
    (source / BROKEN / "F1" / "F1.ipynb").write_text('{"cells": [')
    (source / ".ipynb_checkpoints" / "F1").mkdir(parents=True)
    (source / ".ipynb_checkpoints" / "F1" / "F1.ipynb").write_bytes(PERFECT)
    found = collect.from_dir(source, "F1")
    collect.store(course.root, "F1", found, renamed_is_normal=False)
    graded = {s: cells for s, cells in CLASS.items() if cells is not None}
    fake_grades(course, graded, messages=MESSAGES)
    rows = write_csv(course, "F1", tmp / "grades.csv")
    page, tests_csv, scores_csv = write_report(course, "F1", tmp / "report")
    return {
        "course": course,
        "source": source,
        "found": found,
        "rows": rows,
        "csv": {r["student_id"]: r for r in _rows(tmp / "grades.csv")},
        "header": next(csv.reader(io.StringIO((tmp / "grades.csv").read_text()))),
        "page": page.read_text("utf-8"),
        "tests": {r["grade_id"]: r for r in _rows(tests_csv)},
        "scores": _rows(scores_csv),
        "tmp": tmp,
    }


def test_dot_folders_are_not_collected_as_students(known):
    assert ".ipynb_checkpoints" not in known["found"]
    assert set(known["found"]) == set(CLASS) | {BROKEN}


def test_grades_csv_header_is_every_column_in_order(known):
    assert known["header"] == [
        "student_id",
        "status",
        "reason",
        "score",
        "max_score",
        "test_add",
        "test_scale",
        "test_both",
        "name",
        "late",
        "days_late",
        "penalty",
        "score_before_penalty",
        "flags",
    ]


def test_every_cell_of_grades_csv(known):
    rows = known["csv"]
    assert set(rows) == set(CLASS) | {BROKEN}
    for student, cells in CLASS.items():
        row = rows[student]
        if cells is None:
            assert (row["status"], row["score"], row["max_score"]) == (
                "needs attention",
                "",
                "",
            )
            assert row["reason"] == "collected but not autograded yet"
            assert all(row[g] == "" for g in POINTS)
        else:
            assert row["status"] == "ok", row
            assert row["reason"] == ""
            assert float(row["score"]) == sum(cells.values())
            assert float(row["max_score"]) == sum(POINTS.values())
            for grade_id, score in cells.items():
                assert float(row[grade_id]) == score
        for column in ("name", "late", "days_late", "penalty"):
            assert row[column] == ""
        assert row["score_before_penalty"] == ""
        assert row["flags"] == ""
    broken = rows[BROKEN]
    assert broken["status"] == "needs attention"
    assert "not valid JSON" in broken["reason"]
    assert broken["score"] == broken["max_score"] == ""


def test_scores_csv_has_score_and_max_score_the_right_way_round(known):
    graded = {s: c for s, c in CLASS.items() if c is not None}
    assert [r["student_id"] for r in known["scores"]] == sorted(graded)
    for row in known["scores"]:
        cells = graded[row["student_id"]]
        assert float(row["score"]) == sum(cells.values())
        assert float(row["max_score"]) == sum(POINTS.values())
        assert (row["late"], row["flags"]) == ("", "")
    # The class is chosen so that a swap would show.
    assert any(float(r["score"]) != float(r["max_score"]) for r in known["scores"])


def test_tests_csv_counts_and_rates(known):
    graded = [c for c in CLASS.values() if c is not None]
    assert set(known["tests"]) == set(POINTS)
    order = list(known["tests"])
    rates = [float(known["tests"][g]["failure_rate"]) for g in order]
    assert rates == sorted(rates, reverse=True)
    for grade_id, points in POINTS.items():
        row = known["tests"][grade_id]
        failed = sum(c[grade_id] < points for c in graded)
        assert float(row["points"]) == points
        assert int(row["graded"]) == len(graded)
        assert int(row["failed"]) == failed
        assert float(row["failure_rate"]) == pytest.approx(
            failed / len(graded), abs=5e-4
        )
        assert row["most_common_message"] == (MESSAGES[grade_id] if failed else "")
        assert int(row["message_count"]) == failed


def test_report_page_figures(known):
    text = re.sub(r"<[^>]+>", " ", known["page"])
    text = re.sub(r"\s+", " ", text)
    graded = [sum(c.values()) for c in CLASS.values() if c is not None]
    mean = sum(graded) / len(graded)
    attention = 2  # fay (not graded) and gus (not JSON)
    assert f"{len(graded)} students graded; mean score {mean:.1f} of 5." in text
    # Not the mean of max_score (5.0) nor over every student.
    assert mean != 5.0
    assert f"{attention} students need attention." in text
    assert "0 submitted late (no late penalty)" in text
    for grade_id, points in POINTS.items():
        failed = sum(c[grade_id] < points for c in CLASS.values() if c is not None)
        rate = round(100 * failed / len(graded))
        assert f"{grade_id} {points} {failed}/{len(graded)} {rate}%" in text
    assert known["page"].count('src="data:image/png;base64,') == 2
    assert "fay" in text
    assert BROKEN in text


def test_the_50_mb_limit_refuses_larger_notebooks(tmp_path):
    assert collect.MAX_NOTEBOOK_BYTES == 50 * 1024 * 1024
    source = tmp_path / "in"
    (source / "big" / "F1").mkdir(parents=True)
    with (source / "big" / "F1" / "F1.ipynb").open("wb") as handle:
        handle.truncate(collect.MAX_NOTEBOOK_BYTES + 1)  # sparse: cheap
    found = collect.from_dir(source, "F1")
    assert found["big"].notebooks == []
    assert "larger than 50 MB" in found["big"].problems[0]
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("big_F1.ipynb", b" " * (collect.MAX_NOTEBOOK_BYTES + 1))
    found = collect.from_zip(archive, "F1")
    assert found["big"].notebooks == []
    assert "larger than 50 MB" in found["big"].problems[0]


def test_a_failed_re_collect_drops_the_older_grade(known, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(known["course"].root, root)
    course = Course(root, solutions_dir=MASTER)
    source = tmp_path / "in"
    (source / "ana" / "F1").mkdir(parents=True)
    (source / "ana" / "F1" / "F1.ipynb").write_text("not a notebook")
    collect.store(root, "F1", collect.from_dir(source, "F1"), renamed_is_normal=False)
    rows = {r["student_id"]: r for r in write_csv(course, "F1", tmp_path / "g.csv")}
    assert rows["ana"]["score"] == ""
    assert rows["ana"]["status"] == "needs attention"
    assert not (root / "autograded" / "ana").exists() or not any(
        (root / "autograded" / "ana").iterdir()
    )
    _, _, scores_csv = write_report(course, "F1", tmp_path / "report")
    assert "ana" not in {r["student_id"] for r in _rows(scores_csv)}


def test_similarity_finds_the_copied_pair_and_the_pasted_reference(known, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(known["course"].root, root)
    course = Course(root, solutions_dir=MASTER)
    shared = (
        "def add(a, b):\n"
        '    """Elementwise a + b."""\n'
        "    first = np.asarray(a, dtype=float)\n"
        "    second = np.asarray(b, dtype=float)\n"
        "    total = np.empty(np.broadcast(first, second).shape)\n"
        "    np.add(first, second, out=total)\n"
        "    return total\n"
    )
    sigmoid = (REPO / "lstm_ref" / "activations.py").read_text()
    start = sigmoid.index("def _sigmoid(")
    pasted = sigmoid[start : sigmoid.index("\ndef sigmoid_grad(")]
    text = PERFECT.decode()
    source = tmp_path / "in"
    for student, code in (("cop1", shared), ("cop2", shared), ("paster", pasted)):
        notebook = nbformat.reads(text, as_version=4)
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "add":
                cell.source = code + "\n\ndef add(a, b):\n    return np.add(a, b)\n"
        (source / student / "F1").mkdir(parents=True)
        nbformat.write(notebook, source / student / "F1" / "F1.ipynb")
    collect.store(root, "F1", collect.from_dir(source, "F1"), renamed_is_normal=False)
    paths = write_report(course, "F1", tmp_path / "report", similarity=True)
    page = paths[0].read_text("utf-8")
    rows = _rows(paths[-1])
    pairs = {(r["student"], r["other"]) for r in rows if r["kind"] == "pair"}
    assert pairs == {("cop1", "cop2")}
    reference = {(r["student"], r["other"]) for r in rows if r["kind"] == "lstm_ref"}
    assert reference == {("paster", "lstm_ref/activations.py")}
    assert "<mark>" in page
    assert page.count('<table class="side">') == 2
