"""Collect submissions into nbgrader's ``submitted/<student>/<assignment>/``.

What is read:

- a folder, ``<student>/<assignment>/*.ipynb`` (nbgrader's exchange) or the
  hand-made ``<student>/*.ipynb``;
- a zip (or its extracted folder) named the way a platform names files
  (``platforms.py``): Canvas, Moodle, a ``--pattern`` with named groups, or
  by default ``<student>_<anything>.ipynb``.

A student's identity is what the platform calls them (Canvas's user id,
Moodle's participant id, the folder's name); the display name is kept beside
it, so students who share a name never merge. Of several attempts at one
file, the newest wins (Canvas's ``-N`` suffix, a ``--pattern``'s
``attempt`` or ``timestamp``, else the file's date) and the status says
which file replaced which. Lateness is recorded.

Every notebook is read before it is copied. Symbolic links, special files
and zip members with absolute paths or ``..`` are refused (collect never
follows a link out of the submission). A submission that cannot be graded as
it is (not JSON, another assignment's notebook, several candidates, none) is
not copied; one that can be graded but looks wrong (a renamed file, no
nbgrader metadata, a copied test cell) is copied and flagged. Either way the
student is recorded with the reason, so that ``export`` lists them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from autograder.platforms import Folders, Parsed, Platform, terminal_text
from autograder.status import StatusBook

# Student ids become folder names in the course directory: letters and digits
# of any script, then also . @ - _; no spaces, slashes or control characters.
STUDENT_ID = re.compile(r"^[^\W_][\w.@-]{0,63}$")
# Larger than any honest notebook of this course; a guard against zip bombs.
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


@dataclass
class Candidate:
    """One notebook file found for a student."""

    file_name: str
    data: bytes
    origin: str
    parsed: Parsed
    mtime: tuple = ()


@dataclass
class Found:
    """The notebooks found for one student, before choosing one."""

    origin: str
    notebooks: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    name: str = ""
    late: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


@dataclass
class _Entry:
    """A file of the zip or folder: its path, and why it is refused, if it is."""

    path: str
    read: Callable[[], bytes] | None
    size: int = 0
    mtime: tuple = ()
    refused: str = ""


def _bounded(read: Callable[[int], bytes]) -> bytes:
    # Read one byte more than the limit: a zip's declared size can lie.
    return read(MAX_NOTEBOOK_BYTES + 1)


def _dir_entries(source: Path) -> Iterator[_Entry]:
    for top, dirs, files in os.walk(source, followlinks=False):
        here = Path(top)
        relative = here.relative_to(source)
        # Dot-folders (.git, .ipynb_checkpoints) are not students or answers.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in list(dirs):
            if (here / name).is_symlink():
                dirs.remove(name)
                yield _Entry(
                    (relative / name).as_posix(),
                    None,
                    refused=f"{(relative / name).as_posix()}/ is a symbolic link; "
                    "collect never follows links: ask for the files themselves",
                )
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = here / name
            rel = (relative / name).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                yield _Entry(
                    rel,
                    None,
                    refused=f"{rel} is a symbolic link; collect never follows "
                    "links: ask the student for the notebook itself",
                )
            elif not stat.S_ISREG(info.st_mode):
                yield _Entry(
                    rel, None, refused=f"{rel} is a special file, not a notebook"
                )
            elif name.endswith(".ipynb"):

                def read(path: Path = path) -> bytes:
                    with path.open("rb") as handle:
                        return _bounded(handle.read)

                yield _Entry(rel, read, info.st_size, (info.st_mtime,))


def _unsafe_member(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return (
        name.startswith(("/", "\\"))
        or bool(re.match(r"^[A-Za-z]:", name))
        or ".." in parts
    )


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the platform wrote it.

    A zip without the UTF-8 flag is read as CP437 by the zip format's rule,
    but platforms write UTF-8 names without setting the flag: ``müller``
    would come out as ``m├╝ller``. Such a name is read back as UTF-8.
    """
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _zip_entries(archive: zipfile.ZipFile, label: str) -> Iterator[_Entry]:
    for info in archive.infolist():
        info.filename = _member_name(info)
        member = PurePosixPath(info.filename)
        if info.is_dir() or "__MACOSX" in member.parts:
            continue
        if member.name.startswith("."):
            continue
        mode = info.external_attr >> 16
        where = f"{label}:{info.filename}"
        if _unsafe_member(info.filename):
            yield _Entry(
                info.filename,
                None,
                refused=f"{where} has an unsafe path (absolute or with '..'); refused",
            )
        elif stat.S_ISLNK(mode):
            yield _Entry(
                info.filename,
                None,
                refused=f"{where} is a symbolic link; collect never follows "
                "links: ask the student for the notebook itself",
            )
        elif stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            yield _Entry(
                info.filename, None, refused=f"{where} is a special file; refused"
            )
        elif member.suffix == ".ipynb":

            def read(info: zipfile.ZipInfo = info) -> bytes:
                with archive.open(info) as handle:
                    return _bounded(handle.read)

            yield _Entry(info.filename, read, info.file_size, info.date_time)


