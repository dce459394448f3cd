"""The course's autograder: nbgrader, driven one student at a time.

Run it as ``python -m autograder <command> <assignment> ...``; see
``autograder/cli.py`` for the commands and ``autograder/README.md`` for the
instructor's walk-through. The nbgrader settings are in
``autograder/nbgrader_config.py``.
"""

import sys

# jsonschema imports rfc3987_syntax, when it is installed (jupyter-events
# asks for it), for its "iri" format checker, and that import builds a
# grammar for about 1.4 s in every grading process and worker. No schema the
# grader validates (nbformat's) uses that format, so it is left out.
sys.modules.setdefault("rfc3987_syntax", None)
