"""Explorers that respond in the static HTML book and in a live kernel.

An explorer is one or two sliders and a panel. Instead of recomputing the
panel in Python when a slider moves (``.observe``, which needs a kernel and
is dead in the static book), :func:`explorer` computes every panel over a
grid of slider values when the chapter runs, puts them in a
``widgets.Stack`` and links each slider's index to the stack's
``selected_index`` with ``widgets.jslink``. The link runs in the browser
(ipywidgets' own Link model, part of the vendored html-manager), so dragging
a slider switches the panel in the static page and in a live notebook alike.
Two sliders use nested stacks: the first slider picks a row, the second is
linked to every row's stack.

Each slider is a ``SelectionSlider`` whose options are the grid values
formatted as text: its readout *is* the grid value of the panel shown. Each
panel also carries the same text in ``data-readout`` (and, by default, shows
it above its content), so a reader and the browser test can check that the
two never disagree.

The box gets the CSS class ``book-explorer``, each panel the class
``book-explorer-panel`` with the readouts it belongs to in ``data-values``
(a JSON list), and the panel's own content the class
``book-explorer-content``. ``tests/test_book_explorers.py`` finds explorers
by these marks, and fails for a page with a slider, toggle button or
dropdown outside such a box (an explorer that is not converted).

Example (one slider, an HTML panel)::

    from explorers import Axis, explorer

    def panel(z):
        return f"σ(z) = {1 / (1 + math.exp(-z)):.3f}"

    explorer(panel, Axis("pre-activation <i>z</i>", grid(-6, 6), "{:+.1f}"))

A panel is an HTML string or a Matplotlib figure (shown as a 2× PNG).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from ipywidgets.embed import dependency_state
from ipywidgets.widgets.widget_string import HTMLStyle
from matplotlib.figure import Figure

__all__ = [
    "MAX_STATE_BYTES",
    "Axis",
    "explorer",
    "figure_html",
    "grid",
    "label_html",
    "page_widget_bytes",
    "state_bytes",
]

# Widget state a page may embed (the page-weight budget).
MAX_STATE_BYTES = 3_000_000
EXPLORER_CLASS = "book-explorer"
PANEL_CLASS = "book-explorer-panel"
CONTENT_CLASS = "book-explorer-content"
# A figure's PNG has twice the pixels it is shown at (sharp on HiDPI screens).
CONTROLS = ("slider", "buttons", "dropdown")
CSS_DPI = 96
PNG_SCALE = 2


@dataclass(frozen=True)
class Axis:
    """One slider of an explorer.

    Parameters
    ----------
    label : str
        The control's description: HTML (``<i>C</i><sub>t−1</sub>``) or
        ``$math$`` (typeset by the page's MathJax), see :func:`label_html`.
    values : sequence of float
        The grid: one panel per value (about 21 is fine enough to explore).
    fmt : str
        ``str.format`` pattern of the readout, e.g. ``"{:+.1f}"``; two grid
        values must not give the same text.
    initial : float or None
        The value shown first (the grid value nearest to it); default the
        middle of the grid.
    name : str or None
        The value's name in the panel's readout line (HTML); default
        ``label``.
    control : str
        ``"slider"`` (a ``SelectionSlider``, the default), ``"buttons"``
        (``ToggleButtons``, for a few named choices) or ``"dropdown"``. The
        values may then be any objects; ``fmt`` names them.
    """

    label: str
    values: Sequence[float]
    fmt: str = "{:.2f}"
    initial: float | None = None
    name: str | None = None
    control: str = "slider"

    def __post_init__(self):
        if self.control not in CONTROLS:
            raise ValueError(
                f"Axis {self.label!r}: control must be one of {CONTROLS}, "
                f"got {self.control!r}"
            )
        if len(self.values) < 2:
            raise ValueError(f"Axis {self.label!r}: values needs two or more")

    def texts(self) -> list[str]:
        texts = [self.fmt.format(v) for v in self.values]
        if len(set(texts)) != len(texts):
            raise ValueError(
                f"Axis {self.label!r}: fmt {self.fmt!r} gives the same readout "
                "for two grid values; use more digits"
            )
        return texts

    def initial_index(self) -> int:
        if self.initial is None:
            return len(self.values) // 2
        if self.control != "slider":
            return list(self.values).index(self.initial)
        return int(np.argmin(np.abs(np.asarray(self.values) - self.initial)))


def grid(start: float, stop: float, steps: int = 21) -> np.ndarray:
    """``steps`` evenly spaced slider values from ``start`` to ``stop``,
    rounded to 10 decimals so that readouts print cleanly."""
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    return np.round(np.linspace(start, stop, steps), 10)


def figure_html(fig: Figure, *, alt: str = "") -> str:
    """A Matplotlib figure as an ``<img>`` with a 2x PNG data URI.

    Shown at the figure's size in CSS pixels (``figsize`` x 96). A figure
    managed by pyplot is closed afterwards, so that it is not shown again
    at the end of the cell.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=CSS_DPI * PNG_SCALE)
    width = round(fig.get_figwidth() * CSS_DPI)
    if fig.canvas.manager is not None:  # created by pyplot
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" width="{width}" '
        f'style="max-width:100%;height:auto" alt="{html.escape(alt)}">'
    )


