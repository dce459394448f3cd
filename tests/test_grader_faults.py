"""The grader survives broken, malicious and endless submissions.

A class of fixture submissions of the tiny assignment F1 (see
``tests/fixtures/faults/make_faults.py``), one fault or attack each, is
graded in the sandbox with two parallel workers; each test asserts the grade
and the message the student or the instructor gets, through nbgrader's
Gradebook API, the autograded notebooks, the feedback and the CSV.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest

from autograder.cli import _progress
from autograder.collect import from_dir, store
from autograder.course import Course
from autograder.export import ATTENTION, write_csv
from autograder.preprocessors import hidden_test_lines
from autograder.report import write_report

FAULTS = Path(__file__).resolve().parent / "fixtures" / "faults"
TIMEOUT = 15  # seconds per notebook; every honest F1 notebook needs about one
CELL_TIMEOUT = 10  # seconds per cell


def _load_maker():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_faults", FAULTS / "make_faults.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    course = Course(
        root / "course",
        sandbox={"timeout": TIMEOUT, "cell_timeout": CELL_TIMEOUT},
        solutions_dir=FAULTS / "master",
    )
    found = from_dir(FAULTS / "submissions", "F1")
    store(course.root, "F1", found, renamed_is_normal=False)
    course.release("F1")
    results = course.autograde("F1", jobs=2, progress=_progress("graded"))
    course.feedback("F1")
    rows = write_csv(course, "F1", root / "grades.csv")
    report = write_report(course, "F1", root / "report")
    return {
        "course": course,
        "results": {r.student: r for r in results},
        "rows": {r["student_id"]: r for r in rows},
        "report": report,
        "students": sorted(found),
    }


def _scores(course: Course, student: str) -> dict[str, float]:
    with course.gradebook() as gb:
        submission = gb.find_submission("F1", student)
        return {g.name: g.score for nb in submission.notebooks for g in nb.grades}


def _cell(course: Course, student: str, grade_id: str):
    path = course.root / "autograded" / student / "F1" / "F1.ipynb"
    notebook = nbformat.read(path, as_version=4)
    return next(
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def _verdict(course: Course, student: str, grade_id: str) -> dict:
    return _cell(course, student, grade_id).metadata["autograder"]


def test_fixtures_are_what_the_script_writes():
    for path, text in _load_maker().expected_files().items():
        assert path.read_text() == text, (
            f"{path} is stale: run python tests/fixtures/faults/make_faults.py"
        )


def test_every_student_is_graded_once_and_the_run_finishes(graded):
    # Everyone whose notebook could be collected is graded; everyone found,
    # collected or not (a symbolic link, an invalid name), has a row.
    refused = {"symlinked", "outside", "=2+3"}
    assert sorted(graded["results"]) == sorted(set(graded["students"]) - refused)
    assert sorted(graded["rows"]) == graded["students"]


def test_the_master_scores_full_marks_whatever_the_tests_last_lines_are(graded):
    course = graded["course"]
    assert _scores(course, "perfect") == {
        "test_add": 2,
        "test_scale": 2,
        "test_both": 1,
    }
    assert graded["rows"]["perfect"]["status"] != ATTENTION
    # nbgrader alone would score test_add by its last line's value (0.25
    # points); the judge records no value of a test's last line at all.
    cell = _cell(course, "perfect", "test_add")
    assert not [o for o in cell.outputs if o.output_type == "execute_result"]


def test_warnings_and_stderr_in_passing_tests_cost_nothing(graded):
    course = graded["course"]
    assert _scores(course, "warns") == {"test_add": 2, "test_scale": 2, "test_both": 1}
    # What the student's code printed while the test called it is kept for
    # the instructor in the cell's metadata, not shown as the test's output.
    printed = _verdict(course, "warns", "test_add")["student_output"]
    assert "debug: adding" in printed
    assert "UserWarning: add was called" in printed
    assert "debug: adding" not in _printed(course, "warns", "test_add")


def test_patched_comparisons_before_the_tests_are_put_back(graded):
    course = graded["course"]
    assert _scores(course, "patches_before") == {
        "test_add": 0,
        "test_scale": 2,
        "test_both": 0,
    }
    assert (
        "add(1, 2) must be 3"
        in _verdict(course, "patches_before", "test_add")["reason"]
    )
    # The comparisons run in the judge, which student code cannot reach:
    # patching the sandbox's NumPy changes nothing, so nothing is flagged.
    assert graded["results"]["patches_before"].reason == ""


def test_patching_a_comparison_while_a_test_runs_earns_nothing(graded):
    course = graded["course"]
    assert _scores(course, "patches_during") == {
        "test_add": 0,
        "test_scale": 2,
        "test_both": 0,
    }
    # The patched assert_allclose is the sandbox's; the judge's tests fail on
    # the arrays add gets wrong, with the test's own message.
    assert (
        "add must broadcast" in _verdict(course, "patches_during", "test_add")["reason"]
    )


def test_an_endless_loop_that_ignores_sigint_times_out_and_keeps_earlier_points(graded):
    course = graded["course"]
    assert _scores(course, "endless") == {
        "test_add": 2,
        "test_scale": 0,
        "test_both": 0,
    }
    assert _verdict(course, "endless", "test_scale")["reason"].startswith("not run")
    assert "timed out in cell 'scale'" in graded["results"]["endless"].reason
    assert f"{CELL_TIMEOUT} s limit per cell" in graded["rows"]["endless"]["reason"]
    assert graded["results"]["endless"].seconds < CELL_TIMEOUT + 15


def test_os_exit_mid_notebook_flags_the_student_and_keeps_earlier_points(graded):
    course = graded["course"]
    assert _scores(course, "exits") == {"test_add": 2, "test_scale": 0, "test_both": 0}
    assert "process stopped in cell 'scale'" in graded["results"]["exits"].reason
    assert graded["rows"]["exits"]["status"] == ATTENTION


def test_allocating_too_much_memory_fails_that_test_with_a_clear_message(graded):
    course = graded["course"]
    assert _scores(course, "hog") == {"test_add": 0, "test_scale": 2, "test_both": 0}
    reason = _verdict(course, "hog", "test_add")["reason"]
    assert reason.startswith("MemoryError")
    assert "more memory than the grader allows" in reason


def test_student_code_sees_no_gradebook_instructor_files_submissions_or_network(graded):
    course = graded["course"]
    path = course.root / "autograded" / "snoop" / "F1" / "F1.ipynb"
    text = "".join(
        o.text
        for c in nbformat.read(path, as_version=4).cells
        for o in c.get("outputs", [])
        if o.get("name") == "stdout"
    )
    line = next(x for x in text.splitlines() if x.startswith("SNOOP "))
    seen = json.loads(line.removeprefix("SNOOP "))
    assert seen["found"] == []
    assert seen["network"] != "reachable"
    assert _scores(course, "snoop") == {"test_add": 2, "test_scale": 2, "test_both": 1}


def test_files_written_by_student_code_reach_neither_autograded_nor_feedback(graded):
    root = graded["course"].root
    assert sorted(
        p.name for p in (root / "autograded" / "writes" / "F1").iterdir()
    ) == ["F1.ipynb"]
    assert sorted(p.name for p in (root / "feedback" / "writes" / "F1").iterdir()) == [
        "F1.html"
    ]
    assert not list(root.rglob("notes.txt"))


@pytest.mark.parametrize(
    ("student", "words"),
    [("duplicated", "appear more than once"), ("stripped", "metadata was stripped")],
)
def test_unmatchable_notebooks_are_listed_with_the_reason(graded, student, words):
    row = graded["rows"][student]
    assert row["status"] == ATTENTION
    assert words in row["reason"]
    assert row["score"] == ""


def test_feedback_never_shows_hidden_tests(graded):
    """No line of a hidden test's code reaches a feedback page; a failing
    hidden test shows its message (written for the student) and nothing else."""
    master = nbformat.read(FAULTS / "master" / "F1" / "F1.ipynb", as_version=4)
    secrets = hidden_test_lines(master)
    secrets += ["np.arange(3.0), 1.0", "np.ones(2), 2.0", "np.ones(4), -2.0"]
    assert len(secrets) >= 6
    pages = list((graded["course"].root / "feedback").rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        text = page.read_text()
        for secret in secrets:
            assert secret not in text, f"{page} shows hidden test text {secret!r}"


def _printed(course: Course, student: str, grade_id: str) -> str:
    return "".join(o.get("text", "") for o in _cell(course, student, grade_id).outputs)


def test_code_that_prints_its_callers_source_finds_no_hidden_test(graded):
    course = graded["course"]
    assert _scores(course, "leaker") == {"test_add": 2, "test_scale": 2, "test_both": 1}
    # What the student's prints found, in the instructor's autograded notebook:
    # the stack names the test cell but quotes none of its lines.
    during_test = _verdict(course, "leaker", "test_add")["student_output"]
    assert "LEAK stack:" in during_test
    # The test cell is not on the student's stack at all: it runs in the
    # judge, and the stack above the student's add is the child's loop.
    stack = during_test.split("LEAK source:")[0]
    assert "/grader/child.py" in stack
    assert "test_add" not in stack
    assert "LEAK source:" in during_test
    assert "LEAK history:" in during_test  # In and _ih: checked below
    later = _printed(course, "leaker", "scale")
    assert "def add(a, b):" in later  # the student's own cells are still there
    for line in ("add(1.0, 2.0)", "np.arange(3.0)", "scale must keep the sign"):
        assert line not in during_test + later
    feedback = (course.root / "feedback/leaker/F1/F1.html").read_text()
    assert "/grader/child.py" not in feedback  # printed during a test: not shown
    assert "np.arange(3.0)" not in feedback


def test_the_instructor_still_gets_a_failed_tests_source_in_its_traceback(graded):
    course = graded["course"]
    (error,) = [
        o
        for o in _cell(course, "patches_before", "test_add").outputs
        if o.output_type == "error"
    ]
    assert "add(1.0, 2.0)" in "\n".join(error.traceback)
    feedback = (course.root / "feedback/patches_before/F1/F1.html").read_text()
    assert "add(1, 2) must be 3" in feedback


def test_the_gradebook_matches_the_per_test_scores(graded):
    course = graded["course"]
    with course.gradebook() as gb:
        submissions = {s.student.id: s for s in gb.assignment_submissions("F1")}
        for student, result in graded["results"].items():
            if not result.ok:
                continue
            submission = submissions[student]
            cells = sum(g.score for nb in submission.notebooks for g in nb.grades)
            assert submission.score == pytest.approx(cells) == result.score


def test_the_report_shows_which_tests_students_fail(graded):
    page, tests_csv, scores_csv = graded["report"]
    html = page.read_text()
    assert html.count('src="data:image/png;base64,') == 2
    assert "http" not in html  # nothing to fetch
    with tests_csv.open() as handle:
        rows = {r["grade_id"]: r for r in csv.DictReader(handle)}
    graded_ok = [s for s, r in graded["results"].items() if r.ok]
    failing_add = [
        s for s in graded_ok if _scores(graded["course"], s)["test_add"] == 0
    ]
    assert int(rows["test_add"]["graded"]) == len(graded_ok)
    assert int(rows["test_add"]["failed"]) == len(failing_add) >= 3
    assert rows["test_add"]["most_common_message"]
    for row in rows.values():  # messages in words, without NumPy's numbers
        assert "Max absolute difference" not in row["most_common_message"]
    first = next(iter(rows))
    assert float(rows[first]["failure_rate"]) >= float(rows["test_add"]["failure_rate"])
    with scores_csv.open() as handle:
        assert len(list(csv.DictReader(handle))) == len(graded_ok)


# -- issue 11: attacks on the grader, one root cause each ----------------------

FULL = {"test_add": 2, "test_scale": 2, "test_both": 1}
NOTHING = {"test_add": 0, "test_scale": 0, "test_both": 0}
ADD_WRONG = {"test_add": 0, "test_scale": 2, "test_both": 0}


def _page(course: Course, student: str) -> str:
    return (course.root / "feedback" / student / "F1" / "F1.html").read_text()


@pytest.mark.parametrize(
    "student",
    [
        "ipy_run_cell",
        "ipy_input_transformer",
        "ipy_ast_transformer",
        "ipy_post_run_cell",
    ],
)
def test_ipython_hooks_cannot_fake_verdicts_for_a_blank_notebook(graded, student):
    """run_cell replaced, input or AST transformers that empty every later
    cell, a post_run_cell handler that clears errors: the tests run in the
    judge, so a blank notebook stays at 0."""
    assert _scores(graded["course"], student) == NOTHING
    assert graded["rows"][student]["score"] in ("0", "0.0")


def test_patching_in_pre_run_cell_and_restoring_after_changes_nothing(graded):
    assert _scores(graded["course"], "pre_post_patch") == NOTHING
    reason = _verdict(graded["course"], "pre_post_patch", "test_add")["reason"]
    assert "add(1, 2) must be 3" in reason


def test_rebinding_the_helpers_tolerance_and_comparison_changes_nothing(graded):
    assert _scores(graded["course"], "rebinds_helpers") == ADD_WRONG
    reason = _verdict(graded["course"], "rebinds_helpers", "test_both")["reason"]
    assert "scale(add(1, 1), 2) must be 4" in reason


def test_lstm_ref_is_absent_from_the_sandbox_and_the_message_says_so(graded):
    course = graded["course"]
    assert _scores(course, "uses_lstm_ref") == ADD_WRONG
    reason = _verdict(course, "uses_lstm_ref", "test_add")["reason"]
    assert "lstm_ref is not available in the grader" in reason
    # From a thread, too: the package is not there to be imported.
    assert _scores(course, "thread_lstm_ref") == ADD_WRONG
    # Nothing of the package, the solutions or the source is reachable.
    printed = _verdict(course, "ref_hunter", "test_add").get("student_output", "")
    printed += _printed(course, "ref_hunter", "add")
    line = next(x for x in printed.splitlines() if x.startswith("HUNT "))
    assert line == "HUNT []"
    assert _scores(course, "ref_hunter") == FULL


def test_an_array_filled_after_the_call_returns_is_read_as_returned(graded):
    """The channel copies a result's bytes when the call returns: values a
    thread writes later never reach the judge."""
    assert _scores(graded["course"], "lazy_array") == ADD_WRONG


def test_walking_frames_and_modules_finds_no_test_source(graded):
    course = graded["course"]
    assert _scores(course, "frame_walker") == FULL
    printed = _verdict(course, "frame_walker", "test_add")["student_output"]
    assert "WALK []" in printed
    assert "WALK ['" not in printed


def test_memory_is_capped_over_all_of_a_notebooks_processes(graded):
    """Four processes of 600 MiB each are over the 2048 MiB cap together
    (each is under it alone): the group is stopped, and says why."""
    course = graded["course"]
    reason = graded["results"]["fork_memory"].reason
    assert "memory" in reason, reason
    assert _scores(course, "fork_memory")["test_add"] == 2
    assert graded["rows"]["fork_memory"]["status"] == ATTENTION


def test_processes_and_threads_are_capped_per_notebook(graded):
    course = graded["course"]
    printed = _printed(course, "thread_bomb", "scale")
    started = int(printed.split("STARTED")[1].split()[0])
    assert started < 64
    assert (
        "more than 64 processes and threads" in graded["results"]["thread_bomb"].reason
    )
    assert _scores(course, "thread_bomb") == FULL


@pytest.mark.parametrize(
    ("student", "label"), [("tmp_filler", "TMP"), ("workdir_filler", "WORKDIR")]
)
def test_tmp_and_the_working_folder_are_sized_in_memory(graded, student, label):
    """Writing 400 MiB stops at the 64 MiB of the tmpfs, with the OS's own
    error in the student's cell, and nothing reaches the host's disk."""
    course = graded["course"]
    printed = _printed(course, student, "scale")
    written = int(printed.split(f"{label} MiB")[1].split()[0])
    assert 0 < written <= 64
    (error,) = [
        o for o in _cell(course, student, "scale").outputs if o.output_type == "error"
    ]
    # The tmpfs is full, or the file hit the per-file cap first (both 64 MiB).
    assert "No space left on device" in error.evalue or "File too large" in (
        error.evalue
    )
    assert _scores(course, student) == FULL


def test_output_is_cut_per_cell_and_per_notebook(graded):
    course = graded["course"]
    notebook = course.root / "autograded" / "print_flood" / "F1" / "F1.ipynb"
    assert notebook.stat().st_size < 2 << 20
    assert "[output cut at 64 KiB]" in _printed(course, "print_flood", "scale")
    assert len(_page(course, "print_flood")) < 2 << 20
    assert _scores(course, "print_flood") == FULL


def test_the_notebook_has_a_wall_clock_budget_as_well_as_each_cell(graded):
    course = graded["course"]
    assert _scores(course, "sleepy") == {"test_add": 2, "test_scale": 0, "test_both": 0}
    assert (
        f"the notebook's {TIMEOUT} s time limit" in graded["results"]["sleepy"].reason
    )


def test_html_and_scripts_in_outputs_never_run_in_the_feedback_page(graded):
    page = _page(graded["course"], "html_output")
    assert "Content-Security-Policy" in page
    # The student's own code is on the page, escaped; none of what it
    # displayed is there as markup.
    for raw in (
        "<script>document.title",
        '<img src="x" onerror',
        "<script>alert(3)",
        "<b>bold</b>",
        '<script type="application/javascript">',
    ):
        assert raw not in page, raw
    assert "&lt;script&gt;document.title = " in page  # the printed text, escaped
    assert _scores(graded["course"], "html_output") == FULL


def test_placeholder_text_in_outputs_does_not_break_anyones_feedback(graded):
    course = graded["course"]
    page = _page(course, "placeholder")
    assert "MATHBLOCKzzzzMATHEND" in page  # shown as the text it is
    for student, result in graded["results"].items():
        if result.ok:
            assert (course.root / "feedback" / student / "F1" / "F1.html").exists()


def test_garbage_on_the_channel_stops_only_that_notebook(graded):
    reason = graded["results"]["protocol_garbage"].reason
    assert (
        "cannot read"
        in _verdict(graded["course"], "protocol_garbage", "test_add")["reason"]
        or "protocol" in reason
    )
    assert _scores(graded["course"], "protocol_garbage") == NOTHING


def test_values_too_large_or_too_deep_for_the_channel_fail_their_test(graded):
    course = graded["course"]
    assert _scores(course, "huge_return") == ADD_WRONG
    reason = _verdict(course, "huge_return", "test_add")["reason"]
    assert "256 MiB" in reason
    assert _scores(course, "deep_return") == ADD_WRONG


def test_sys_exit_inside_a_tested_function_fails_that_test_only(graded):
    course = graded["course"]
    assert _scores(course, "exits_in_test") == ADD_WRONG
    assert "SystemExit" in _verdict(course, "exits_in_test", "test_add")["reason"]


@pytest.mark.parametrize("student", ["symlinked", "outside"])
def test_symbolic_links_are_never_followed(graded, student):
    row = graded["rows"][student]
    assert row["status"] == ATTENTION
    assert "symbolic link" in row["reason"]
    assert row["score"] == ""
    assert not (graded["course"].root / "feedback" / student).exists()


def test_a_name_that_looks_like_a_formula_is_neutralised_in_the_csv(graded):
    text = (graded["course"].root.parent / "grades.csv").read_text()
    assert "=2+3" in text
    for line in text.splitlines():
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), line


def test_every_honest_student_keeps_full_marks_next_to_the_attacks(graded):
    for student in ("perfect", "warns", "snoop", "writes", "leaker"):
        assert _scores(graded["course"], student) == FULL, student
