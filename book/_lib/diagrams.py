"""Cell diagrams of the book, drawn by code (Matplotlib).

One visual language for every cell of the course: the state that is carried
from step to step runs along the top (the LSTM's conveyor belt ``C``, the
GRU's ``h``), the gates read ``[h_{t-1}, x_t]`` from a bus along the bottom,
sigmoid gates are orange boxes, tanh layers green boxes, elementwise
operations white circles (``×`` is the elementwise product ``⊙`` of the
equations, ``+`` the sum). Labels use the book's notation (COURSE.md).

Every function returns a :class:`Diagram`, a :class:`matplotlib.figure.Figure`
that pyplot does not manage and that a notebook shows as SVG: make it the
last expression of a cell (or ``display`` it) and it is shown exactly once.
``fig.savefig(...)`` works as for any figure. ``highlight=`` names the part the text is
about; the rest of the cell is faded.

Functions
---------
lstm_cell(highlight=None)
    One LSTM step; highlight one of ``LSTM_PARTS``.
lstm_unrolled(steps=3, highlight=None)
    The same cell over three steps, belt and hidden state passed on.
lstm_backward()
    The cell with the gradients flowing back and what the cache holds.
rnn_cell(highlight=None)
    The vanilla RNN cell; highlight one of ``RNN_PARTS``.
gru_cell(highlight=None)
    The GRU cell of ``lstm_ref.gru`` and chapter 15; one of ``GRU_PARTS``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch

__all__ = [
    "Diagram",
    "GRU_PARTS",
    "LSTM_PARTS",
    "RNN_PARTS",
    "gru_cell",
    "lstm_backward",
    "lstm_cell",
    "lstm_unrolled",
    "rnn_cell",
]

# Colours (colour-blind safe pairs from the Okabe-Ito palette).
WIRE = "#333333"
STATE = "#0b4f8a"  # the carried state: LSTM belt, GRU hidden state
SIGMOID_FACE, SIGMOID_EDGE = "#fbd7a8", "#b35900"
TANH_FACE, TANH_EDGE = "#bfe3cf", "#1b7a4a"
CELL_FACE, CELL_EDGE = "#f4f4f4", "#9a9a9a"
GLOW = "#ffd54a"
GRADIENT = "#c0392b"
FADED_ALPHA = 0.25
FONT_SIZE = 15
NODE_RADIUS = 0.3
GATE_W, GATE_H = 1.0, 0.7

# What each ``highlight=`` value lights up: the drawing's parts.
_LSTM_BUS = {"bus", "h_prev", "x_in"}
LSTM_PARTS: dict[str, set[str]] = {
    "belt": {"belt_in", "forget_mul", "belt_mid", "add", "belt_out"},
    "forget gate": {"f_in", "f_gate", "f_out", "forget_mul", *_LSTM_BUS},
    "input gate and candidate": {
        "i_in",
        "i_gate",
        "i_out",
        "c_in",
        "c_gate",
        "c_out",
        "ic_mul",
        *_LSTM_BUS,
    },
    "update": {
        "belt_in",
        "forget_mul",
        "belt_mid",
        "add",
        "belt_out",
        "f_out",
        "ic_mul",
        "ic_out",
    },
    "output gate": {
        "tap",
        "tanh_c",
        "tanh_out",
        "o_in",
        "o_gate",
        "o_out",
        "ho_mul",
        "h_out",
        "h_up",
        *_LSTM_BUS,
    },
}
# Short names accepted as well.
_LSTM_ALIASES = {
    "forget": "forget gate",
    "input": "input gate and candidate",
    "candidate": "input gate and candidate",
    "output": "output gate",
}
RNN_PARTS: dict[str, set[str]] = {
    "state": {"h_prev", "bus", "h_out", "h_up"},
    "layer": {"bus", "layer_in", "layer", "layer_out", "x_in", "h_prev"},
}
GRU_PARTS: dict[str, set[str]] = {
    "state": {"h_in", "keep_mul", "state_mid", "add", "h_out"},
    "update gate": {
        "z_in",
        "z_gate",
        "z_out",
        "one_minus",
        "keep_mul",
        "z_mix",
        "mix_mul",
        "bus",
        "h_drop",
        "x_in",
    },
    "reset gate": {
        "r_in",
        "r_gate",
        "r_out",
        "reset_mul",
        "r_drop",
        "rh_wire",
        "bus",
        "h_drop",
        "x_in",
    },
    "candidate": {
        "rh_wire",
        "x_low",
        "cat2",
        "cand_in",
        "cand",
        "cand_out",
        "mix_mul",
        "mix_out",
        "add",
    },
}
_GRU_ALIASES = {"update": "update gate", "reset": "reset gate"}


def _resolve(highlight, parts, aliases, kind):
    """The set of part names lit by ``highlight`` (None: everything)."""
    if highlight is None:
        return None
    name = aliases.get(highlight, highlight)
    if name not in parts:
        choices = ", ".join(repr(p) for p in [*parts, *aliases])
        raise ValueError(
            f"highlight must be None or one of {choices} for the {kind} "
            f"cell, got {highlight!r}"
        )
    return parts[name]


class _Canvas:
    """Drawing primitives that know which parts are highlighted."""

    def __init__(self, ax, lit: set[str] | None, dx: float = 0.0):
        self.ax = ax
        self.lit = lit
        self.dx = dx

    def _alpha(self, part):
        if self.lit is None or part in self.lit:
            return 1.0
        return FADED_ALPHA

    def _glow(self, part):
        return self.lit is not None and part in self.lit

    def _xy(self, points):
        return [(x + self.dx, y) for x, y in points]

    def wire(
        self,
        points: Sequence[tuple[float, float]],
        part: str,
        *,
        colour: str = WIRE,
        arrow: bool = True,
        width: float = 1.8,
        over: bool = False,
        style: str = "-",
    ):
        """A polyline; an arrowhead on its last point; ``over``: drawn with
        a white edge so that it visibly crosses the wire beneath."""
        pts = self._xy(points)
        alpha = self._alpha(part)
        xs, ys = zip(*pts, strict=True)
        if self._glow(part):
            self.ax.plot(
                xs,
                ys,
                color=GLOW,
                lw=11,
                solid_capstyle="round",
                solid_joinstyle="round",
                zorder=0.5,
            )
        effects = None
        zorder = 1.6 if over else 1.0
        lw = width + (0.8 if self._glow(part) else 0.0)
        if len(pts) > 2 or not arrow:
            end = len(pts) if not arrow else len(pts) - 1
            self.ax.plot(
                xs[:end],
                ys[:end],
                color=colour,
                lw=lw,
                alpha=alpha,
                ls=style,
                solid_joinstyle="miter",
                zorder=zorder,
                path_effects=effects,
            )
        if arrow:
            self.ax.annotate(
                "",
                xy=pts[-1],
                xytext=pts[-2],
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": colour,
                    "lw": lw,
                    "alpha": alpha,
                    "ls": style,
                    "mutation_scale": 16,
                    "shrinkA": 0,
                    "shrinkB": 0,
                    "path_effects": effects,
                },
                zorder=zorder,
            )

    def gap(self, x, y, *, vertical: bool):
        """A white break in the wire beneath a crossing (drawn ``over``)."""
        x += self.dx
        half = 0.22
        xs, ys = (
            ([x, x], [y - half, y + half])
            if vertical
            else ([x - half, x + half], [y, y])
        )
        self.ax.plot(xs, ys, color="white", lw=5, solid_capstyle="butt", zorder=1.3)

    def node(self, x, y, symbol, part, *, edge=WIRE, size=FONT_SIZE + 1):
        """An elementwise operation: a white circle with its symbol."""
        x += self.dx
        alpha = self._alpha(part)
        if self._glow(part):
            self.ax.add_patch(
                Circle((x, y), NODE_RADIUS + 0.14, fc=GLOW, ec="none", zorder=0.5)
            )
        self.ax.add_patch(
            Circle(
                (x, y), NODE_RADIUS, fc="white", ec=edge, lw=1.6, alpha=alpha, zorder=2
            )
        )
        self.ax.text(
            x,
            y,
            symbol,
            ha="center",
            va="center",
            fontsize=size,
            alpha=alpha,
            zorder=3,
        )

    def gate(self, x, y, kind, part, *, width=GATE_W):
        """A layer: a box with ``σ`` (orange) or ``tanh`` (green)."""
        x += self.dx
        face, edge = (
            (SIGMOID_FACE, SIGMOID_EDGE)
            if kind == "sigmoid"
            else (TANH_FACE, TANH_EDGE)
        )
        label = r"$\sigma$" if kind == "sigmoid" else "tanh"
        alpha = self._alpha(part)
        if self._glow(part):
            self.ax.add_patch(
                FancyBboxPatch(
                    (x - width / 2 - 0.12, y - GATE_H / 2 - 0.12),
                    width + 0.24,
                    GATE_H + 0.24,
                    boxstyle="round,pad=0.06",
                    fc=GLOW,
                    ec="none",
                    zorder=0.5,
                )
            )
        self.ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - GATE_H / 2),
                width,
                GATE_H,
                boxstyle="round,pad=0.04",
                fc=face,
                ec=edge,
                lw=1.6,
                alpha=alpha,
                zorder=2,
            )
        )
        self.ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=FONT_SIZE + 1,
            alpha=alpha,
            zorder=3,
        )

    def squash(self, x, y, part):
        """tanh applied elementwise to a state: a green ellipse."""
        x += self.dx
        alpha = self._alpha(part)
        if self._glow(part):
            self.ax.add_patch(
                Ellipse((x, y), 1.55, 0.88, fc=GLOW, ec="none", zorder=0.5)
            )
        self.ax.add_patch(
            Ellipse(
                (x, y),
                1.25,
                0.62,
                fc="white",
                ec=TANH_EDGE,
                lw=1.6,
                alpha=alpha,
                zorder=2,
            )
        )
        self.ax.text(
            x,
            y,
            "tanh",
            ha="center",
            va="center",
            fontsize=FONT_SIZE,
            alpha=alpha,
            zorder=3,
        )

    def dot(self, x, y, part):
        """A junction where wires join or split."""
        self.ax.plot(
            [x + self.dx],
            [y],
            "o",
            color=WIRE,
            ms=5,
            alpha=self._alpha(part),
            zorder=2.5,
        )

    def text(self, x, y, s, part, *, colour="black", size=FONT_SIZE, **kwargs):
        """A label in the book's notation (mathtext)."""
        self.ax.text(
            x + self.dx,
            y,
            s,
            color=colour,
            fontsize=size,
            alpha=self._alpha(part),
            zorder=4,
            **kwargs,
        )

    def cell_box(self, x0, x1, y0=0.5, y1=6.6):
        """The rounded grey box around one step."""
        self.ax.add_patch(
            FancyBboxPatch(
                (x0 + self.dx, y0),
                x1 - x0,
                y1 - y0,
                boxstyle="round,pad=0.1,rounding_size=0.35",
                fc=CELL_FACE,
                ec=CELL_EDGE,
                lw=1.2,
                zorder=0,
            )
        )