def _gather(
    entries: Iterable[_Entry], platform: Platform, label: str, fallback_key
) -> dict[str, Found]:
    found: dict[str, Found] = {}
    for entry in entries:
        origin = f"{label}:{entry.path}" if label else entry.path
        parsed = platform.parse(entry.path)
        if parsed is None:
            key = fallback_key(entry.path)
            target = found.setdefault(key, Found(origin=origin))
            target.problems.append(
                entry.refused
                or f"cannot tell the student from the file name "
                f"{PurePosixPath(entry.path).name!r} (expected {platform.expected})"
            )
            continue
        target = found.setdefault(parsed.student_id, Found(origin=origin))
        if parsed.name and not target.name:
            target.name = parsed.name
        if entry.refused:
            target.problems.append(entry.refused)
            continue
        if entry.size > MAX_NOTEBOOK_BYTES:
            target.problems.append(f"{parsed.file_name} is larger than 50 MB; skipped")
            continue
        data = entry.read()
        if len(data) > MAX_NOTEBOOK_BYTES:
            target.problems.append(f"{parsed.file_name} is larger than 50 MB; skipped")
            continue
        target.candidates.append(
            Candidate(parsed.file_name, data, origin, parsed, entry.mtime)
        )
    for entry in found.values():
        _newest_attempts(entry)
    return found


def _describe(candidate: Candidate) -> str:
    parsed = candidate.parsed
    details = [f"attempt {parsed.attempt}"] if parsed.attempt else []
    if parsed.timestamp:
        details.append(parsed.timestamp)
    if parsed.late:
        details.append("late")
    return candidate.origin + (f" ({', '.join(details)})" if details else "")


def _newest_attempts(entry: Found) -> None:
    """Keep the newest attempt at each file; say which file replaced which."""
    by_file: dict[str, list[Candidate]] = {}
    for candidate in entry.candidates:
        by_file.setdefault(candidate.file_name, []).append(candidate)
    entry.notebooks = []
    kept: list[Candidate] = []
    for file_name, candidates in by_file.items():

        def order(c: Candidate) -> tuple:
            return (c.parsed.attempt, c.parsed.timestamp, c.mtime)

        candidates.sort(key=order)
        newest = candidates[-1]
        if len(candidates) > 1 and order(candidates[-2]) == order(newest):
            entry.problems.append(
                f"several files named {file_name} and nothing says which is "
                f"newer: {', '.join(c.origin for c in candidates)}; keep one "
                "and collect again"
            )
            continue
        for older in candidates[:-1]:
            entry.replaced.append(f"{_describe(newest)} replaced {_describe(older)}")
        kept.append(newest)
        entry.notebooks.append((file_name, newest.data))
    if kept:
        entry.origin = ", ".join(c.origin for c in kept)
        entry.late = any(c.parsed.late for c in kept)
        for c in kept:
            entry.keys.update(c.parsed.keys)
            if c.parsed.timestamp:
                entry.keys["timestamp"] = c.parsed.timestamp


