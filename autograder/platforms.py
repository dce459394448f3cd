"""Learning platforms at the edges of the course steps: names in, files out.

Each platform is a small adapter with three jobs, and the steps (collect,
export, feedback) never ask which platform they are talking to:

- ``parse(path)``: who submitted a file of the platform's download, from its
  path inside the zip (or the extracted folder): the student's id on the
  platform, the display name, lateness, the attempt, and whatever the
  platform needs to take files back (Canvas's submission id, Moodle's folder);
- ``fill_gradebook(rows, text, ...)``: the platform's own gradebook file with
  the assignment's grades filled in, matched on the id, every other column
  as it was;
- ``feedback_name(student, status, assignment)``: where a student's feedback
  page goes in the zip that the platform's bulk upload attaches to each
  student.

The formats are documented, with where each comes from, in
``tests/fixtures/platforms/README.md``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# OWASP, "CSV Injection": a cell that starts with one of these is a formula
# to a spreadsheet; a leading single quote makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """``value`` for a CSV cell that a spreadsheet will not run as a formula.

    A cell that starts with a formula character gets a leading single quote
    (OWASP); control characters (a terminal escape in a file name) are shown
    as escapes, so the file is also safe to ``cat``.
    """
    risky = value.startswith(FORMULA_START)
    value = "".join(
        terminal_text(c) if unicodedata.category(c) == "Cc" else c for c in value
    )
    return "'" + value if risky else value


def terminal_text(value: str) -> str:
    """``value`` with control and format characters shown as escapes.

    Terminal escape sequences (ESC, CSI), carriage returns that overwrite a
    line and right-to-left overrides all become visible ``\\x1b``-style text.
    """
    out = []
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


@dataclass
class Parsed:
    """Who a submitted file belongs to, as its name says."""

    student_id: str
    file_name: str  # the file's own name, without the platform's prefix
    name: str = ""  # display name, any script
    late: bool = False
    attempt: int = 0  # 0: the first; Canvas's "-N" suffix is attempt N
    timestamp: str = ""  # sortable (ISO 8601) when the name carries one
    keys: dict[str, str] = field(default_factory=dict)  # for the way back


class Platform:
    """A platform's file names and gradebook; see the module docstring."""

    name = "generic"
    # Whether a notebook named other than <assignment>.ipynb is normal
    # (platforms rename files; a hand-made folder should not).
    renamed_is_normal = True
    expected = "<student>_<anything>.ipynb"

    def parse(self, path: str) -> Parsed | None:
        member = PurePosixPath(path)
        student, sep, _ = member.name.partition("_")
        if not sep or not student:
            return None
        return Parsed(student_id=student, file_name=member.name)

    def fill_gradebook(self, rows, text, assignment, column=None, comments=None):
        raise NotImplementedError(f"{self.name} has no gradebook file format")

    def feedback_name(self, student: str, keys: dict, assignment: str) -> str | None:
        return f"{student}/{assignment}_feedback.html"


class Folders(Platform):
    """Folders: ``<student>/<assignment>/*.ipynb`` or ``<student>/*.ipynb``."""

    name = "folders"
    renamed_is_normal = False
    expected = "<student>/<assignment>/*.ipynb or <student>/*.ipynb"

    def __init__(self, assignment: str) -> None:
        self.assignment = assignment

    def parse(self, path: str) -> Parsed | None:
        parts = PurePosixPath(path).parts
        if len(parts) == 3 and parts[1] == self.assignment:
            return Parsed(student_id=parts[0], file_name=parts[2])
        if len(parts) == 2:
            return Parsed(student_id=parts[0], file_name=parts[1])
        return None


class Pattern(Platform):
    """Any naming scheme, as a regular expression with named groups.

    ``student_id`` is required; ``name``, ``late`` (any non-empty match means
    late), ``attempt`` (an integer), ``timestamp`` (compared as text, so ISO
    8601) and ``file`` (the file's own name; default: the last path part)
    are optional. The expression is searched in the file's path inside the
    zip or folder, as nbgrader's ``FileNameCollectorPlugin`` does.
    """

    name = "pattern"

    def __init__(self, regex: str) -> None:
        try:
            self.regex = re.compile(regex)
        except re.error as error:
            raise ValueError(f"--pattern {regex!r} is not a regex: {error}") from None
        if "student_id" not in self.regex.groupindex:
            raise ValueError(
                f"--pattern {regex!r} has no (?P<student_id>...) group: "
                "it must say which part of a file name is the student"
            )
        self.expected = f"a path matching {regex!r}"

    def parse(self, path: str) -> Parsed | None:
        match = self.regex.search(path)
        if match is None or not match.group("student_id"):
            return None
        groups = match.groupdict()
        attempt = groups.get("attempt") or "0"
        return Parsed(
            student_id=groups["student_id"],
            file_name=groups.get("file") or PurePosixPath(path).name,
            name=groups.get("name") or "",
            late=bool(groups.get("late")),
            attempt=int(attempt) if attempt.isdigit() else 0,
            timestamp=groups.get("timestamp") or "",
        )