# Geometry of one LSTM step (data units; the cell box spans x 0.9 ... 11.0).
BELT_Y, BUS_Y, GATE_Y, MIX_Y = 5.8, 1.2, 2.5, 4.3
X_CAT, X_F, X_I, X_MIX, X_C, X_O, X_TANH, X_UP = (
    2.0,
    3.0,
    4.5,
    5.6,
    6.7,
    8.2,
    9.6,
    11.5,
)
TANH_Y, HO_Y = 4.65, 3.3
GATE_TOP = GATE_Y + GATE_H / 2
R = NODE_RADIUS


def _sub(name, step):
    """``C`` and ``t-1`` -> ``C_{t-1}`` (mathtext)."""
    return f"{name}_{{{step}}}"


def _draw_lstm(
    canvas: _Canvas,
    *,
    step: str = "t",
    prev: str = "t-1",
    inputs: bool = True,
    outputs: bool = True,
    inner_labels: bool = True,
):
    """One LSTM step, its inputs entering at x = 0 and outputs leaving at 12.

    ``inputs``/``outputs``: label the wires entering and leaving (and put an
    arrowhead on the leaving ones); ``inner_labels``: name the wires inside.
    """
    c = canvas
    inner = c.text if inner_labels else _no_text
    c.cell_box(0.9, 11.0)
    # The belt: C_{t-1} -> × f_t -> + i_t ⊙ C̃_t -> C_t.
    c.wire([(0.0, BELT_Y), (X_F - R, BELT_Y)], "belt_in", colour=STATE, width=2.6)
    c.node(X_F, BELT_Y, r"$\times$", "forget_mul", edge=STATE)
    c.wire(
        [(X_F + R, BELT_Y), (X_MIX - R, BELT_Y)], "belt_mid", colour=STATE, width=2.6
    )
    c.node(X_MIX, BELT_Y, "$+$", "add", edge=STATE)
    c.wire(
        [(X_MIX + R, BELT_Y), (12.0, BELT_Y)],
        "belt_out",
        colour=STATE,
        width=2.6,
        arrow=outputs,
    )
    if inputs:
        c.text(
            -0.15, BELT_Y, f"${_sub('C', prev)}$", "belt_in", ha="right", va="center"
        )
    if outputs:
        c.text(
            12.15, BELT_Y, f"${_sub('C', step)}$", "belt_out", ha="left", va="center"
        )
    inner(
        (X_F + X_MIX) / 2,
        BELT_Y + 0.3,
        f"${_sub('f', step)} \\odot {_sub('C', prev)}$",
        "belt_mid",
        ha="center",
        va="bottom",
        size=FONT_SIZE - 1,
    )
    # The inputs: h_{t-1} from the left, x_t from below, concatenated.
    c.wire([(0.0, BUS_Y), (X_CAT, BUS_Y)], "h_prev", arrow=False)
    if inputs:
        c.text(-0.15, BUS_Y, f"${_sub('h', prev)}$", "h_prev", ha="right", va="center")
    c.wire([(X_CAT, -0.45), (X_CAT, BUS_Y)], "x_in", arrow=False)
    c.text(X_CAT, -0.6, f"${_sub('x', step)}$", "x_in", ha="center", va="top")
    c.dot(X_CAT, BUS_Y, "bus")
    c.wire([(X_CAT, BUS_Y), (X_O, BUS_Y)], "bus", arrow=False)
    inner(
        (X_CAT + X_O) / 2 + 0.3,
        BUS_Y - 0.2,
        f"$[{_sub('h', prev)}, {_sub('x', step)}]$",
        "bus",
        ha="center",
        va="top",
        size=FONT_SIZE - 1,
    )
    # The four gates, each reading the bus.
    for x, kind, part in (
        (X_F, "sigmoid", "f"),
        (X_I, "sigmoid", "i"),
        (X_C, "tanh", "c"),
        (X_O, "sigmoid", "o"),
    ):
        c.dot(x, BUS_Y, part + "_in")
        c.wire([(x, BUS_Y), (x, GATE_Y - GATE_H / 2 - 0.05)], part + "_in")
        c.gate(x, GATE_Y, kind, part + "_gate")
    # Forget gate up to the belt.
    c.wire([(X_F, GATE_TOP + 0.05), (X_F, BELT_Y - R)], "f_out")
    inner(X_F + 0.15, 4.3, f"${_sub('f', step)}$", "f_out", ha="left", va="center")
    # Input gate and candidate meet in a product that feeds the sum.
    c.wire([(X_I, GATE_TOP + 0.05), (X_I, MIX_Y), (X_MIX - R, MIX_Y)], "i_out")
    inner(X_I - 0.15, 3.55, f"${_sub('i', step)}$", "i_out", ha="right", va="center")
    c.wire([(X_C, GATE_TOP + 0.05), (X_C, MIX_Y), (X_MIX + R, MIX_Y)], "c_out")
    inner(
        X_C + 0.15,
        3.55,
        f"$\\tilde{{C}}_{{{step}}}$",
        "c_out",
        ha="left",
        va="center",
    )
    c.node(X_MIX, MIX_Y, r"$\times$", "ic_mul")
    c.wire([(X_MIX, MIX_Y + R), (X_MIX, BELT_Y - R)], "ic_out")
    inner(
        X_MIX + 0.15,
        (MIX_Y + BELT_Y) / 2,
        f"${_sub('i', step)} \\odot \\tilde{{C}}_{{{step}}}$",
        "ic_out",
        ha="left",
        va="center",
        size=FONT_SIZE - 1,
    )
    # The output: tanh(C_t) tapped from the belt, times o_t, gives h_t.
    c.dot(X_TANH, BELT_Y, "tap")
    c.wire([(X_TANH, BELT_Y), (X_TANH, TANH_Y + 0.33)], "tap")
    c.squash(X_TANH, TANH_Y, "tanh_c")
    c.wire([(X_TANH, TANH_Y - 0.33), (X_TANH, HO_Y + R)], "tanh_out")
    inner(
        X_TANH + 0.15,
        3.98,
        f"$\\tanh({_sub('C', step)})$",
        "tanh_out",
        ha="left",
        va="center",
        size=FONT_SIZE - 1,
    )
    c.wire([(X_O, GATE_TOP + 0.05), (X_O, HO_Y), (X_TANH - R, HO_Y)], "o_out")
    inner(
        X_O + 0.55,
        HO_Y + 0.12,
        f"${_sub('o', step)}$",
        "o_out",
        ha="center",
        va="bottom",
    )
    c.node(X_TANH, HO_Y, r"$\times$", "ho_mul")
    c.wire(
        [(X_TANH, HO_Y - R), (X_TANH, BUS_Y), (12.0, BUS_Y)],
        "h_out",
        arrow=outputs,
    )
    if outputs:
        c.text(12.15, BUS_Y, f"${_sub('h', step)}$", "h_out", ha="left", va="center")
    # h_t is also the step's output: up, across the belt.
    c.dot(X_UP, BUS_Y, "h_up")
    c.gap(X_UP, BELT_Y, vertical=False)
    c.wire([(X_UP, BUS_Y), (X_UP, 7.25)], "h_up", over=True)
    if outputs:
        c.text(X_UP, 7.35, f"${_sub('h', step)}$", "h_up", ha="center", va="bottom")