def from_dir(
    source: Path, assignment: str, platform: Platform | None = None
) -> dict[str, Found]:
    """Read a folder: ``<student>/<assignment>/*.ipynb``, ``<student>/*.ipynb``,
    or a platform's download extracted (``platform``)."""
    if not source.is_dir():
        raise FileNotFoundError(f"{source} is not a folder")
    platform = platform or Folders(assignment)
    entries = list(_dir_entries(source))
    if isinstance(platform, Folders):
        # Other assignments' folders of a student are not this submission.
        entries = [e for e in entries if _in_submission(e.path, assignment)]
    found = _gather(entries, platform, str(source.resolve()), _first_part)
    if isinstance(platform, Folders):
        # A student folder with no notebook at all is still a student.
        for child in sorted(source.iterdir()):
            if child.name.startswith(".") or child.is_symlink():
                continue
            if child.is_dir() and child.name not in found:
                found[child.name] = Found(
                    origin=str(child.resolve()),
                    problems=[f"no {assignment}.ipynb in {child.name}/"],
                )
    return found


def _in_submission(path: str, assignment: str) -> bool:
    parts = PurePosixPath(path).parts
    return len(parts) <= 2 or (len(parts) == 3 and parts[1] == assignment)


def _first_part(path: str) -> str:
    return PurePosixPath(path).parts[0]


def _stem(path: str) -> str:
    return PurePosixPath(path).stem


def from_zip(
    source: Path, assignment: str, platform: Platform | None = None
) -> dict[str, Found]:
    """Read a platform's zip (default: ``<student>_<anything>.ipynb``)."""
    platform = platform or Platform()
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise FileNotFoundError(f"{source} is not a zip file") from None
    with archive:
        return _gather(_zip_entries(archive, source.name), platform, source.name, _stem)


def cell_ids(folder: Path) -> set[str]:
    """The nbgrader cell ids of an assignment's master notebooks."""
    ids = set()
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade_id"):
                ids.add(meta["grade_id"])
    return ids


def check_notebook(
    data: bytes,
    assignment: str | None = None,
    assignments: dict[str, set[str]] | None = None,
) -> tuple[bool, list[str]]:
    """Whether ``data`` can be graded, and what looks wrong in it.

    With ``assignments`` (assignment -> its cell ids), a notebook whose
    nbgrader cells are mostly not ``assignment``'s is refused: it is another
    assignment's notebook, and grading it would fail every test.
    """
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except nbformat.reader.NotJSONError:
        return False, [
            "not a readable notebook: the file is not valid JSON (cut off, or "
            "edited outside Jupyter?); ask the student to re-submit it"
        ]
    except Exception as error:  # nbformat raises several kinds
        reason = str(error).splitlines()[0][:160] if str(error) else ""
        return False, [
            f"not a readable notebook ({type(error).__name__}: {reason}); "
            "ask the student to re-submit it"
        ]
    problems = []
    grade_ids = [
        cell.metadata["nbgrader"].get("grade_id")
        for cell in notebook.cells
        if "nbgrader" in cell.get("metadata", {})
    ]
    if not grade_ids:
        problems.append(
            "no nbgrader metadata in the notebook (cells copied into a new "
            "notebook?): answers cannot be matched to tests"
        )
    ids = {g for g in grade_ids if g}
    if assignments and assignment in assignments and ids:
        own = assignments[assignment]
        if len(ids & own) * 2 < len(ids):
            matches = [
                name
                for name, other in sorted(assignments.items())
                if name != assignment and len(ids & other) * 2 >= len(ids)
            ]
            which = " or ".join(matches) if matches else "another assignment"
            return False, [
                f"not {assignment}'s notebook: {len(ids - own)} of its "
                f"{len(ids)} nbgrader cells are not {assignment}'s (it looks "
                f"like {which}'s notebook); ask the student for their "
                f"{assignment} notebook"
            ]
    counts = Counter(grade_ids)
    for grade_id in sorted(g for g, n in counts.items() if g and n > 1):
        problems.append(f"graded cell {grade_id} appears {counts[grade_id]} times")
    return True, problems


