"""Small SVG plots for the explorers of Part II (chapters 5 and 7).

An explorer with two sliders precomputes about 21 x 21 panels
(``book/_lib/explorers.py``); as PNG images they would weigh several
megabytes a page. These panels are plain SVG written by Python, a few
kilobytes each: a frame with ticks and labels, lines, dots and bars, in the
colours of the chapters' Matplotlib figures. Not a page of the book (only
files in ``_toc.yml`` are built); the chapters import it from their folder.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

# Every text of a panel inherits this from the <svg> element.
FONT = 'font-family="sans-serif" font-size="11"'


@dataclass
class Plot:
    """One pair of axes at pixel offset (left, top) of size (width, height)."""

    left: float
    top: float
    width: float
    height: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    parts: list[str] = field(default_factory=list)

    def px(self, x: float) -> float:
        lo, hi = self.xlim
        return self.left + (x - lo) / (hi - lo) * self.width

    def py(self, y: float) -> float:
        lo, hi = self.ylim
        return self.top + (hi - y) / (hi - lo) * self.height

    def frame(
        self,
        xticks: Sequence[float],
        yticks: Sequence[float],
        xlabel: str,
        ylabel: str,
        xticklabels: Sequence[str] | None = None,
    ) -> None:
        """The axes' box, light grid lines at the ticks, tick labels and
        the two axis labels."""
        right, bottom = self.left + self.width, self.top + self.height
        for tick in yticks:
            y = self.py(tick)
            self.parts.append(
                f'<line x1="{self.left:.0f}" y1="{y:.0f}" x2="{right:.0f}" '
                f'y2="{y:.0f}" stroke="#ddd"/>'
                f'<text x="{self.left - 4:.0f}" y="{y + 4:.0f}" '
                f'text-anchor="end">{tick:g}</text>'
            )
        labels = xticklabels or [f"{tick:g}" for tick in xticks]
        for tick, label in zip(xticks, labels, strict=True):
            x = self.px(tick)
            self.parts.append(
                f'<line x1="{x:.0f}" y1="{self.top:.0f}" x2="{x:.0f}" '
                f'y2="{bottom:.0f}" stroke="#ddd"/>'
                f'<text x="{x:.0f}" y="{bottom + 14:.0f}" text-anchor="middle" '
                f">{html.escape(label)}</text>"
            )
        self.parts.append(
            f'<rect x="{self.left:.0f}" y="{self.top:.0f}" '
            f'width="{self.width:.0f}" height="{self.height:.0f}" '
            f'fill="none" stroke="#444"/>'
            f'<text x="{self.left + self.width / 2:.0f}" y="{bottom + 30:.0f}" '
            f'text-anchor="middle">{html.escape(xlabel)}</text>'
            f'<text transform="translate({self.left - 34:.0f},'
            f'{self.top + self.height / 2:.0f}) rotate(-90)" '
            f'text-anchor="middle">{html.escape(ylabel)}</text>'
        )

    def hline(self, y: float, colour: str = "#000") -> None:
        self.parts.append(
            f'<line x1="{self.left:.0f}" y1="{self.py(y):.0f}" '
            f'x2="{self.left + self.width:.0f}" y2="{self.py(y):.0f}" '
            f'stroke="{colour}" stroke-width="0.8"/>'
        )

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        colour: str,
        dashed: bool = False,
    ) -> None:
        points = " ".join(
            f"{self.px(x):.0f},{self.py(y):.0f}" for x, y in zip(xs, ys, strict=True)
        )
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        self.parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="1.8"{dash}/>'
        )

    def dot(self, x: float, y: float, colour: str) -> None:
        self.parts.append(
            f'<circle cx="{self.px(x):.0f}" cy="{self.py(y):.0f}" r="5" '
            f'fill="{colour}" stroke="#000" stroke-width="0.8"/>'
        )

    def bar(self, x: float, value: float, width: float, colour: str) -> None:
        """A bar from 0 to ``value`` centred on ``x`` (data units)."""
        top, bottom = sorted((self.py(value), self.py(0.0)))
        half = width / 2 * self.width / (self.xlim[1] - self.xlim[0])
        self.parts.append(
            f'<rect x="{self.px(x) - half:.0f}" y="{top:.0f}" '
            f'width="{2 * half:.0f}" height="{bottom - top:.0f}" '
            f'fill="{colour}"/>'
        )

    def legend(
        self,
        entries: Sequence[tuple[str, str, bool]],
        at: tuple[float, float] | None = None,
    ) -> None:
        """Line samples with labels, from pixel ``at`` (default: the top-left
        corner inside the axes)."""
        left, top = at if at is not None else (self.left, self.top)
        for k, (label, colour, dashed) in enumerate(entries):
            y = top + 14 + 15 * k
            dash = ' stroke-dasharray="5,3"' if dashed else ""
            self.parts.append(
                f'<line x1="{left + 8:.0f}" y1="{y - 4:.0f}" '
                f'x2="{left + 28:.0f}" y2="{y - 4:.0f}" stroke="{colour}" '
                f'stroke-width="1.8"{dash}/>'
                f'<text x="{left + 33:.0f}" y="{y:.0f}" '
                f">{html.escape(label)}</text>"
            )


def svg(width: int, height: int, plots: Sequence[Plot], alt: str) -> str:
    """The plots as one inline ``<svg>`` element with ``role="img"`` and the
    alt text as its accessible name."""
    body = "".join(part for plot in plots for part in plot.parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(alt)}" {FONT} '
        'style="max-width:100%;height:auto">'
        f"{body}</svg>"
    )
