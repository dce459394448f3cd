"""Unit tests of autograder/report.py: each function on small known inputs.

A stand-in course (``grader_unit_fakes.FakeCourse``) with autograded
notebooks written here, so every count, rate, message and figure follows
from the table in the test; no nbgrader release or sandbox. The figures are
checked on the Matplotlib objects themselves (bins, range, labels, bars).
These are the tests ``make mutation`` runs against report.py.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
from grader_unit_fakes import A, FakeCourse, set_status, submission

from autograder import report
from autograder.export import LatePolicy
from autograder.report import Match
from autograder.report import TestStats as Stats

PNG = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- TestStats


def test_failure_rate_and_top_message():
    stats = Stats("t")
    assert stats.failure_rate == 0.0
    assert stats.top_message() == ("", 0)
    stats.graded, stats.failed = 4, 1
    assert stats.failure_rate == 0.25
    stats.messages = Counter({"a": 1, "b": 3, "c": 2})
    assert stats.top_message() == ("b", 3)


def test_short_drops_numpy_details_and_cuts_at_the_limit():
    message = """
    Arrays are not almost equal: h is wrong
    Not equal to tolerance rtol=1e-07
    Mismatched elements: 3 / 4 (75%)
    Max absolute difference: 0.5
    Max relative difference: 0.25
     ACTUAL: array([1.])
     DESIRED: array([2.])
     x: array([1.])
     y: array([2.])
    (shapes (2,), (3,) mismatch)

      check   the gate
    """
    assert (
        report._short(message)
        == "Arrays are not almost equal: h is wrong check   the gate"
    )
    assert report._short("a" * 200) == "a" * 200
    assert report._short("a" * 201) == "a" * 199 + "…"
    assert report._short("abcdef", limit=5) == "abcd…"
    assert report._short("abcde", limit=5) == "abcde"


# ------------------------------------------------------------ collect_stats


def _graded_notebook(verdicts: dict[str, tuple[float, bool, str] | None]):
    """Test cells grade_id -> (points, passed, reason), or None: not run."""
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("x = 1")
    answer.metadata["nbgrader"] = {"grade_id": "answer", "solution": True}
    answer.metadata["autograder"] = {"passed": False, "reason": "not a test"}
    nb.cells.append(answer)
    nb.cells.append(nbformat.v4.new_markdown_cell("text"))
    for grade_id, verdict in verdicts.items():
        cell = nbformat.v4.new_code_cell("assert x")
        meta = {"grade_id": grade_id, "grade": True, "solution": False}
        if verdict is not None:
            meta["points"] = verdict[0]
            cell.metadata["autograder"] = {"passed": verdict[1], "reason": verdict[2]}
        cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nb


def _autograded(root: Path, student: str, verdicts, name="A1.ipynb") -> None:
    folder = root / "autograded" / student / A
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(_graded_notebook(verdicts), folder / name)


def _rows(*scored: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"student_id": s, "score": v, "max_score": m} for s, v, m in scored]


def test_collect_stats_counts_every_test_of_every_graded_student(tmp_path):
    course = FakeCourse(tmp_path)
    _autograded(
        tmp_path,
        "ann",
        {
            "test_a": (2, True, ""),
            "test_b": (3, False, "b is wrong\nMax absolute difference: 1"),
        },
    )
    _autograded(tmp_path, "ann", {"test_c": (1.5, False, "c")}, name="B.ipynb")
    _autograded(
        tmp_path, "bob", {"test_a": (2, False, "a"), "test_b": (3, False, "b is wrong")}
    )
    _autograded(tmp_path, "cy", {"test_a": (2, False, "a"), "test_b": None})
    _autograded(tmp_path, "dee", {"test_a": (2, False, "not graded: no score")})
    rows = _rows(
        ("ann", "2", "6.5"), ("bob", "0", "5"), ("cy", "0.5", "5"), ("dee", "", "")
    )
    scores, stats = report.collect_stats(course, A, rows)
    assert scores == [("ann", 2.0, 6.5), ("bob", 0.0, 5.0), ("cy", 0.5, 5.0)]
    assert [s.grade_id for s in stats] == ["test_b", "test_c", "test_a"]
    b, c, a = stats
    assert (b.points, b.graded, b.failed) == (3.0, 2, 2)
    assert b.messages == Counter({"b is wrong": 2})
    assert (c.points, c.graded, c.failed) == (1.5, 1, 1)
    assert (a.points, a.graded, a.failed) == (2.0, 3, 2)
    assert a.messages == Counter({"a": 2})
    assert a.failure_rate == pytest.approx(2 / 3)


def test_collect_stats_lists_unrun_tests_and_orders_ties_by_name(tmp_path):
    course = FakeCourse(tmp_path)
    _autograded(tmp_path, "ann", {"test_z": (1, True, ""), "test_b": (1, True, "")})
    scores, stats = report.collect_stats(course, A, _rows(("ann", "2", "2")))
    assert [s.grade_id for s in stats] == ["test_a", "test_b", "test_z"]
    assert stats[0].graded == 0
    assert stats[0].points == 0.0
    nb = _graded_notebook({})
    cell = nbformat.v4.new_code_cell("assert y")
    cell.metadata["nbgrader"] = {"grade_id": "test_p", "grade": True}
    cell.metadata["autograder"] = {"passed": True, "reason": ""}
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "autograded" / "ann" / A / "C.ipynb")
    _, stats = report.collect_stats(course, A, _rows(("ann", "2", "2")))
    by_id = {s.grade_id: s for s in stats}
    assert by_id["test_p"].points == 0.0
    assert by_id["test_p"].graded == 1


# ----------------------------------------------------------------- figures


def _captured(monkeypatch) -> list:
    figures = []

    def capture(figure):
        figures.append(figure)
        return "png"

    monkeypatch.setattr(report, "_figure_png", capture)
    return figures


def test_figure_png_is_an_inline_png_at_110_dpi_cropped_and_closes_the_figure():
    plt.close("all")
    figure = plt.figure(figsize=(2, 1))
    axes = figure.add_axes((0.25, 0.25, 0.5, 0.5))
    axes.plot([0, 1], [0, 1])
    axes.set_axis_off()
    other = plt.figure()  # the current figure is not the one to close
    png = base64.b64decode(report._figure_png(figure))
    assert png.startswith(PNG)
    assert plt.get_fignums() == [other.number]
    plt.close("all")
    # The pHYs chunk holds the resolution in pixels per metre: 110 dpi.
    at = png.index(b"pHYs")
    assert int.from_bytes(png[at + 4 : at + 8], "big") == round(110 / 0.0254)
    # Cropped to the drawing (bbox_inches="tight"): the line's 1 x 0.5 inches
    # and the padding, not the whole 2 x 1 inch figure (220 x 110 pixels).
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert 110 < width < 180  # 132 with Matplotlib 3.11
    assert 55 < height < 100  # 77


def test_histogram_of_the_scores(monkeypatch):
    figures = _captured(monkeypatch)
    scores = [("a", 3.0, 10.0), ("b", 10.0, 10.0), ("c", 7.5, 10.0), ("d", 3.0, 10.0)]
    assert report._histogram(scores, "A1") == "png"
    (figure,) = figures
    (axes,) = figure.axes
    assert tuple(figure.get_size_inches()) == (6.4, 3.2)
    bars = axes.patches
    assert len(bars) == 10
    assert bars[0].get_x() == pytest.approx(0.0)
    assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(10.0)
    assert [b.get_height() for b in bars] == [0, 0, 0, 2, 0, 0, 0, 1, 0, 1]
    assert bars[0].get_facecolor()[:3] == pytest.approx(
        (0x48 / 255, 0x78 / 255, 0xA8 / 255)
    )
    assert axes.get_xlabel() == "score (points out of 10)"
    assert axes.get_ylabel() == "students"
    assert axes.get_title() == "A1: scores of 4 graded students"
    plt.close("all")


@pytest.mark.parametrize(("top", "bins"), [(2.0, 5), (7.0, 7), (25.0, 20), (7.9, 7)])
def test_histogram_bins_follow_the_points_between_5_and_20(monkeypatch, top, bins):
    figures = _captured(monkeypatch)
    report._histogram([("a", 1.0, top), ("b", 1.0, top / 2)], "A1")
    (axes,) = figures[0].axes
    assert len(axes.patches) == bins
    assert axes.patches[-1].get_x() + axes.patches[-1].get_width() == pytest.approx(top)
    plt.close("all")


def test_histogram_of_nobody(monkeypatch):
    figures = _captured(monkeypatch)
    report._histogram([], "A1")
    (axes,) = figures[0].axes
    assert len(axes.patches) == 5
    assert axes.patches[-1].get_x() + axes.patches[-1].get_width() == pytest.approx(1.0)
    assert axes.get_xlabel() == "score (points out of 1)"
    assert axes.get_title() == "A1: scores of 0 graded students"
    plt.close("all")


def test_failure_bars(monkeypatch):
    figures = _captured(monkeypatch)
    stats = [
        Stats("t1", graded=4, failed=3),
        Stats("t2"),
        Stats("t3", graded=2, failed=1),
    ]
    assert report._failure_bars(stats, "A1") == "png"
    (figure,) = figures
    (axes,) = figure.axes
    assert tuple(figure.get_size_inches()) == pytest.approx((6.4, 0.3 * 2 + 1.0))
    bars = axes.patches
    assert [b.get_width() for b in bars] == [50.0, 75.0]
    labels = [t.get_text() for t in axes.get_yticklabels()]
    assert labels == ["t3", "t1"]
    assert bars[0].get_facecolor()[:3] == pytest.approx(
        (0xC0 / 255, 0x50 / 255, 0x4D / 255)
    )
    assert axes.get_xlim() == (0.0, 100.0)
    assert axes.get_xlabel() == "students failing the test (%)"
    assert axes.get_title() == "A1: failure rate per test"
    plt.close("all")


# ------------------------------------------------------------- similarity


def _answers_notebook(code: str):
    nb = nbformat.v4.new_notebook()
    for number, part in enumerate(code.split("\n\n\n")):
        cell = nbformat.v4.new_code_cell(part)
        cell.metadata["nbgrader"] = {"grade_id": f"answer_{number}", "solution": True}
        nb.cells.append(cell)
    return nb


STARTER = (
    "def forget_gate(x, h):\n    # your code here\n    raise NotImplementedError\n"
)
SHARED = """def forget_gate(x, h, weights, bias):
    total = 0.0
    for index, value in enumerate(x):
        total = total + weights[index] * value + h[index] * 0.5
    result = 1.0 / (1.0 + math.exp(-(total + bias)))
    return result * 2.0 - 1.0 if result > 0.5 else result
