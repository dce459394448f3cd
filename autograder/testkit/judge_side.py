"""What every assignment's judge-side module sets up (it may use lstm_ref)."""

from __future__ import annotations

from autograder.testkit.common import use_questions


def prepare(assignment: str) -> None:
    """Set up the judge's helpers of ``assignment`` (called by aN.py at import):
    quick checks against lstm_ref's key."""
    from lstm_ref import questions

    use_questions(questions)
