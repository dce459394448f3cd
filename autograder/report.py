"""The instructor's report: how the class did, and which tests it fails.

``python -m autograder report A2 --out DIR`` writes

- ``DIR/A2_report.html``: one self-contained page (figures inlined as PNG,
  nothing loaded from elsewhere) with the score histogram, the failure rate
  of every test and each test's most common failure message;
- ``DIR/A2_tests.csv``: per test ``grade_id, points, graded, failed,
  failure_rate, most_common_message, message_count``, most failed first;
- ``DIR/A2_scores.csv``: ``student_id, score, max_score, late, flags`` of
  every graded student (the score after a late penalty, if export recorded
  one or ``--late-policy`` asks for one);
- with ``--similarity``, ``DIR/A2_similarity.csv``: pairs of students whose
  answer cells are near-identical, and students whose answers are close to
  ``lstm_ref``'s own source (pasted reference code), found with copydetect
  (winnowed fingerprints, as in MOSS); the page shows the matching passages
  side by side.

The failure messages are the ones the sandbox recorded for each test cell
(``cell.metadata.autograder.reason`` in ``autograded/``), i.e. what the
student was told.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402

from autograder.course import REPO_DIR, Course  # noqa: E402
from autograder.export import OK, LatePolicy, _answers, grade_rows  # noqa: E402


@dataclass
class TestStats:
    grade_id: str
    points: float = 0.0
    graded: int = 0
    failed: int = 0
    messages: Counter = field(default_factory=Counter)

    @property
    def failure_rate(self) -> float:
        return self.failed / self.graded if self.graded else 0.0

    def top_message(self) -> tuple[str, int]:
        if not self.messages:
            return "", 0
        return self.messages.most_common(1)[0]


# Lines of NumPy's assertion messages that differ from student to student
# (the numbers), and would split one mistake into many messages.
_DETAIL_PREFIXES = (
    "Not equal to tolerance",
    "Mismatched elements",
    "Max absolute difference",
    "Max relative difference",
    "ACTUAL:",
    "DESIRED:",
    "x:",
    "y:",
    "(shapes",
)


def _short(message: str, limit: int = 200) -> str:
    """The words of a failure message, without the numbers NumPy adds."""
    lines = [line.strip() for line in message.strip().splitlines()]
    kept = [line for line in lines if line and not line.startswith(_DETAIL_PREFIXES)]
    text = " ".join(kept)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def collect_stats(
    course: Course, assignment: str, all_rows: list[dict[str, str]]
) -> tuple[list[tuple[str, float, float]], list[TestStats]]:
    """Scores of the graded students, and per-test outcomes.

    ``all_rows`` are the export's rows (``export.grade_rows``).
    """
    rows = [r for r in all_rows if r["score"] != ""]
    scores = [(r["student_id"], float(r["score"]), float(r["max_score"])) for r in rows]
    stats: dict[str, TestStats] = {
        grade_id: TestStats(grade_id) for grade_id in course.grade_ids(assignment)
    }
    for row in rows:
        folder = course.root / "autograded" / row["student_id"] / assignment
        for path in sorted(folder.glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                meta = cell.metadata.get("nbgrader", {})
                verdict = cell.metadata.get("autograder")
                if not meta.get("grade") or verdict is None:
                    continue
                entry = stats.setdefault(meta["grade_id"], TestStats(meta["grade_id"]))
                entry.points = float(meta.get("points", 0))
                entry.graded += 1
                if not verdict["passed"]:
                    entry.failed += 1
                    entry.messages[_short(verdict["reason"])] += 1
    ordered = sorted(stats.values(), key=lambda s: (-s.failure_rate, s.grade_id))
    return scores, ordered


def _figure_png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _histogram(scores: list[tuple[str, float, float]], assignment: str) -> str:
    figure, axes = plt.subplots(figsize=(6.4, 3.2))
    values = [score for _, score, _ in scores]
    top = max((m for _, _, m in scores), default=1.0)
    axes.hist(values, bins=min(20, max(5, int(top))), range=(0, top), color="#4878a8")
    axes.set_xlabel(f"score (points out of {top:g})")
    axes.set_ylabel("students")
    axes.set_title(f"{assignment}: scores of {len(values)} graded students")
    return _figure_png(figure)


def _failure_bars(stats: list[TestStats], assignment: str) -> str:
    shown = [s for s in stats if s.graded]
    figure, axes = plt.subplots(figsize=(6.4, 0.3 * len(shown) + 1.0))
    axes.barh(
        [s.grade_id for s in shown][::-1],
        [100 * s.failure_rate for s in shown][::-1],
        color="#c0504d",
    )
    axes.set_xlim(0, 100)
    axes.set_xlabel("students failing the test (%)")
    axes.set_title(f"{assignment}: failure rate per test")
    return _figure_png(figure)


# copydetect's defaults: k-grams of 25 characters of normalised code, and
# every shared passage of 25 or more found. A pair is listed when at least
# this share of each side's fingerprinted code is shared.
PAIR_THRESHOLD = 0.6
REFERENCE_THRESHOLD = 0.5
REFERENCE_DIR = REPO_DIR / "lstm_ref"


@dataclass
class Match:
    left: str
    right: str
    left_share: float
    right_share: float
    left_html: str
    right_html: str


def _fingerprint(name: str, code: str, boilerplate):
    from copydetect import CodeFingerprint, defaults

    window = defaults.GUARANTEE_THRESHOLD - defaults.NOISE_THRESHOLD + 1
    return CodeFingerprint(
        name,
        defaults.NOISE_THRESHOLD,
        window,
        boilerplate=boilerplate,
        language="python",
        fp=io.StringIO(code),
    )


def _compare(a, b, left: str, right: str) -> Match | None:
    from copydetect import compare_files
    from copydetect.utils import highlight_overlap

    overlap, (share_a, share_b), (slices_a, slices_b) = compare_files(a, b)
    if not overlap:
        return None
    mark = ("<mark>", "</mark>")
    html_a, _ = highlight_overlap(a.raw_code, slices_a, *mark, escape_html=True)
    html_b, _ = highlight_overlap(b.raw_code, slices_b, *mark, escape_html=True)
    return Match(left, right, float(share_a), float(share_b), html_a, html_b)


def similarity_pairs(
    course: Course, assignment: str, students: list[str]
) -> tuple[list[Match], list[Match]]:
    """Near-identical pairs of students, and students close to lstm_ref.

    Each student's code is their notebook's answer cells; what the released
    notebook already had in them (the starter code) is boilerplate and never
    counts as shared.
    """
    released = course.root / "release" / assignment
    starter = "\n\n".join(
        v for p in sorted(released.glob("*.ipynb")) for v in _answers(p).values()
    )
    boilerplate = list(_fingerprint("starter", starter, None).hashes)
    prints = {}
    for student in students:
        folder = course.root / "submitted" / student / assignment
        code = "\n\n".join(
            v for p in sorted(folder.glob("*.ipynb")) for v in _answers(p).values()
        )
        if code.strip():
            prints[student] = _fingerprint(student, code, boilerplate)
    pairs = []
    names = sorted(prints)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            match = _compare(prints[first], prints[second], first, second)
            if match and min(match.left_share, match.right_share) >= PAIR_THRESHOLD:
                pairs.append(match)
    reference = []
    modules = {
        f"lstm_ref/{p.name}": _fingerprint(p.name, p.read_text("utf-8"), boilerplate)
        for p in sorted(REFERENCE_DIR.glob("*.py"))
    }
    for student in names:
        best = None
        for module, fingerprint in modules.items():
            match = _compare(prints[student], fingerprint, student, module)
            if match and (best is None or match.left_share > best.left_share):
                best = match
        if best and best.left_share >= REFERENCE_THRESHOLD:
            reference.append(best)
    pairs.sort(key=lambda m: -min(m.left_share, m.right_share))
    reference.sort(key=lambda m: -m.left_share)
    return pairs, reference


def _similarity_html(pairs: list[Match], reference: list[Match]) -> str:
    def block(match: Match) -> str:
        return (
            f"<h3><code>{html.escape(match.left)}</code> "
            f"({100 * match.left_share:.0f}% shared) and "
            f"<code>{html.escape(match.right)}</code> "
            f"({100 * match.right_share:.0f}% shared)</h3>"
            '<table class="side"><tr>'
            f"<td><pre>{match.left_html}</pre></td>"
            f"<td><pre>{match.right_html}</pre></td></tr></table>"
        )

    parts = ["<h2>Similar code</h2>"]
    parts.append(
        f"<p>{len(pairs)} pairs of students share at least "
        f"{100 * PAIR_THRESHOLD:.0f}% of their answer code (starter code "
        "excluded); the shared passages are highlighted.</p>"
    )
    parts += [block(m) for m in pairs]
    parts.append(
        f"<h2>Code close to lstm_ref</h2><p>{len(reference)} students have at "
        f"least {100 * REFERENCE_THRESHOLD:.0f}% of their answer code in common "
        "with the reference package's source.</p>"
    )
    parts += [block(m) for m in reference]
    return "\n".join(parts)


def _limits_not_enforced(course: Course, assignment: str, student: str) -> list[str]:
    """What the sandbox said it could not enforce for this student's notebooks."""
    found = []
    folder = course.root / "autograded" / student / assignment
    for path in sorted(folder.glob("*.ipynb")):
        try:
            meta = json.loads(path.read_text("utf-8")).get("metadata", {})
        except (OSError, ValueError):
            continue
        found += meta.get("autograder", {}).get("limits_not_enforced", [])
    return [str(limit) for limit in found]