def choose_notebook(
    assignment: str, notebooks: list[tuple[str, bytes]], renamed_is_normal: bool
) -> tuple[bytes | None, list[str]]:
    """Pick the notebook to grade among a student's ``(name, data)`` pairs."""
    expected = f"{assignment}.ipynb"
    names = [name for name, _ in notebooks]
    if not notebooks:
        return None, [f"no notebook submitted (expected {expected})"]
    by_name = dict(notebooks)
    if expected in by_name:
        others = [n for n in names if n != expected]
        note = [f"ignored other notebooks: {', '.join(others)}"] if others else []
        return by_name[expected], note
    if len(notebooks) == 1:
        name, data = notebooks[0]
        if renamed_is_normal:
            return data, []
        return data, [
            f"notebook named {name!r}, expected {expected!r}; collected as {expected}"
        ]
    return None, [
        f"several notebooks and none named {expected}: {', '.join(sorted(names))}; "
        "keep one and collect again"
    ]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(
    course_dir: Path,
    assignment: str,
    found: dict[str, Found],
    *,
    renamed_is_normal: bool,
    assignments: dict[str, set[str]] | None = None,
) -> StatusBook:
    """Copy gradable notebooks into ``submitted/`` and record every student.

    A student whose notebook is byte for byte the one collected before keeps
    their grade (``autograde`` skips them); any other collection replaces the
    old one and everything made from it.
    """
    book = StatusBook(course_dir, assignment)
    for student, entry in found.items():
        status = book.get(student)
        previous = (status.digest, status.collected)
        status.origin = entry.origin
        status.name = entry.name
        status.late = entry.late
        status.keys = dict(entry.keys)
        status.replaced = list(entry.replaced)
        problems = list(entry.problems)
        data = None
        if not STUDENT_ID.match(student):
            problems.append(
                f"{student!r} is not usable as a student id (letters, digits "
                "and . @ - _ only); rename the folder or file"
            )
        else:
            target = course_dir / "submitted" / student / assignment
            if entry.notebooks or not entry.problems:
                data, chosen = choose_notebook(
                    assignment, entry.notebooks, renamed_is_normal
                )
                problems += chosen
            if data is not None:
                gradable, notebook_problems = check_notebook(
                    data, assignment, assignments
                )
                problems += notebook_problems
                if not gradable:
                    data = None
            new_digest = digest(data) if data is not None else ""
            unchanged = (
                data is not None
                and previous == (new_digest, True)
                and (target / f"{assignment}.ipynb").is_file()
            )
            if not unchanged:
                # A new collection replaces the old one and what was made from it.
                for stage in ("submitted", "autograded", "feedback"):
                    stale = course_dir / stage / student / assignment
                    if stale.exists():
                        shutil.rmtree(stale)
                status.graded = None
                status.graded_digest = ""
                status.grade_problems, status.feedback_problems = [], []
                if data is not None:
                    target.mkdir(parents=True)
                    (target / f"{assignment}.ipynb").write_bytes(data)
            status.digest = new_digest
        if data is None:
            status.graded, status.graded_digest = None, ""
            status.grade_problems, status.feedback_problems = [], []
            status.digest = ""
        status.collected = data is not None
        status.collect_problems = problems
    book.save()
    return book


def summary_lines(book: StatusBook, students: Iterable[str]) -> list[str]:
    """One line per student: collected or not, replaced attempts, the reasons.

    Names are shown with control characters escaped (a file name can carry
    terminal escape sequences).
    """
    lines = []
    for student in sorted(students):
        status = book.students[student]
        state = "collected" if status.collected else "NOT collected"
        who = student + (f" ({status.name})" if status.name else "")
        if status.late:
            state += " (late)"
        reason = f": {'; '.join(status.collect_problems)}" if status.problems else ""
        lines.append(terminal_text(f"{who}: {state}{reason}"))
        lines += [terminal_text(f"  {student}: {note}") for note in status.replaced]
    return lines
