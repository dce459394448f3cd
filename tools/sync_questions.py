"""Rewrite the quick-check text in solutions/A*/*.ipynb from lstm_ref.questions.

For the owner of solutions/ (run from the repository root with the venv's
python). Only markdown cells change: in each, a question's prompt and the
choice lines that follow it ("- (a) ...") are replaced by format_question(id).
Letters, grade ids, answers and code cells are untouched. Prints what it did.
"""

import sys
from pathlib import Path

import nbformat

from lstm_ref.questions import QUESTIONS, format_question


def sync(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    changed = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for qid, question in QUESTIONS.items():
            src = cell.source
            start = src.find(question.prompt)
            if start < 0:
                continue
            end = start + len(question.prompt)
            lines = src[end:].split("\n")
            # lines[0] is the rest of the prompt's line (""), then "", "- (a)..."
            keep = 1
            while keep < len(lines) and (
                lines[keep] == "" or lines[keep].startswith("- (")
            ):
                keep += 1
            tail = "\n".join(lines[keep:])
            new = src[:start] + format_question(qid) + ("\n" + tail if tail else "")
            if new != src:
                cell.source = new
                changed += 1
    if changed:
        nbformat.write(nb, path)
    print(f"{path}: {changed} question cell(s) rewritten")
    return changed


if __name__ == "__main__":
    roots = [Path(p) for p in sys.argv[1:]] or sorted(
        Path("solutions").glob("A*/*.ipynb")
    )
    for p in roots:
        sync(p)