def _no_text(*args, **kwargs):
    """Stands in for ``_Canvas.text`` where labels are left out."""


class Diagram(Figure):
    """A Matplotlib figure that a notebook shows as SVG, with or without
    pyplot's inline backend (a plain ``Figure`` needs that backend active)."""

    def _repr_svg_(self) -> str:
        buffer = io.StringIO()
        self.savefig(buffer, format="svg", bbox_inches="tight")
        return buffer.getvalue()


def _new_figure(width, height, xlim, ylim):
    fig = Diagram(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def lstm_cell(highlight: str | None = None) -> Figure:
    """One LSTM step, the part under discussion highlighted.

    Parameters
    ----------
    highlight : str or None
        None (everything in colour) or one of ``LSTM_PARTS``: ``"belt"``,
        ``"forget gate"``, ``"input gate and candidate"``, ``"update"``,
        ``"output gate"`` (short forms ``"forget"``, ``"input"``,
        ``"candidate"``, ``"output"``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    lit = _resolve(highlight, LSTM_PARTS, _LSTM_ALIASES, "LSTM")
    fig, ax = _new_figure(9.0, 5.3, (-1.3, 13.2), (-1.2, 7.9))
    _draw_lstm(_Canvas(ax, lit))
    return fig


def lstm_unrolled(highlight: str | None = None) -> Figure:
    """The LSTM layer unrolled over three steps, t-1, t and t+1.

    Step t is drawn in full; its neighbours are the same cell (same weights
    ``W_*, b_*``) drawn as boxes. The belt ``C`` and the hidden state ``h``
    leave one step and enter the next, every step reads its ``x`` from below
    and emits its ``h`` at the top. ``highlight`` applies to step t.
    """
    lit = _resolve(highlight, LSTM_PARTS, _LSTM_ALIASES, "LSTM")
    fig, ax = _new_figure(13.0, 4.6, (-2.0, 25.6), (-1.2, 8.1))
    plain = _Canvas(ax, None)
    full_dx, right_x0 = 6.0, 19.2
    _compact_step(plain, 0.6, "t-1", "t-2", inputs=True)
    # Links into step t (its own input wires start at local x = 0).
    plain.wire(
        [(4.4, BELT_Y), (full_dx, BELT_Y)], "link", colour=STATE, width=2.6, arrow=False
    )
    plain.wire([(4.4, BUS_Y), (full_dx, BUS_Y)], "link", arrow=False)
    _gap_label(plain, (4.4 + full_dx + 0.9) / 2, "t-1")
    _draw_lstm(_Canvas(ax, lit, dx=full_dx), inputs=False, outputs=False)
    # Links out of step t into step t+1.
    plain.wire(
        [(full_dx + 12.0, BELT_Y), (right_x0, BELT_Y)], "link", colour=STATE, width=2.6
    )
    plain.wire([(full_dx + 12.0, BUS_Y), (right_x0, BUS_Y)], "link")
    plain.text(full_dx + X_UP, 7.35, "$h_t$", "link", ha="center", va="bottom")
    _gap_label(plain, (full_dx + X_UP + right_x0) / 2 + 0.1, "t")
    _compact_step(plain, right_x0, "t+1", "t", inputs=False)
    return fig


def _gap_label(canvas, x, step):
    """Name the belt and the hidden state where they pass between steps."""
    canvas.text(x, BELT_Y + 0.15, f"$C_{{{step}}}$", "link", ha="center", va="bottom")
    canvas.text(x, BUS_Y + 0.15, f"$h_{{{step}}}$", "link", ha="center", va="bottom")


def _compact_step(canvas, x0, step, prev, *, inputs):
    """A whole step as one box: belt and hidden state through, x in, h out."""
    width = 3.8
    c = canvas
    c.cell_box(x0, x0 + width)
    mid = x0 + width / 2
    c.ax.text(
        mid,
        3.5,
        f"LSTM cell\nstep ${step}$",
        ha="center",
        va="center",
        fontsize=FONT_SIZE,
        zorder=4,
    )
    c.ax.text(
        mid,
        2.5,
        r"same $W_*, b_*$",
        ha="center",
        va="center",
        fontsize=FONT_SIZE - 1,
        color="#555555",
        zorder=4,
    )
    if inputs:
        c.wire([(x0 - 1.4, BELT_Y), (x0, BELT_Y)], "link", colour=STATE, width=2.6)
        c.wire([(x0 - 1.4, BUS_Y), (x0, BUS_Y)], "link")
        c.text(x0 - 1.55, BELT_Y, f"$C_{{{prev}}}$", "link", ha="right", va="center")
        c.text(x0 - 1.55, BUS_Y, f"$h_{{{prev}}}$", "link", ha="right", va="center")
    else:
        c.wire(
            [(x0 + width, BELT_Y), (x0 + width + 1.4, BELT_Y)],
            "link",
            colour=STATE,
            width=2.6,
        )
        c.wire([(x0 + width, BUS_Y), (x0 + width + 1.4, BUS_Y)], "link")
        c.text(
            x0 + width + 1.55, BELT_Y, f"$C_{{{step}}}$", "link", ha="left", va="center"
        )
        c.text(
            x0 + width + 1.55, BUS_Y, f"$h_{{{step}}}$", "link", ha="left", va="center"
        )
    c.wire([(mid, -0.45), (mid, 0.5)], "link")
    c.text(mid, -0.6, f"$x_{{{step}}}$", "link", ha="center", va="top")
    c.wire([(mid, 6.7), (mid, 7.25)], "link")
    c.text(mid, 7.35, f"$h_{{{step}}}$", "link", ha="center", va="bottom")


def lstm_backward() -> Figure:
    """One LSTM step run backwards, with what its cache holds.

    The forward cell is drawn faded; red arrows carry the gradients the
    other way, in chapter 9's names: ``dC_t^{next}`` and ``dh_t`` arrive from
    the right, ``dC_{t-1}``, ``dh_{t-1}`` and ``dx_t`` leave on the left and
    at the bottom. The box on the right lists the fields of
    ``lstm_ref.LSTMCellCache``.
    """
    fig, ax = _new_figure(12.0, 5.6, (-1.6, 19.6), (-1.4, 8.0))
    _draw_lstm(_Canvas(ax, set()), inner_labels=False)
    grad = _Canvas(ax, None)
    g = {"colour": GRADIENT, "width": 2.0}
    off = 0.32  # gradients run just below or beside the forward wires

    def label(x, y, s, size=FONT_SIZE, **kw):
        grad.text(x, y, s, "grad", colour=GRADIENT, size=size, **kw)

    # Along the belt, right to left.
    y = BELT_Y - off
    grad.wire([(12.0, y), (X_TANH + 0.15, y)], "grad", arrow=False, **g)
    label(12.15, y - 0.1, r"$dC_t^{\mathrm{next}}$", ha="left", va="top")
    grad.wire([(X_TANH + 0.15, y), (X_MIX + R + 0.1, y)], "grad", **g)
    label((X_MIX + X_TANH) / 2 + 0.4, y - 0.12, r"$dC_t$", ha="center", va="top")
    grad.wire([(X_MIX - R - 0.1, y), (X_F + R + 0.1, y)], "grad", **g)
    grad.wire([(X_F - R - 0.1, y), (0.0, y)], "grad", **g)
    label(-0.15, y - 0.1, r"$dC_{t-1}$", ha="right", va="top")
    # From h_t back through the output product.
    y = BUS_Y - off
    grad.wire([(12.0, y), (X_TANH + off, y), (X_TANH + off, HO_Y - R)], "grad", **g)
    label(12.15, y - 0.1, r"$dh_t$", ha="left", va="top")
    side = 0.75  # beside the tanh ellipse
    grad.wire(
        [
            (X_TANH + R * 0.7, HO_Y + R * 0.7),
            (X_TANH + side, HO_Y + 0.6),
            (X_TANH + side, BELT_Y - off),
        ],
        "grad",
        **g,
    )
    label(X_TANH + side + 0.1, TANH_Y - 0.1, r"$d(\tanh C_t)$", ha="left", va="center")
    grad.wire(
        [
            (X_TANH - R - 0.05, HO_Y + off),
            (X_O - off, HO_Y + off),
            (X_O - off, GATE_TOP),
        ],
        "grad",
        **g,
    )
    label(X_O - off - 0.1, HO_Y - 0.05, r"$do_t$", ha="right", va="center")
    # From the belt down into the other gates.
    grad.wire([(X_F + off, BELT_Y - R - 0.05), (X_F + off, GATE_TOP)], "grad", **g)
    label(X_F + off + 0.1, 3.4, r"$df_t$", ha="left", va="center")
    grad.wire(
        [(X_MIX - off, BELT_Y - R - 0.05), (X_MIX - off, MIX_Y + R + 0.05)], "grad", **g
    )
    grad.wire(
        [
            (X_MIX - R - 0.05, MIX_Y - off),
            (X_I + off, MIX_Y - off),
            (X_I + off, GATE_TOP),
        ],
        "grad",
        **g,
    )
    label(X_I + off + 0.1, 3.35, r"$di_t$", ha="left", va="center")
    grad.wire(
        [
            (X_MIX + R + 0.05, MIX_Y - off),
            (X_C - off, MIX_Y - off),
            (X_C - off, GATE_TOP),
        ],
        "grad",
        **g,
    )
    label(X_C - off - 0.1, 3.35, r"$d\tilde{C}_t$", ha="right", va="center")
    # Through the gates' weights to the bus, and out.
    y = BUS_Y - off
    grad.wire([(X_O, y), (X_CAT, y), (0.0, y)], "grad", **g)
    label(-0.15, y - 0.1, r"$dh_{t-1}$", ha="right", va="top")
    label(
        (X_CAT + X_O) / 2 + 0.3,
        y - 0.72,
        r"$dz_f, dz_i, dz_c, dz_o$ through $W$",
        ha="center",
        va="top",
        size=FONT_SIZE - 1,
    )
    grad.wire([(X_CAT - off, y), (X_CAT - off, -0.45)], "grad", **g)
    label(X_CAT - off - 0.1, -0.3, r"$dx_t$", ha="right", va="top")
    # What the forward step kept for this.
    fields = [
        ("hx", r"$[h_{t-1}, x_t]$"),
        ("c_prev", r"$C_{t-1}$"),
        ("f", r"$f_t$"),
        ("i", r"$i_t$"),
        ("c_tilde", r"$\tilde{C}_t$"),
        ("o", r"$o_t$"),
        ("tanh_c", r"$\tanh(C_t)$"),
        ("params", r"$W_*, b_*$"),
    ]
    x0, y0 = 14.2, 6.9
    ax.add_patch(
        FancyBboxPatch(
            (x0 - 0.2, y0 - 0.55 * len(fields) - 0.4),
            5.4,
            0.55 * len(fields) + 0.75,
            boxstyle="round,pad=0.1",
            fc="white",
            ec=CELL_EDGE,
            zorder=0,
        )
    )
    ax.text(x0, y0, "the cache holds", fontsize=FONT_SIZE, weight="bold", va="center")
    for k, (field, symbol) in enumerate(fields):
        yk = y0 - 0.6 - 0.55 * k
        ax.text(x0, yk, field, fontsize=FONT_SIZE - 1, family="monospace", va="center")
        ax.text(x0 + 2.3, yk, symbol, fontsize=FONT_SIZE, va="center")
    return fig


def rnn_cell(highlight: str | None = None) -> Figure:
    """The vanilla RNN cell ``h_t = tanh(W·[h_{t-1}, x_t] + b)``.

    Same language as the LSTM: the hidden state enters on the left, is
    concatenated with ``x_t``, goes through one tanh layer and leaves on the
    right and at the top. ``highlight``: None, ``"state"`` or ``"layer"``.
    """
    lit = _resolve(highlight, RNN_PARTS, {}, "RNN")
    fig, ax = _new_figure(6.0, 4.4, (-1.3, 8.2), (-1.2, 5.9))
    c = _Canvas(ax, lit)
    c.cell_box(0.9, 6.0, y1=4.6)
    c.wire([(0.0, BUS_Y), (X_CAT, BUS_Y)], "h_prev", arrow=False)
    c.text(-0.15, BUS_Y, "$h_{t-1}$", "h_prev", ha="right", va="center")
    c.wire([(X_CAT, -0.45), (X_CAT, BUS_Y)], "x_in", arrow=False)
    c.text(X_CAT, -0.6, "$x_t$", "x_in", ha="center", va="top")
    c.dot(X_CAT, BUS_Y, "bus")
    x_layer = 3.5
    c.wire([(X_CAT, BUS_Y), (x_layer, BUS_Y)], "bus", arrow=False)
    c.text(
        X_CAT + 0.15,
        BUS_Y + 0.2,
        "$[h_{t-1}, x_t]$",
        "bus",
        ha="left",
        va="bottom",
        size=12,
    )
    c.wire([(x_layer, BUS_Y), (x_layer, 2.9 - GATE_H / 2 - 0.05)], "layer_in")
    c.gate(x_layer, 2.9, "tanh", "layer")
    c.text(x_layer + 0.7, 2.9, "$W, b$", "layer", ha="left", va="center", size=12)
    x_out = 5.0
    c.wire(
        [
            (x_layer, 2.9 + GATE_H / 2 + 0.05),
            (x_layer, 3.9),
            (x_out, 3.9),
            (x_out, BUS_Y),
        ],
        "layer_out",
        arrow=False,
    )
    c.wire([(x_out, BUS_Y), (7.0, BUS_Y)], "h_out")
    c.text(7.15, BUS_Y, "$h_t$", "h_out", ha="left", va="center")
    x_up = 6.5
    c.dot(x_up, BUS_Y, "h_up")
    c.wire([(x_up, BUS_Y), (x_up, 5.0)], "h_up")
    c.text(x_up, 5.1, "$h_t$", "h_up", ha="center", va="bottom")
    return fig


def gru_cell(highlight: str | None = None) -> Figure:
    """The GRU cell of chapter 15 (eq. 15 of the book, Cho et al. 2014, eq. 7).

    ``z_t = σ(W_z·[h_{t-1}, x_t] + b_z)``, ``r_t = σ(W_r·[h_{t-1}, x_t] + b_r)``,
    ``h̃_t = tanh(W_h·[r_t ⊙ h_{t-1}, x_t] + b_h)`` and
    ``h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t`` (Cho et al., d2l and PyTorch
    weigh ``h_{t-1}`` by ``z``): the state runs along the top like the LSTM's
    belt, ``z_t`` plays the forget gate and ``1 - z_t`` the input gate. The
    reset gate acts before the candidate's matrix product (PyTorch's
    ``nn.GRU`` applies it after).

    ``highlight``: None, ``"state"``, ``"update gate"``, ``"reset gate"`` or
    ``"candidate"`` (short forms ``"update"``, ``"reset"``).
    """
    lit = _resolve(highlight, GRU_PARTS, _GRU_ALIASES, "GRU")
    fig, ax = _new_figure(9.4, 5.3, (-1.3, 13.8), (-1.2, 7.9))
    c = _Canvas(ax, lit)
    c.cell_box(0.6, 11.7, y0=0.3)
    x_drop, x_cat, x_r, x_z, x_keep, x_wire, x_cand, x_add = (
        1.0,
        1.8,
        3.4,
        6.6,
        6.6,
        7.7,
        9.0,
        9.0,
    )
    gate_y, rh_y, split_y, mix_y, low_y = 2.4, 3.7, 4.25, 4.25, 0.75
    top = gate_y + GATE_H / 2 + 0.05
    # The state line: h_{t-1} -> × z_t -> + (1 - z_t) ⊙ h̃_t -> h_t.
    c.wire([(0.0, BELT_Y), (x_keep - R, BELT_Y)], "h_in", colour=STATE, width=2.6)
    c.text(-0.15, BELT_Y, "$h_{t-1}$", "h_in", ha="right", va="center")
    c.node(x_keep, BELT_Y, r"$\times$", "keep_mul", edge=STATE)
    c.wire(
        [(x_keep + R, BELT_Y), (x_add - R, BELT_Y)],
        "state_mid",
        colour=STATE,
        width=2.6,
    )
    c.node(x_add, BELT_Y, "$+$", "add", edge=STATE)
    c.wire([(x_add + R, BELT_Y), (12.6, BELT_Y)], "h_out", colour=STATE, width=2.6)
    c.text(12.75, BELT_Y, "$h_t$", "h_out", ha="left", va="center")
    # h_{t-1} down to the gates' bus, where x_t joins.
    c.dot(x_drop, BELT_Y, "h_drop")
    c.wire([(x_drop, BELT_Y), (x_drop, BUS_Y), (x_cat, BUS_Y)], "h_drop", arrow=False)
    c.wire([(x_cat, -0.45), (x_cat, BUS_Y)], "x_in", arrow=False)
    c.text(x_cat, -0.6, "$x_t$", "x_in", ha="center", va="top")
    c.dot(x_cat, BUS_Y, "bus")
    c.wire([(x_cat, BUS_Y), (x_z, BUS_Y)], "bus", arrow=False)
    c.text(
        (x_r + x_z) / 2,
        BUS_Y + 0.15,
        "$[h_{t-1}, x_t]$",
        "bus",
        ha="center",
        va="bottom",
        size=FONT_SIZE - 1,
    )
    for x, part in ((x_r, "r"), (x_z, "z")):
        c.dot(x, BUS_Y, part + "_in")
        c.wire([(x, BUS_Y), (x, gate_y - GATE_H / 2 - 0.05)], part + "_in")
        c.gate(x, gate_y, "sigmoid", part + "_gate")
    # Reset gate: r_t ⊙ h_{t-1}, on to the candidate.
    c.dot(x_r, BELT_Y, "r_drop")
    c.wire([(x_r, BELT_Y), (x_r, rh_y + R)], "r_drop")
    c.wire([(x_r, top), (x_r, rh_y - R)], "r_out")
    c.text(x_r - 0.15, (top + rh_y - R) / 2, "$r_t$", "r_out", ha="right", va="center")
    c.node(x_r, rh_y, r"$\times$", "reset_mul")
    c.gap(x_z, rh_y, vertical=True)
    c.wire(
        [(x_r + R, rh_y), (x_wire, rh_y), (x_wire, BUS_Y), (x_cand, BUS_Y)],
        "rh_wire",
        arrow=False,
        over=True,
    )
    c.text(
        (x_r + x_z) / 2 - 0.2,
        rh_y + 0.12,
        r"$r_t \odot h_{t-1}$",
        "rh_wire",
        ha="center",
        va="bottom",
        size=FONT_SIZE - 1,
    )
    # x_t also reaches the candidate, along the bottom.
    c.dot(x_cat, low_y, "x_low")
    c.wire([(x_cat, low_y), (x_cand, low_y), (x_cand, BUS_Y)], "x_low", arrow=False)
    c.dot(x_cand, BUS_Y, "cat2")
    c.text(
        x_cand + 0.15,
        (BUS_Y + gate_y) / 2 - 0.1,
        "$[r_t \\odot h_{t-1}, x_t]$",
        "cat2",
        ha="left",
        va="center",
        size=FONT_SIZE - 2,
    )
    c.wire([(x_cand, BUS_Y), (x_cand, gate_y - GATE_H / 2 - 0.05)], "cand_in")
    c.gate(x_cand, gate_y, "tanh", "cand")
    c.wire([(x_cand, top), (x_cand, mix_y - R)], "cand_out")
    c.text(
        x_cand + 0.15,
        (top + mix_y) / 2,
        r"$\tilde{h}_t$",
        "cand_out",
        ha="left",
        va="center",
    )
    # Update gate: z_t keeps the old state, 1 - z_t lets the candidate in.
    x_one = (x_z + x_cand) / 2
    c.wire([(x_z, top), (x_keep, BELT_Y - R)], "z_out")
    c.text(x_z + 0.12, (rh_y + split_y) / 2, "$z_t$", "z_out", ha="left", va="center")
    c.dot(x_z, split_y, "z_mix")
    c.wire([(x_z, split_y), (x_one - R, split_y)], "z_mix")
    c.node(x_one, split_y, "$1-$", "one_minus", size=FONT_SIZE - 3)
    c.wire([(x_one + R, split_y), (x_cand - R, split_y)], "one_minus")
    c.node(x_cand, mix_y, r"$\times$", "mix_mul")
    c.wire([(x_cand, mix_y + R), (x_add, BELT_Y - R)], "mix_out")
    c.text(
        x_cand + 0.15,
        (mix_y + BELT_Y) / 2,
        r"$(1 - z_t) \odot \tilde{h}_t$",
        "mix_out",
        ha="left",
        va="center",
        size=FONT_SIZE - 1,
    )
    c.text(
        (x_keep + x_add) / 2 - 0.55 + 0.55,
        BELT_Y + 0.3,
        r"$z_t \odot h_{t-1}$",
        "state_mid",
        ha="center",
        va="bottom",
        size=FONT_SIZE - 1,
    )
    return fig


def _all_parts(parts: dict[str, Iterable[str]]) -> set[str]:
    return set().union(*parts.values())
