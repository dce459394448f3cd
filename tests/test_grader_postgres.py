"""Parallel grading into a PostgreSQL gradebook on a real server.

The test starts its own PostgreSQL server (Debian's ``postgresql`` package,
which ``.ci/run`` installs) in a temporary folder on a free port of
127.0.0.1, grades part of the fault class of ``tests/fixtures/faults`` with
two workers into it, and checks the scores against the same class graded
into the default SQLite gradebook. It never skips: without the server
binaries it fails and says what to install.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from autograder.collect import from_dir, store
from autograder.course import Course

FAULTS = Path(__file__).resolve().parent / "fixtures" / "faults"
STUDENTS = ["perfect", "patches_before", "patches_during", "hog", "exits", "warns"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is not installed: apt-get install postgresql"
    bin_dir = Path(found[-1]).parent
    # PostgreSQL refuses to run as root: as root, run it as Debian's postgres.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    home = Path(tempfile.mkdtemp(prefix="lstm-pg-"))
    home.chmod(0o755)
    data = home / "data"
    data.mkdir()
    if as_user:
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(home, "postgres", "postgres")
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "grader",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            *as_user,
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(home),
            "-c",
            "listen_addresses=127.0.0.1",
            "-F",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(
                    host="127.0.0.1",
                    port=port,
                    user="grader",
                    dbname="postgres",
                    autocommit=True,
                ) as connection:
                    connection.execute("CREATE DATABASE lstm")
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, "PostgreSQL did not start"
                time.sleep(0.2)
        yield f"postgresql+psycopg://grader@127.0.0.1:{port}/lstm"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def _grade(course: Course, submissions: Path) -> dict[str, dict[str, float]]:
    found = {s: v for s, v in from_dir(submissions, "F1").items() if s in STUDENTS}
    store(course.root, "F1", found, renamed_is_normal=False)
    course.release("F1")
    results = course.autograde("F1", STUDENTS, jobs=2)
    assert sorted(r.student for r in results) == sorted(STUDENTS)
    scores = {}
    with course.gradebook() as gb:
        for student in STUDENTS:
            submission = gb.find_submission("F1", student)
            cells = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
            assert submission.score == pytest.approx(sum(cells.values()))
            scores[student] = cells
    return scores


def test_parallel_grading_into_postgresql_matches_sqlite(postgres_url, tmp_path):
    in_postgres = Course(tmp_path / "pg", postgres_url, solutions_dir=FAULTS / "master")
    in_sqlite = Course(tmp_path / "sqlite", solutions_dir=FAULTS / "master")
    submissions = FAULTS / "submissions"
    postgres_scores = _grade(in_postgres, submissions)
    assert not (tmp_path / "pg" / "gradebook.db").exists()
    assert postgres_scores == _grade(in_sqlite, submissions)
    assert postgres_scores["perfect"] == {
        "test_add": 2,
        "test_scale": 2,
        "test_both": 1,
    }
    assert postgres_scores["exits"]["test_scale"] == 0
