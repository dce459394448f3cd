"""The instructor's command line: help, validation, regrading, Ctrl-C.

Runs ``python -m autograder`` as a subprocess on the tiny fault-test
assignment F1 (about a second per notebook in the sandbox), as an
instructor would; grades are read back through nbgrader's Gradebook API.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from autograder.course import Course

REPO = Path(__file__).resolve().parents[1]
FAULTS = REPO / "tests" / "fixtures" / "faults"
MASTER = FAULTS / "master"
PERFECT = FAULTS / "submissions/perfect/F1/F1.ipynb"
WARNS = FAULTS / "submissions/warns/F1/F1.ipynb"
CLASS_SIZE = 10
STOP_WITHIN = 10.0  # seconds from SIGINT to exit ("within a few seconds")


def cli(*args: object, course: Path, env=None) -> subprocess.CompletedProcess:
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
        env=env,
    )


def make_class(folder: Path, size: int = CLASS_SIZE) -> Path:
    for number in range(1, size + 1):
        target = folder / f"s{number:02d}" / "F1"
        target.mkdir(parents=True)
        shutil.copy(WARNS if number % 3 == 0 else PERFECT, target / "F1.ipynb")
    return folder


def status_book(course: Path) -> dict:
    return json.loads((course / "status" / "F1.json").read_text())


def gradebook(course: Path) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy autoflush
        with Course(course, solutions_dir=MASTER).gradebook() as gb:
            return {
                s.student.id: s.score
                for s in gb.assignment_submissions("F1")
                if s.notebooks
                and all(
                    g.auto_score is not None for nb in s.notebooks for g in nb.grades
                )
            }


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> dict:
    """A class collected, autograde --jobs 2 sent SIGINT mid-run, then resumed."""
    tmp = tmp_path_factory.mktemp("cli")
    course = tmp / "course"
    source = make_class(tmp / "in")
    collected = cli("collect", "F1", "--from-dir", source, course=course)
    assert collected.returncode == 0, collected.stderr
    command = [
        sys.executable,
        "-m",
        "autograder",
        "autograde",
        "F1",
        "--jobs",
        "2",
        "--course-dir",
        str(course),
        "--solutions-dir",
        str(MASTER),
    ]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    first = []
    for line in process.stdout:
        first.append(line)
        if " graded " in line:
            break
    helpers = _descendants(process.pid)  # workers and their sandboxes
    start = time.monotonic()
    process.send_signal(signal.SIGINT)
    rest, stderr = process.communicate(timeout=120)
    stopped = time.monotonic() - start
    time.sleep(1)
    out = {
        "course": course,
        "source": source,
        "stdout": "".join(first) + rest,
        "stderr": stderr,
        "returncode": process.returncode,
        "seconds": stopped,
        "helpers": helpers,
        "left_running": [pid for pid in helpers if _alive(pid)],
        "status": status_book(course),
        "gradebook": gradebook(course),
        "autograded": sorted(p.parent.name for p in course.glob("autograded/*/F1")),
    }
    out["resumed"] = cli("autograde", "F1", "--jobs", "2", course=course)
    out["status_after"] = status_book(course)
    out["gradebook_after"] = gradebook(course)
    print("SIGINT to exit (s):", round(stopped, 2))
    return out


def test_ctrl_c_stops_within_seconds_and_kills_every_worker_and_sandbox(interrupted):
    assert interrupted["returncode"] == 130, interrupted["stderr"]
    assert interrupted["seconds"] < STOP_WITHIN
    assert interrupted["helpers"], "the run had started its workers"
    assert interrupted["left_running"] == []
    assert "Traceback" not in interrupted["stderr"]


def test_ctrl_c_summary_says_how_many_were_graded_and_that_the_next_run_resumes(
    interrupted,
):
    graded = [s for s, v in interrupted["status"].items() if v["graded"] is not None]
    message = interrupted["stderr"]
    assert f"interrupted: graded {len(graded)} of {CLASS_SIZE}" in message
    assert "the next autograde grades them" in message
    assert 1 <= len(graded) < CLASS_SIZE


def test_after_ctrl_c_gradebook_and_status_book_agree(interrupted):
    status = interrupted["status"]
    graded = {s for s, v in status.items() if v["graded"]}
    assert set(interrupted["gradebook"]) == graded
    # Nobody half-graded: an autograded copy exactly for the graded students.
    assert interrupted["autograded"] == sorted(graded)


def test_the_next_run_grades_exactly_the_rest_without_warnings(interrupted):
    resumed = interrupted["resumed"]
    assert resumed.returncode == 0, resumed.stderr
    before = sum(v["graded"] is not None for v in interrupted["status"].values())
    rest = CLASS_SIZE - before
    assert f"autograded {rest} of {rest}" in resumed.stdout
    assert f"{before} unchanged since their last grade" in resumed.stdout
    assert len(interrupted["gradebook_after"]) == CLASS_SIZE
    assert set(interrupted["gradebook_after"].values()) == {5.0}
    # nbgrader's SQLAlchemy warnings used to reach the terminal from workers.
    assert "Warning" not in resumed.stderr
    assert resumed.stderr.strip() == ""


def test_autograde_grades_only_what_changed_unless_forced(interrupted, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(interrupted["course"], course)
    source = tmp_path / "in"
    shutil.copytree(interrupted["source"], source)
    again = cli("autograde", "F1", course=course)
    assert "autograded 0 of 0" in again.stdout
    assert f"{CLASS_SIZE} unchanged" in again.stdout
    shutil.copy(WARNS, source / "s01" / "F1" / "F1.ipynb")
    assert cli("collect", "F1", "--from-dir", source, course=course).returncode == 0
    changed = cli("autograde", "F1", course=course)
    assert "1/1 graded s01" in changed.stdout
    assert "autograded 1 of 1" in changed.stdout
    forced = cli("autograde", "F1", "--student", "s02", "--force", course=course)
    assert "autograded 1 of 1" in forced.stdout


def test_a_memory_cap_too_small_for_python_says_so_and_keeps_the_grade(
    interrupted, tmp_path
):
    course = tmp_path / "course"
    shutil.copytree(interrupted["course"], course)
    before = gradebook(course)
    small = cli("autograde", "F1", "--force", "--memory-mib", "24", course=course)
    assert small.returncode == 1
    assert "--memory-mib 24 is too small to start Python" in small.stderr
    assert "earlier grades are kept" in small.stderr
    assert gradebook(course) == before
    assert status_book(course) == interrupted["status_after"]


def test_a_failing_feedback_page_is_that_students_only(
    interrupted, tmp_path, monkeypatch
):
    import autograder.course as course_module

    course = tmp_path / "course"
    shutil.copytree(interrupted["course"], course)
    real = course_module.finish_feedback_page

    calls = []

    def broken_for_s03(text: str) -> str:
        calls.append(text)
        if len(calls) == 3:  # students are done in order: s01, s02, s03, ...
            raise ValueError("a placeholder the page builder cannot read")
        return real(text)

    monkeypatch.setattr(course_module, "finish_feedback_page", broken_for_s03)
    results = {
        r.student: r for r in Course(course, solutions_dir=MASTER).feedback("F1")
    }
    assert not results["s03"].ok
    assert "ValueError: a placeholder" in results["s03"].reason
    assert all(r.ok for s, r in results.items() if s != "s03")
    assert (course / "feedback/s04/F1/F1.html").is_file()
    status = status_book(course)
    assert status["s03"]["feedback_problems"] == [results["s03"].reason]


def test_unknown_assignment_is_refused_with_the_known_ones(tmp_path):
    result = cli("collect", "A9", "--from-dir", tmp_path, course=tmp_path / "c")
    assert result.returncode == 1
    assert "no assignment 'A9': the known assignments are F1" in result.stderr


def test_unknown_student_is_refused_and_leaves_no_phantom_row(interrupted, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(interrupted["course"], course)
    before = status_book(course)
    for step in ("autograde", "feedback"):
        result = cli(step, "F1", "--student", "s1O", course=course)
        assert result.returncode == 1
        assert "no student 's1O'" in result.stderr
        assert "check the spelling" in result.stderr
    assert status_book(course) == before


@pytest.mark.parametrize(
    ("option", "value"),
    [("--jobs", "0"), ("--timeout", "0"), ("--memory-mib", "0"), ("--jobs", "two")],
)
def test_numbers_are_validated(option, value, tmp_path):
    result = cli("autograde", "F1", option, value, course=tmp_path / "c")
    assert result.returncode == 2
    assert option in result.stderr


def test_autograde_before_collect_says_so_and_fails(tmp_path):
    result = cli("autograde", "F1", course=tmp_path / "c")
    assert result.returncode == 1
    assert "nothing collected for F1 yet" in result.stderr
    assert "collect F1" in result.stderr


def test_collecting_nothing_fails(tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli(
        "collect", "F1", "--from-dir", tmp_path / "empty", course=tmp_path / "c"
    )
    assert result.returncode == 1
    assert "no submissions found" in result.stderr


def test_top_level_help_gives_the_steps_in_order():
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    epilog = result.stdout.split("The steps, in order", 1)[1]
    positions = [
        epilog.index(f"{n}. {step} ")
        for n, step in enumerate(
            ["release", "collect", "autograde", "feedback", "export", "report"],
            start=1,
        )
    ]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "step",
    ["generate", "release", "collect", "autograde", "feedback", "export", "report"],
)
def test_every_step_says_what_it_reads_and_writes_with_an_example(step):
    result = subprocess.run(
        [sys.executable, "-m", "autograder", step, "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert result.returncode == 0
    text = result.stdout
    assert "Reads " in text
    assert "writes " in text
    assert f"python -m autograder {step} " in text


def test_the_readme_grading_commands_are_ones_the_cli_accepts():
    from autograder.cli import _parser

    readme = (REPO / "README.md").read_text()
    section = readme.split("## Grading a class", 1)[1].split("\n## ", 1)[0]
    commands = [
        line.split("#", 1)[0].split()[1:]
        for line in section.splitlines()
        if line.startswith("$AG ")
    ]
    steps = [c[0] for c in commands]
    assert steps == ["release", "collect", "autograde", "feedback", "export", "report"]
    for command in commands:
        _parser().parse_args(command)  # exits (fails the test) if refused
    assert "make install" in section


def test_ctrl_c_with_one_job_stops_at_once_and_keeps_nothing_half_written(tmp_path):
    course = tmp_path / "course"
    source = make_class(tmp_path / "in", size=4)
    assert cli("collect", "F1", "--from-dir", source, course=course).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "autograder", "autograde", "F1"]
        + ["--course-dir", str(course), "--solutions-dir", str(MASTER)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        if " graded " in line:
            break
    start = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - start < STOP_WITHIN
    assert process.returncode == 130
    assert "interrupted: graded" in stderr
    assert "Traceback" not in stderr
    status = status_book(course)
    graded = {s for s, v in status.items() if v["graded"]}
    assert set(gradebook(course)) == graded
    assert sorted(p.parent.name for p in course.glob("autograded/*/F1")) == sorted(
        graded
    )


PLATFORM_ZIPS = {
    "canvas": {
        "smithjohn_12345_678901_F1.ipynb": PERFECT,
        "smithjohn_LATE_12345_678950_F1-1.ipynb": WARNS,
        "smithjohn_22222_678902_F1.ipynb": PERFECT,
        "müllerjürgen_33333_678903_F1.ipynb": PERFECT,
    },
    "moodle": {
        "John Smith_101_assignsubmission_file_/F1.ipynb": PERFECT,
        "John Smith_102_assignsubmission_file_/F1.ipynb": WARNS,
        "Zoë Ñandú_103_assignsubmission_file/F1.ipynb": PERFECT,
    },
}
GRADEBOOKS = {
    "canvas": REPO / "tests/fixtures/platforms/canvas_gradebook.csv",
    "moodle": REPO / "tests/fixtures/platforms/moodle_worksheet.csv",
}


@pytest.mark.parametrize("platform", ["canvas", "moodle"])
def test_a_platform_class_from_download_to_upload_files(platform, tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for name, path in PLATFORM_ZIPS[platform].items():
            handle.write(path, name)
    course = tmp_path / "course"
    steps = [
        ("collect", "F1", "--from-zip", archive, "--platform", platform),
        ("autograde", "F1", "--jobs", "2"),
        ("feedback", "F1", "--platform", platform, "--bundle", tmp_path / "fb.zip"),
        ("export", "F1", "--platform", platform, "--gradebook", GRADEBOOKS[platform])
        + ("--csv", tmp_path / "upload.csv"),
    ]
    for step in steps:
        result = cli(*step, course=course)
        assert result.returncode == 0, result.stdout + result.stderr
    text = (tmp_path / "upload.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    with zipfile.ZipFile(tmp_path / "fb.zip") as handle:
        names = sorted(handle.namelist())
    if platform == "canvas":
        grades = {r["ID"]: r["F1 (4242)"] for r in rows if r["ID"]}
        assert grades == {
            "12345": "5",
            "22222": "5",
            "33333": "5",
            "44444": "",
            "77777": "",
        }
        assert names == [
            "müllerjürgen_33333_678903_feedback.html",
            "smithjohn_12345_678950_feedback.html",
            "smithjohn_22222_678902_feedback.html",
        ]
    else:
        grades = {r["Identifier"]: r["Grade"] for r in rows}
        assert grades == {
            "Participant 101": "5",
            "Participant 102": "5",
            "Participant 103": "5",
            "Participant 105": "",
        }
        assert names == [
            "John Smith_101_assignsubmission_file_/F1_feedback.html",
            "John Smith_102_assignsubmission_file_/F1_feedback.html",
            "Zoë Ñandú_103_assignsubmission_file/F1_feedback.html",
        ]