"""
OWN = """def f(a, b):
    return [q ** 3 - q for q in range(int(a * b))]
"""


def _similar_class(root: Path) -> None:
    folder = root / "release" / A
    folder.mkdir(parents=True)
    nbformat.write(_answers_notebook(STARTER), folder / "A1.ipynb")
    reference = (report.REFERENCE_DIR / "optim.py").read_text("utf-8")
    code = {
        "ann": STARTER + "\n\n\n" + SHARED,
        "bob": SHARED,
        "cy": OWN,
        "dee": reference,
        "eve": "",
    }
    for student, text in code.items():
        folder = root / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(_answers_notebook(text), folder / "A1.ipynb")


def test_similarity_finds_the_pair_and_the_pasted_reference(tmp_path):
    _similar_class(tmp_path)
    course = FakeCourse(tmp_path)
    pairs, reference = report.similarity_pairs(
        course, A, ["ann", "bob", "cy", "dee", "eve"]
    )
    assert [(m.left, m.right) for m in pairs] == [("ann", "bob")]
    (pair,) = pairs
    # ann also has the starter code, which counts as ann's but is never shared.
    assert 0.6 < pair.left_share < 0.9
    assert pair.right_share == pytest.approx(1.0)
    assert "<mark>" in pair.left_html
    assert "<mark>" in pair.right_html
    assert [(m.left, m.right) for m in reference] == [("dee", "lstm_ref/optim.py")]
    assert reference[0].left_share > 0.9
    assert reference[0].right_share > 0.9


def test_compare_without_overlap_is_none():
    a = report._fingerprint("a", SHARED, None)
    b = report._fingerprint("b", OWN, None)
    assert report._compare(a, b, "a", "b") is None
    match = report._compare(a, report._fingerprint("c", SHARED, None), "a", "c")
    assert (match.left, match.right) == ("a", "c")
    assert match.left_html.count("<mark>") == 1


def test_similarity_html():
    pair = Match("ann", "bob", 0.91, 0.6, "<mark>x</mark>", "y &amp; z")
    ref = Match("cy<", "lstm_ref/lstm.py", 0.5, 0.02, "a", "b")
    page = report._similarity_html([pair], [ref])
    assert page == (
        "<h2>Similar code</h2>\n"
        "<p>1 pairs of students share at least 60% of their answer code (starter "
        "code excluded); the shared passages are highlighted.</p>\n"
        "<h3><code>ann</code> (91% shared) and <code>bob</code> (60% shared)</h3>"
        '<table class="side"><tr><td><pre><mark>x</mark></pre></td>'
        "<td><pre>y &amp; z</pre></td></tr></table>\n"
        "<h2>Code close to lstm_ref</h2><p>1 students have at least 50% of their "
        "answer code in common with the reference package's source.</p>\n"
        "<h3><code>cy&lt;</code> (50% shared) and <code>lstm_ref/lstm.py</code> "
        '(2% shared)</h3><table class="side"><tr><td><pre>a</pre></td>'
        "<td><pre>b</pre></td></tr></table>"
    )


def test_limits_not_enforced(tmp_path):
    folder = tmp_path / "autograded" / "ann" / A
    folder.mkdir(parents=True)
    meta = {"metadata": {"autograder": {"limits_not_enforced": ["memory", 3]}}}
    (folder / "A1.ipynb").write_text(json.dumps(meta))
    (folder / "B.ipynb").write_text("{")
    (folder / "C.ipynb").write_text(json.dumps({"metadata": {}}))
    (folder / "D.ipynb").write_text(json.dumps({}))
    course = FakeCourse(tmp_path)
    assert report._limits_not_enforced(course, A, "ann") == ["memory", "3"]
    assert report._limits_not_enforced(course, A, "bob") == []


# -------------------------------------------------------------- write_report


def _report_class(root: Path) -> FakeCourse:
    """ann 5/5, bob 2/5 late, cy 0/5, dee not collected, eve no grade."""
    course = FakeCourse(
        root,
        [
            submission("ann", 5.0, 5.0, {"test_a": 2, "test_b": 3}),
            submission("bob", 2.0, 5.0, {"test_a": 2, "test_b": 0}),
            submission("cy", 0.0, 5.0, {"test_a": 0, "test_b": 0}),
        ],
    )
    set_status(
        root,
        ann={"collected": True, "graded": True, "name": "Ann <A>"},
        bob={
            "collected": True,
            "graded": True,
            "late": True,
            "name": "Bob",
            "keys": {"timestamp": "2024-05-02T13:00:00"},
        },
        cy={"collected": True, "graded": True, "late": True},
        dee={"collected": False, "collect_problems": ["not <JSON>"]},
        eve={"collected": True, "graded": None},
    )
    _autograded(root, "ann", {"test_a": (2, True, ""), "test_b": (3, True, "")})
    _autograded(root, "bob", {"test_a": (2, True, ""), "test_b": (3, False, "b & c")})
    _autograded(root, "cy", {"test_a": (2, False, "a"), "test_b": (3, False, "b & c")})
    for student in ("ann", "bob", "cy", "eve"):
        folder = root / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(_answers_notebook(f"x = {len(student)}"), folder / "A1.ipynb")
    return course


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8"))))


def test_write_report_csv_files_cell_by_cell(tmp_path):
    course = _report_class(tmp_path / "c")
    out = tmp_path / "out" / "deep"
    policy = LatePolicy("per-day", 0.5, "2024-05-01T12:00:00")
    paths = report.write_report(course, A, out, policy=policy)
    assert paths == [
        out / "A1_report.html",
        out / "A1_tests.csv",
        out / "A1_scores.csv",
    ]
    assert _csv(out / "A1_tests.csv") == [
        [
            "grade_id",
            "points",
            "graded",
            "failed",
            "failure_rate",
            "most_common_message",
            "message_count",
        ],
        ["test_b", "3", "3", "2", "0.667", "b & c", "2"],
        ["test_a", "2", "3", "1", "0.333", "a", "1"],
    ]
    assert _csv(out / "A1_scores.csv") == [
        ["student_id", "score", "max_score", "late", "flags"],
        ["ann", "5", "5", "", ""],
        ["bob", "1", "5", "yes", "late"],
        ["cy", "0", "5", "yes", "late"],
    ]


def test_write_report_page(tmp_path):
    course = _report_class(tmp_path / "c")
    out = tmp_path / "out"
    page_path, *_ = report.write_report(course, A, out)
    page = page_path.read_text("utf-8")
    assert page.startswith(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    )
    assert "<title>A1: grading report</title>" in page
    assert "<h1>A1: grading report</h1>" in page
    assert (
        "<p>3 students graded; mean score 2.3 of 5.\n2 students need attention. "
        "2 submitted late\n(no late penalty).</p>"
    ) in page
    assert page.count('src="data:image/png;base64,') == 2
    for encoded in page.split('src="data:image/png;base64,')[1:]:
        assert base64.b64decode(encoded.split('"', 1)[0]).startswith(PNG)
    assert (
        "<tr><td><code>test_b</code></td><td>3</td><td>2/3</td><td>67%</td>"
        "<td>b &amp; c <em>(2×)</em></td></tr>\n"
        "<tr><td><code>test_a</code></td><td>2</td><td>1/3</td><td>33%</td>"
        "<td>a <em>(1×)</em></td></tr>"
    ) in page
    assert (
        "<h2>Needs attention</h2>\n<ul>\n"
        "<li><code>dee</code>: not &lt;JSON&gt;</li>\n"
        "<li><code>eve</code>: collected but not autograded yet</li>\n</ul>"
    ) in page
    assert (
        "<h2>Late</h2>\n<ul>\n<li><code>bob</code> (Bob)</li>\n"
        "<li><code>cy</code></li>\n</ul>"
    ) in page
    assert "<p>Every sandbox limit was enforced.</p>" in page
    assert "Similar code" not in page
    assert page.endswith("</body></html>\n")


def test_write_report_page_of_a_class_with_nobody(tmp_path):
    course = FakeCourse(tmp_path / "c", [])
    page = report.write_report(course, A, tmp_path / "out")[0].read_text("utf-8")
    assert "<p>0 students graded; mean score 0.0 of 0.\n0 students need" in page
    assert "<h2>Needs attention</h2>\n<ul>\n<li>nobody</li>\n</ul>" in page
    assert "<h2>Late</h2>\n<ul>\n<li>nobody</li>\n</ul>" in page
    assert (
        "<tr><td><code>test_a</code></td><td>0</td><td>0/0</td><td>0%</td><td></td></tr>"
        in page
    )


def test_write_report_uses_the_recorded_policy_and_lists_penalties(tmp_path):
    course = _report_class(tmp_path / "c")
    LatePolicy("zero").record(course, A)
    page_path, _, scores_csv = report.write_report(course, A, tmp_path / "out")
    page = page_path.read_text("utf-8")
    assert "(late submissions score 0)" in page
    assert "<li><code>bob</code> (Bob): penalty 2</li>" in page
    assert "mean score 1.7 of 5." in page
    assert _csv(scores_csv)[2] == ["bob", "0", "5", "yes", "late"]


def test_write_report_lists_the_limits_not_enforced(tmp_path):
    course = _report_class(tmp_path / "c")
    for student, limits in {"ann": ["memory <1 GiB>", "cpu"], "bob": ["cpu"]}.items():
        path = tmp_path / "c" / "autograded" / student / A / "A1.ipynb"
        nb = json.loads(path.read_text())
        nb["metadata"]["autograder"] = {"limits_not_enforced": limits}
        path.write_text(json.dumps(nb))
    page = report.write_report(course, A, tmp_path / "out")[0].read_text("utf-8")
    assert (
        "<h2>Limits this machine did not enforce</h2>\n<ul>\n<li>cpu</li>\n"
        "<li>memory &lt;1 GiB&gt;</li>\n</ul>"
    ) in page
    assert "Every sandbox limit was enforced" not in page


def test_write_report_with_similarity(tmp_path):
    root = tmp_path / "c"
    _similar_class(root)
    course = FakeCourse(root, [])
    out = tmp_path / "out"
    paths = report.write_report(course, A, out, similarity=True)
    assert paths[-1] == out / "A1_similarity.csv"
    rows = _csv(out / "A1_similarity.csv")
    assert rows[0] == ["kind", "student", "other", "share", "other_share"]
    assert rows[1] == ["pair", "ann", "bob", f"{0.8195:.3f}", "1.000"]
    assert [r[:3] for r in rows[2:]] == [["lstm_ref", "dee", "lstm_ref/optim.py"]]
    assert float(rows[2][3]) > 0.9
    page = paths[0].read_text("utf-8")
    assert "<h2>Similar code</h2>" in page
    assert "<p>1 pairs of students share" in page
    assert "<h2>Code close to lstm_ref</h2><p>1 students" in page


# A stand-in lstm_ref of two identical modules, and a class built around it.
REF = """def clip(grads, max_norm):
    total = sum(float((g * g).sum()) for g in grads.values()) ** 0.5
    scale = max_norm / total if total > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total