def _panel_html(content, readout: str, values: list[str], show_values: bool) -> str:
    if isinstance(content, Figure):
        content = figure_html(content)
    elif not isinstance(content, str):
        raise TypeError(
            "render must return an HTML string or a matplotlib Figure, got "
            f"{type(content).__name__}"
        )
    line = (
        f'<div style="font-size:90%;color:#555;margin-bottom:4px">{readout}</div>'
        if show_values
        else ""
    )
    return (
        f'<div class="{PANEL_CLASS}" data-values="{html.escape(json.dumps(values))}">'
        f'{line}<div class="{CONTENT_CLASS}">{content}</div></div>'
    )


def explorer(
    render: Callable[..., str | Figure],
    *axes: Axis,
    show_values: bool = True,
    slider_width: str = "36em",
    description_width: str = "15em",
    max_bytes: int = MAX_STATE_BYTES,
) -> widgets.VBox:
    """An explorer over one or two sliders, precomputed on their grids.

    Parameters
    ----------
    render : callable
        ``render(v1)`` or ``render(v1, v2)`` for grid values of the axes,
        returning the panel: an HTML string or a Matplotlib figure.
    *axes : Axis
        One or two sliders.
    show_values : bool
        Print the slider values above each panel's content.
    slider_width, description_width : str
        CSS widths of the sliders and of their descriptions.
    max_bytes : int
        Refuse an explorer whose widget state exceeds this (the page budget):
        use fewer grid steps or smaller figures.

    Returns
    -------
    ipywidgets.VBox
        The sliders above the panels; display it (last expression of the
        cell). Its CSS class is ``book-explorer``.
    """
    if len(axes) not in (1, 2):
        raise ValueError(f"explorer takes one or two Axis, got {len(axes)}")
    texts = [axis.texts() for axis in axes]
    names = [axis.name or axis.label for axis in axes]
    panel_layout = widgets.Layout()  # one model shared by every panel
    panel_style = HTMLStyle()

    def panel(indices):
        values = [axis.values[k] for axis, k in zip(axes, indices, strict=True)]
        readout = ", ".join(
            f"{name} = {text[k]}"
            for name, text, k in zip(names, texts, indices, strict=True)
        )
        shown = [text[k] for text, k in zip(texts, indices, strict=True)]
        return widgets.HTML(
            _panel_html(render(*values), readout, shown, show_values),
            layout=panel_layout,
            style=panel_style,
        )

    sliders = [
        _control(axis, axis_texts, slider_width, description_width)
        for axis, axis_texts in zip(axes, texts, strict=True)
    ]
    links = []
    if len(axes) == 1:
        stack = widgets.Stack(
            [panel([k]) for k in range(len(axes[0].values))],
            selected_index=sliders[0].index,
        )
        links.append(widgets.jslink((sliders[0], "index"), (stack, "selected_index")))
    else:
        rows = []
        for j in range(len(axes[0].values)):
            row = widgets.Stack(
                [panel([j, k]) for k in range(len(axes[1].values))],
                selected_index=sliders[1].index,
            )
            links.append(widgets.jslink((sliders[1], "index"), (row, "selected_index")))
            rows.append(row)
        stack = widgets.Stack(rows, selected_index=sliders[0].index)
        links.append(widgets.jslink((sliders[0], "index"), (stack, "selected_index")))
    box = widgets.VBox([*sliders, stack])
    box.add_class(EXPLORER_CLASS)
    # The links are not children of the box; keep them with it so that the
    # size below counts them.
    box._explorer_links = links
    size = state_bytes(box)
    if size > max_bytes:
        raise ValueError(
            f"this explorer's widget state is {size / 1e6:.1f} MB, over the "
            f"{max_bytes / 1e6:.1f} MB a page may embed: use fewer grid steps "
            "or smaller panels"
        )
    return box


