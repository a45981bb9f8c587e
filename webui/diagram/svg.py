"""Writing SVG: numbers, escaped text, and the few elements every drawer uses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

from webui.diagram.geometry import Box, Point
from webui.diagram.text import LINE_HEIGHT

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def esc(text: str) -> str:
    return escape(_INVALID_XML.sub("", text), {'"': "&quot;"})


def num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def baseline(top: float, step: float, i: int, size: float) -> float:
    """The y of the i-th line of a block whose first line box starts at ``top``, ``step`` apart."""
    return top + step * i + step / 2 + size * 0.35


def svg_text(lines: list[str], x: float, top: float, size: float, cls: str, anchor: str = "middle") -> str:
    """A block of lines whose first line box starts at ``top``; explicit y per line for print fidelity."""
    if not lines:
        return ""
    step = size * LINE_HEIGHT
    spans = "".join(
        f'<tspan x="{num(x)}" y="{num(baseline(top, step, i, size))}">{esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="{cls}" font-size="{num(size)}" text-anchor="{anchor}">{spans}</text>'


def svg_rect(box: Box, radius: float, extra: str = "", cls: str = "body") -> str:
    return (
        f'<rect class="{cls}" x="{num(box.x)}" y="{num(box.y)}" width="{num(box.w)}" height="{num(box.h)}" '
        f'rx="{num(radius)}"{extra}/>'
    )


def svg_glyph(x: float, y: float, scale: float, svg: str, extra: str = "") -> str:
    cls = f"glyph {extra}".strip()
    return f'<g class="{cls}" transform="translate({num(x)} {num(y)}) scale({num(scale)})">{svg}</g>'


def path_d(points: Iterable[Point]) -> str:
    return "M" + "L".join(f"{num(x)},{num(y)}" for x, y in points)
