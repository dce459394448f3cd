"""What happened to each student's submission, kept between commands.

nbgrader's gradebook only knows the submissions it could grade. A notebook
that is not JSON, a file whose name says nothing about the student, a
student whose grading crashed: these must still reach the instructor. Every
command records its findings per student in ``<course>/status/<assignment>.json``
and ``export`` lists every student found there, with the reasons. The file
also keeps what the platform said about the student (display name,
lateness, the ids its upload needs) and the digest of the collected notebook,
so that ``autograde`` grades only what changed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path


@dataclass
class StudentStatus:
    """One student's submission of one assignment."""

    origin: str = ""  # where collect found it (a path, or zip:member)
    collected: bool = False  # a notebook is in submitted/<student>/<assignment>
    graded: bool | None = None  # None: not autograded yet
    collect_problems: list[str] = field(default_factory=list)
    grade_problems: list[str] = field(default_factory=list)
    feedback_problems: list[str] = field(default_factory=list)
    name: str = ""  # display name from the platform (any script)
    late: bool = False  # the platform (or the --pattern) said so
    keys: dict[str, str] = field(default_factory=dict)  # for the platform's upload
    replaced: list[str] = field(default_factory=list)  # newer attempts over older
    digest: str = ""  # sha256 of the collected notebook
    graded_digest: str = ""  # the digest the current grade is for

    @property
    def problems(self) -> list[str]:
        return self.collect_problems + self.grade_problems + self.feedback_problems


_FIELDS = {f.name for f in fields(StudentStatus)}


class StatusBook:
    """The status of every student for one assignment, as a JSON file."""

    def __init__(self, course_dir: Path, assignment: str) -> None:
        self.path = course_dir / "status" / f"{assignment}.json"
        self.students: dict[str, StudentStatus] = {}
        if self.path.exists():
            data = json.loads(self.path.read_text())
            self.students = {
                student: StudentStatus(
                    **{k: v for k, v in entry.items() if k in _FIELDS}
                )
                for student, entry in data.items()
            }

    def get(self, student: str) -> StudentStatus:
        return self.students.setdefault(student, StudentStatus())

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {s: asdict(self.students[s]) for s in sorted(self.students)}
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        tmp.replace(self.path)