_SUB = '<span style="vertical-align:sub;font-size:80%">\\1</span>'
_SUP = '<span style="vertical-align:super;font-size:80%">\\1</span>'


def label_html(label: str) -> str:
    """A control's description as the widget manager will show it.

    Its sanitizer drops ``<sub>`` and ``<sup>`` but keeps a span's style, and
    the book's MathJax typesets ``\\(...\\)`` but not ``$...$`` in widget
    labels: rewrite both.
    """
    label = re.sub(r"<sub>(.*?)</sub>", _SUB, label)
    label = re.sub(r"<sup>(.*?)</sup>", _SUP, label)
    return re.sub(r"\$([^$]+)\$", r"\\(\1\\)", label)


def _control(axis, texts, width, description_width):
    """The widget of one axis: its index is what the stacks follow."""
    common = {
        "options": [(text, k) for k, text in enumerate(texts)],
        "index": axis.initial_index(),
        "description": label_html(axis.label),
        "description_allow_html": True,
        "style": {"description_width": description_width},
    }
    if axis.control == "slider":
        return widgets.SelectionSlider(
            continuous_update=True, layout={"width": width}, **common
        )
    if axis.control == "buttons":
        return widgets.ToggleButtons(**common)
    return widgets.Dropdown(**common)


def state_bytes(box: widgets.Widget) -> int:
    """Bytes of JSON widget state that embedding ``box`` adds to a page
    (the box, everything it contains, and an explorer's links)."""
    state = dependency_state(box)
    for link in getattr(box, "_explorer_links", []):
        state.update(dependency_state(link))
    return len(json.dumps(state, separators=(",", ":")))


_STATE_SCRIPT = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>',
    re.DOTALL,
)


def page_widget_bytes(page: str | Path) -> int:
    """Bytes of embedded widget state in a built HTML page (0 if none)."""
    text = Path(page).read_text(encoding="utf-8")
    return sum(len(m.group(1).encode()) for m in _STATE_SCRIPT.finditer(text))


def main(argv: Sequence[str] | None = None) -> int:
    """``python book/_lib/explorers.py _build/html``: each page's widget
    state in MB, and whether it is within the budget."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("html_dir", type=Path)
    args = parser.parse_args(argv)
    over = 0
    for page in sorted(args.html_dir.rglob("*.html")):
        size = page_widget_bytes(page)
        if size:
            flag = "" if size <= MAX_STATE_BYTES else "  OVER BUDGET"
            over += bool(flag)
            print(f"{size / 1e6:6.2f} MB  {page.relative_to(args.html_dir)}{flag}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