def write_report(
    course: Course,
    assignment: str,
    out_dir: Path,
    *,
    policy: LatePolicy | None = None,
    similarity: bool = False,
) -> list[Path]:
    """Write the HTML page and the CSV files; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    policy = policy or LatePolicy.recorded(course, assignment)
    all_rows = grade_rows(course, assignment, policy)
    scores, stats = collect_stats(course, assignment, all_rows)
    tests_csv = out_dir / f"{assignment}_tests.csv"
    with tests_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "grade_id",
                "points",
                "graded",
                "failed",
                "failure_rate",
                "most_common_message",
                "message_count",
            ]
        )
        for s in stats:
            message, count = s.top_message()
            writer.writerow(
                [
                    s.grade_id,
                    f"{s.points:g}",
                    s.graded,
                    s.failed,
                    f"{s.failure_rate:.3f}",
                    message,
                    count,
                ]
            )
    scores_csv = out_dir / f"{assignment}_scores.csv"
    with scores_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "score", "max_score", "late", "flags"])
        by_id = {r["student_id"]: r for r in all_rows}
        writer.writerows(
            [s, f"{v:g}", f"{m:g}", by_id[s]["late"], by_id[s]["flags"]]
            for s, v, m in scores
        )
    attention = [r for r in all_rows if r["status"] != OK]
    late = [r for r in all_rows if r["late"]]
    late_html = "\n".join(
        f"<li><code>{html.escape(r['student_id'])}</code>"
        + (f" ({html.escape(r['name'])})" if r["name"] else "")
        + (f": penalty {r['penalty']}" if r["penalty"] else "")
        + "</li>"
        for r in late
    )
    paths = []
    similar_html = ""
    if similarity:
        collected = course.submitted_students(assignment)
        pairs, reference = similarity_pairs(course, assignment, collected)
        similar_html = _similarity_html(pairs, reference)
        similarity_csv = out_dir / f"{assignment}_similarity.csv"
        with similarity_csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["kind", "student", "other", "share", "other_share"])
            for kind, matches in (("pair", pairs), ("lstm_ref", reference)):
                writer.writerows(
                    [
                        kind,
                        m.left,
                        m.right,
                        f"{m.left_share:.3f}",
                        f"{m.right_share:.3f}",
                    ]
                    for m in matches
                )
        paths.append(similarity_csv)
    rows_html = "\n".join(
        "<tr><td><code>{}</code></td><td>{:g}</td><td>{}/{}</td><td>{:.0f}%</td>"
        "<td>{}</td></tr>".format(
            html.escape(s.grade_id),
            s.points,
            s.failed,
            s.graded,
            100 * s.failure_rate,
            html.escape(s.top_message()[0])
            + (f" <em>({s.top_message()[1]}×)</em>" if s.top_message()[1] else ""),
        )
        for s in stats
    )
    attention_html = "\n".join(
        f"<li><code>{html.escape(r['student_id'])}</code>: {html.escape(r['reason'])}"
        "</li>"
        for r in attention
    )
    unenforced = sorted(
        {
            limit
            for student in course.submitted_students(assignment)
            for limit in _limits_not_enforced(course, assignment, student)
        }
    )
    limits_html = (
        "<h2>Limits this machine did not enforce</h2>\n<ul>\n"
        + "\n".join(f"<li>{html.escape(limit)}</li>" for limit in unenforced)
        + "\n</ul>"
        if unenforced
        else "<p>Every sandbox limit was enforced.</p>"
    )
    histogram = _histogram(scores, assignment)
    bars = _failure_bars(stats, assignment)
    mean = sum(v for _, v, _ in scores) / len(scores) if scores else 0.0
    top = max((m for _, _, m in scores), default=0.0)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(assignment)}: grading report</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}
table {{ border-collapse: collapse; }}
table.side td {{ vertical-align: top; width: 50%; }}
pre {{ white-space: pre-wrap; font-size: 0.85em; }}
mark {{ background: #ffe08a; }}
td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }}
</style></head><body>
<h1>{html.escape(assignment)}: grading report</h1>
<p>{len(scores)} students graded; mean score {mean:.1f} of {top:g}.
{len(attention)} students need attention. {len(late)} submitted late
({html.escape(policy.describe())}).</p>
<h2>Scores</h2>
<img alt="histogram of the scores" src="data:image/png;base64,{histogram}">
<h2>Which tests students fail</h2>
<img alt="failure rate of each test" src="data:image/png;base64,{bars}">
<table><tr><th>test</th><th>points</th><th>failed</th><th>rate</th>
<th>most common message</th></tr>
{rows_html}
</table>
<h2>Needs attention</h2>
<ul>
{attention_html or "<li>nobody</li>"}
</ul>
<h2>Late</h2>
<ul>
{late_html or "<li>nobody</li>"}
</ul>
{limits_html}
{similar_html}
</body></html>
"""
    page_path = out_dir / f"{assignment}_report.html"
    page_path.write_text(page, encoding="utf-8")
    return [page_path, tests_csv, scores_csv, *paths]