"""
WINDOW = """def window(series, size):
    out = []
    for start in range(len(series) - size + 1):
        out.append(series[start:start + size])
    return out
"""
COUNTER = """class Counter:
    def __init__(self):
        self.counts = {}
    def add(self, word):
        self.counts[word] = self.counts.get(word, 0) + 1
        return self.counts[word]
"""
TABLE = """def sigmoid_table(n):
    import math
    return [1 / (1 + math.exp(-k / n)) for k in range(-n, n + 1)]
"""
STARTER3 = "\n\n\n".join(
    f"def {gate}_gate(x, h):\n    # your code here\n    raise NotImplementedError\n"
    for gate in ("forget", "input", "output")
)


@pytest.fixture
def ranked_class(tmp_path, monkeypatch) -> FakeCourse:
    """Pairs of three strengths, two students close to the reference, and two
    who submitted the starter untouched (three cells)."""
    reference = tmp_path / "lstm_ref"
    reference.mkdir()
    (reference / "a.py").write_text(REF)
    (reference / "b.py").write_text(REF)
    monkeypatch.setattr(report, "REFERENCE_DIR", reference)
    root = tmp_path / "course"
    (root / "release" / A).mkdir(parents=True)
    nbformat.write(_answers_notebook(STARTER3), root / "release" / A / "A1.ipynb")
    code = {
        "ann": SHARED,
        "bob": SHARED + "\n\n\n" + WINDOW,
        "cy": REF + "\n\n\n" + TABLE,
        "dee": REF,
        "fay": COUNTER,
        "gus": COUNTER,
        "s1": STARTER3,
        "s2": STARTER3,
    }
    for student, text in code.items():
        folder = root / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(_answers_notebook(text), folder / "A1.ipynb")
    return FakeCourse(root)


def test_similarity_ranks_pairs_and_reference_matches_by_share(ranked_class):
    students = ranked_class.submitted_students(A)
    pairs, reference = report.similarity_pairs(ranked_class, A, students)
    # Strongest first; the untouched starter (s1, s2) is never shared code.
    assert [(m.left, m.right) for m in pairs] == [
        ("fay", "gus"),
        ("ann", "bob"),
        ("cy", "dee"),
    ]
    assert [min(m.left_share, m.right_share) for m in pairs] == pytest.approx(
        [1.0, 0.6527, 0.6104], abs=1e-4
    )
    # dee's code is equally close to a.py and b.py: the first one is named.
    assert [(m.left, m.right) for m in reference] == [
        ("dee", "lstm_ref/a.py"),
        ("cy", "lstm_ref/a.py"),
    ]
    assert [m.left_share for m in reference] == pytest.approx([1.0, 0.6104], abs=1e-4)
    assert [m.right_share for m in reference] == pytest.approx([1.0, 1.0])


def test_similarity_thresholds_include_their_boundary(ranked_class, monkeypatch):
    students = ranked_class.submitted_students(A)
    pairs, reference = report.similarity_pairs(ranked_class, A, students)
    weakest = min(pairs[-1].left_share, pairs[-1].right_share)
    monkeypatch.setattr(report, "PAIR_THRESHOLD", weakest)
    monkeypatch.setattr(report, "REFERENCE_THRESHOLD", reference[-1].left_share)
    again, again_reference = report.similarity_pairs(ranked_class, A, students)
    assert len(again) == 3
    assert len(again_reference) == 2


def test_the_starter_in_the_reference_is_not_counted_against_it(tmp_path, monkeypatch):
    # The starter holds half of the reference module: a student who pasted the
    # whole module shares all of the module's own code (right share 1).
    reference = tmp_path / "lstm_ref"
    reference.mkdir()
    (reference / "m.py").write_text(REF + "\n\n" + WINDOW)
    monkeypatch.setattr(report, "REFERENCE_DIR", reference)
    root = tmp_path / "course"
    (root / "release" / A).mkdir(parents=True)
    nbformat.write(_answers_notebook(WINDOW), root / "release" / A / "A1.ipynb")
    (root / "submitted" / "dee" / A).mkdir(parents=True)
    nbformat.write(
        _answers_notebook(REF + "\n\n\n" + WINDOW),
        root / "submitted" / "dee" / A / "A1.ipynb",
    )
    _, (match,) = report.similarity_pairs(FakeCourse(root), A, ["dee"])
    assert match.right_share == pytest.approx(1.0)


def test_compare_marks_the_shared_passage_and_escapes_the_code():
    code = SHARED.replace("result > 0.5", "result < 0.5 and x & 1")
    a = report._fingerprint("a", code, None)
    b = report._fingerprint("b", code + "\n" + OWN, None)
    match = report._compare(a, b, "a", "b")
    for marked, source in (
        (match.left_html, code),
        (match.right_html, code + "\n" + OWN),
    ):
        assert marked.count("<mark>") == marked.count("</mark>") >= 1
        plain = marked.replace("<mark>", "").replace("</mark>", "")
        assert html.unescape(plain) == source
        assert "&lt; 0.5 and x &amp; 1" in marked


def test_similarity_html_says_the_reference_threshold(monkeypatch):
    monkeypatch.setattr(report, "REFERENCE_THRESHOLD", 0.7)
    assert "at least 70% of their answer code in common" in report._similarity_html(
        [], []
    )


def test_limits_not_enforced_read_past_an_unreadable_notebook(tmp_path):
    folder = tmp_path / "autograded" / "ann" / A
    folder.mkdir(parents=True)
    (folder / "A0.ipynb").write_text("{")
    meta = {"metadata": {"autograder": {"limits_not_enforced": ["pids"]}}}
    (folder / "A1.ipynb").write_text(json.dumps(meta))
    assert report._limits_not_enforced(FakeCourse(tmp_path), A, "ann") == ["pids"]


def test_write_report_twice_into_one_folder_and_its_figures(tmp_path, monkeypatch):
    course = _report_class(tmp_path / "c")
    out = tmp_path / "out"
    report.write_report(course, A, out)
    figures = _captured(monkeypatch)
    page = report.write_report(course, A, out)[0].read_text("utf-8")
    assert page.count('src="data:image/png;base64,png"') == 2
    histogram, bars = figures
    (axes,) = histogram.axes
    assert axes.get_title() == "A1: scores of 3 graded students"
    assert [b.get_height() for b in axes.patches] == [1, 0, 1, 0, 1]
    (axes,) = bars.axes
    assert axes.get_title() == "A1: failure rate per test"
    assert [t.get_text() for t in axes.get_yticklabels()] == ["test_a", "test_b"]
    assert [b.get_width() for b in axes.patches] == pytest.approx([100 / 3, 200 / 3])
    assert page.endswith(
        "</ul>\n<p>Every sandbox limit was enforced.</p>\n\n</body></html>\n"
    )
    plt.close("all")
