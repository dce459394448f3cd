"""The course's preprocessors for the feedback pages, on small notebooks.

``autograder/preprocessors.py``: hidden-test lines quoted in an output are
redacted, and formulas become MathML so that the page needs no MathJax from a
CDN. The end-to-end tests (``test_grader_faults.py``, ``test_autograder.py``)
check the same on graded classes.
"""

from __future__ import annotations

import html
import re

import nbformat

from autograder.preprocessors import (
    CSP_META,
    REDACTED,
    MathPlaceholders,
    RedactHiddenTestLines,
    finish_feedback_page,
    hidden_test_lines,
    tex_to_mathml,
)

MATHML = '<math xmlns="http://www.w3.org/1998/Math/MathML"'


def test_feedback_redacts_hidden_test_lines_quoted_in_any_output():
    # The runner keeps test source out of linecache; this is the second line
    # of defence, for a hidden line that gets into an output some other way.
    hidden = 'np.testing.assert_allclose(add(x, 1.0), x + 1, err_msg="must add")'
    source = "\n".join(
        [
            "np.testing.assert_allclose(add(1.0, 2.0), 3.0)",
            "### BEGIN HIDDEN TESTS",
            "x = np.arange(3.0)",
            hidden,
            "np.testing.assert_allclose(add(1.0, 2.0), 3.0)",
            ")",
            "### END HIDDEN TESTS",
        ]
    )
    cell = nbformat.v4.new_code_cell(
        source,
        outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=f"seen: {hidden}"),
            nbformat.v4.new_output(
                "display_data", data={"text/html": f"<pre>{html.escape(hidden)}</pre>"}
            ),
            nbformat.v4.new_output(
                "error",
                ename="AssertionError",
                evalue=f"must add\nline: {hidden}",
                traceback=[f"----> 2 {hidden}"],
            ),
        ],
    )
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert hidden_test_lines(nb) == [hidden, "x = np.arange(3.0)"]
    nb, _ = RedactHiddenTestLines().preprocess(nb, {})
    stream, display, error = nb.cells[0].outputs
    assert stream.text == f"seen: {REDACTED}"
    assert display.data["text/html"] == f"<pre>{REDACTED}</pre>"
    assert error.evalue == f"must add\nline: {REDACTED}"  # the message stays
    assert error.traceback == [f"----> 2 {REDACTED}"]


def test_formulas_of_markdown_cells_become_mathml_and_mathjax_goes():
    text = "\n".join(
        [
            r"The forget gate $f_t = \sigma(a)$ costs \$5, inline \(x_t\) too:",
            "$$",
            r"\begin{aligned}",
            r"C_t &= f_t \odot C_{t-1} + i_t \odot \tilde{C}_t && \text{update}\\",
            r"h_t &= o_t \odot \tanh(C_t) && \text{output}",
            r"\end{aligned}",
            "$$",
            r"and \[\text{rel\_error}(a, b)\] on its own.",
        ]
    )
    code = 'price = "$5 and $6"'
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell(code)]
    )
    nb, _ = MathPlaceholders().preprocess(nb, {})
    markdown = nb.cells[0].source
    # Markdown sees only letters and digits where the formulas were.
    assert "$" not in markdown.replace(r"\$", "")
    assert "\\(" not in markdown
    assert "\\odot" not in markdown
    assert (
        len(re.findall(r"MATH[0-9a-f]{16}(?:INLINE|BLOCK)[0-9a-f]+MATHEND", markdown))
        == 4
    )
    assert nb.cells[1].source == code  # code cells keep their dollars
    page = (
        "<head><!-- Load mathjax -->\n"
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/'
        'latest.js?config=TeX-AMS_CHTML-full,Safe"> </script>\n'
        "<script>MathJax.Hub.Config({})</script>\n"
        "<!-- End of mathjax configuration --></head>"
        f"<body><p>{html.escape(markdown)}</p></body>"
    )
    done = finish_feedback_page(page)
    assert "mathjax" not in done.lower()
    assert "http" not in done.replace(MATHML, "").replace(CSP_META, "")
    assert CSP_META in done  # no script may run on the page
    assert done.count(MATHML) == 4
    assert done.count('display="block"') == 2
    assert "costs \\$5" in done
    # The aligned block is a table whose columns align as in TeX.
    assert done.count("<mtr>") == 2
    assert '<mtd columnalign="right" style="text-align: right">' in done
    assert "<mtext>rel_error</mtext>" in done


def test_tex_the_converter_cannot_read_is_shown_as_code():
    assert tex_to_mathml("x^", display=False) == "<code>x^</code>"
    assert tex_to_mathml("x^2", display=False).startswith(MATHML)