def _read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ValueError("the gradebook file is empty")
    return rows[0], rows[1:]


def _write_csv(header: list[str], rows: list[list[str]], newline: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@dataclass
class Filled:
    """What filling a platform's gradebook did."""

    text: str
    column: str
    filled: list[str] = field(default_factory=list)  # ids given a grade
    no_grade: list[str] = field(default_factory=list)  # in the file, no grade
    unknown: list[str] = field(default_factory=list)  # graded, not in the file
    notes: list[str] = field(default_factory=list)


def _fill(
    header: list[str],
    body: list[list[str]],
    column: str,
    id_of: Callable[[list[str]], str | None],
    grades: dict[str, str],
    extra: dict[int, dict[str, str]] | None = None,
    newline: str = "\n",
) -> Filled:
    index = header.index(column)
    result = Filled(text="", column=column)
    seen = set()
    for row in body:
        student = id_of(row)
        if student is None:
            continue
        row.extend([""] * (len(header) - len(row)))
        seen.add(student)
        if student in grades:
            row[index] = grades[student]
            for extra_index, values in (extra or {}).items():
                if student in values:
                    row[extra_index] = values[student]
            result.filled.append(student)
        else:
            result.no_grade.append(student)
    result.unknown = sorted(set(grades) - seen)
    result.text = _write_csv(header, body, newline)
    return result


class Canvas(Platform):
    """Canvas: the "Download Submissions" zip and the gradebook export.

    Files: ``<lastfirst>_[LATE_]<user id>_<submission id>_<file>[-N].<ext>``;
    gradebook: ``Student, ID, SIS User ID, SIS Login ID, Section, <assignment
    (id)>...`` with a "Points Possible" row under the header.
    """

    name = "canvas"
    expected = "<lastfirst>_[LATE_]<userid>_<submissionid>_<file>.ipynb"
    _file = re.compile(
        r"^(?P<lastfirst>[^_/]+)_(?P<late>LATE_)?(?P<student_id>\d+)_"
        r"(?P<submission_id>\d+)_(?P<file>.+?)(?:-(?P<attempt>\d+))?"
        r"(?P<ext>\.[^.]+)$"
    )

    def parse(self, path: str) -> Parsed | None:
        match = self._file.match(PurePosixPath(path).name)
        if match is None:
            return None
        lastfirst = match["lastfirst"]
        return Parsed(
            student_id=match["student_id"],
            file_name=match["file"] + match["ext"],
            name=lastfirst,
            late=bool(match["late"]),
            attempt=int(match["attempt"] or 0),
            keys={"lastfirst": lastfirst, "submission_id": match["submission_id"]},
        )

    def feedback_name(self, student: str, keys: dict, assignment: str) -> str | None:
        if not {"lastfirst", "submission_id"} <= set(keys):
            return None
        return f"{keys['lastfirst']}_{student}_{keys['submission_id']}_feedback.html"

    @staticmethod
    def _column(header: list[str], assignment: str, column: str | None) -> str:
        if column is not None:
            if column not in header:
                raise ValueError(
                    f"--column {column!r} is not in the gradebook; its columns: "
                    + ", ".join(map(repr, header[5:]))
                )
            return column
        named = re.compile(rf"^{re.escape(assignment)}(?: \(\d+\))?$")
        found = [name for name in header if named.match(name.strip())]
        if len(found) != 1:
            what = "no column" if not found else f"{len(found)} columns"
            raise ValueError(
                f"{what} named like '{assignment} (<id>)' in the gradebook: "
                "name it with --column; its columns: "
                + ", ".join(map(repr, header[5:]))
            )
        return found[0]

    def fill_gradebook(self, rows, text, assignment, column=None, comments=None):
        header, body = _read_csv(text.lstrip("\ufeff"))
        for needed in ("Student", "ID"):
            if needed not in header:
                raise ValueError(
                    f"not a Canvas gradebook export: no {needed!r} column (its "
                    f"header is {', '.join(map(repr, header[:6]))})"
                )
        chosen = self._column(header, assignment, column)
        id_index, index = header.index("ID"), header.index(chosen)
        points = None

        def id_of(row: list[str]) -> str | None:
            nonlocal points
            first = row[0].strip() if row else ""
            if first == "Points Possible":
                points = row[index] if index < len(row) else ""
                return None
            if id_index >= len(row) or not row[id_index].strip():
                return None  # "Manual Posting" and similar rows
            return row[id_index].strip()

        grades = {r["student_id"]: r["grade"] for r in rows if r["grade"] != ""}
        filled = _fill(header, body, chosen, id_of, grades, newline=_newline(text))
        maxima = {r["max_score"] for r in rows if r["max_score"] != ""}
        if points and maxima and {_same_number(points, m) for m in maxima} != {True}:
            filled.notes.append(
                f"the gradebook's Points Possible for {chosen!r} is {points}, the "
                f"grader's maximum is {', '.join(sorted(maxima))}: check the "
                "assignment's points in Canvas"
            )
        filled.text = ("\ufeff" if text.startswith("\ufeff") else "") + filled.text
        return filled


class Moodle(Platform):
    """Moodle: "Download all submissions" and the offline grading worksheet.

    Files: ``<Full name>_<participant id>_assignsubmission_file[_]/<file>``
    (in folders; Moodle 4.1 and later drop the trailing underscore) or
    ``<Full name>_<participant id>_assignsubmission_file_<file>`` (flat);
    worksheet: ``Identifier`` ("Participant 101"), ``Full name``, ``Email
    address``, ``Status``, ``Grade``, ``Maximum Grade``, ..., ``Feedback
    comments``.
    """

    name = "moodle"
    expected = "<Full name>_<id>_assignsubmission_file_/<file>"
    _folder = re.compile(
        r"^(?P<name>[^_/]+)_(?P<student_id>\d+)_assignsubmission_file_?$"
    )
    _flat = re.compile(
        r"^(?P<name>[^_/]+)_(?P<student_id>\d+)_assignsubmission_file_(?P<file>.+)$"
    )
    PARTICIPANT = "Participant "

    def parse(self, path: str) -> Parsed | None:
        member = PurePosixPath(path)
        for depth, part in enumerate(member.parts[:-1]):
            match = self._folder.match(part)
            if match:
                rest = PurePosixPath(*member.parts[depth + 1 :])
                return self._parsed(match, str(rest), part)
        match = self._flat.match(member.name)
        if match:
            folder = f"{match['name']}_{match['student_id']}_assignsubmission_file_"
            return self._parsed(match, match["file"], folder)
        return None

    @staticmethod
    def _parsed(match: re.Match, file_name: str, folder: str) -> Parsed:
        return Parsed(
            student_id=match["student_id"],
            file_name=file_name,
            name=match["name"],
            keys={"folder": folder},
        )

    def feedback_name(self, student: str, keys: dict, assignment: str) -> str | None:
        if "folder" not in keys:
            return None
        return f"{keys['folder']}/{assignment}_feedback.html"

    def fill_gradebook(self, rows, text, assignment, column=None, comments=None):
        header, body = _read_csv(text.lstrip("\ufeff"))
        chosen = column or "Grade"
        for needed in ("Identifier", chosen):
            if needed not in header:
                raise ValueError(
                    f"not a Moodle grading worksheet: no {needed!r} column (its "
                    f"header is {', '.join(map(repr, header[:6]))})"
                )
        id_index = header.index("Identifier")

        def id_of(row: list[str]) -> str | None:
            value = row[id_index].strip() if id_index < len(row) else ""
            if not value.startswith(self.PARTICIPANT):
                return None
            return value.removeprefix(self.PARTICIPANT).strip()

        grades = {r["student_id"]: r["grade"] for r in rows if r["grade"] != ""}
        extra = {}
        if comments is not None:
            if "Feedback comments" not in header:
                raise ValueError(
                    "the worksheet has no 'Feedback comments' column: enable "
                    "feedback comments in the assignment's settings, download "
                    "the worksheet again, or leave out --comment"
                )
            extra[header.index("Feedback comments")] = {
                s: csv_text(c) for s, c in comments.items()
            }
        return _fill(header, body, chosen, id_of, grades, extra, _newline(text))


def _newline(text: str) -> str:
    """The file's own line ending, kept on the way out."""
    return "\r\n" if "\r\n" in text else "\n"


def _same_number(a: str, b: str) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-9
    except ValueError:
        return False


def platform(name: str | None, assignment: str, pattern: str | None) -> Platform:
    """The adapter for ``--platform`` / ``--pattern`` (folders or zip names)."""
    if pattern is not None:
        return Pattern(pattern)
    return {"canvas": Canvas(), "moodle": Moodle()}.get(name or "", Platform())


PLATFORMS = ("canvas", "moodle")
