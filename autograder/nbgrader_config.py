# nbgrader configuration of the course (nbgrader 0.9.6).
#
# `python -m autograder ...` loads this file, then adds what only it can set:
# the course root (the working directory the instructor chose, `autograder/`
# by default), the sandboxed execution and verdict-based scoring of
# autograder/sandbox.py, and the feedback preprocessors that strip hidden
# tests and test-cell tracebacks. Plain `nbgrader ...` commands run in this
# folder use this file alone, and therefore run student code unsandboxed in
# the grading account and leave hidden tests in the feedback: use the course
# command for the class.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "lstm-course"

# Per-cell execution timeout of plain `nbgrader` commands (nbgrader 0.9.6
# reads Execute.timeout; ExecutePreprocessor.timeout is ignored).
c.Execute.timeout = 60

# The course command's sandbox (autograder/sandbox.py): wall-clock seconds
# for a whole notebook and for one cell, and the memory cap of the Python
# process that runs it. `autograde --timeout/--memory-mib` override these.
c.SandboxExecute.timeout = 600
c.SandboxExecute.cell_timeout = 120
c.SandboxExecute.memory_mib = 2048

# A student who deleted a test cell gets it back (and its points are earned
# only if it passes), instead of silently losing it.
c.OverwriteCells.add_missing_cells = True

# What replaces a solution region in the student notebook.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
