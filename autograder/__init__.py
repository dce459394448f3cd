"""The course's autograder: nbgrader, driven one student at a time.

Run it as ``python -m autograder <command> <assignment> ...``; see
``autograder/cli.py`` for the commands and ``autograder/README.md`` for the
instructor's walk-through. The nbgrader settings are in
``autograder/nbgrader_config.py``.
"""
