"""Pools and lanes: a rectangle with the name in a band along its edge (upright columns for Chinese names)."""

from __future__ import annotations

from webui.diagram.bpmn import element_name
from webui.diagram.colours import model_colours
from webui.diagram.geometry import Box
from webui.diagram.model import Ctx, Drawn, Item
from webui.diagram.svg import baseline, esc, num, svg_rect, svg_text
from webui.diagram.text import NAME_SIZE, block_height, char_em, wrap

BAND = 30.0  # width of the name band of pools and lanes


def _horizontal(item: Item, box: Box) -> bool:
    flag = item.di.get("isHorizontal")
    return flag == "true" if flag is not None else box.w >= box.h


def draw_participant(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    rect = svg_rect(box, 0, model_colours(item, ctx))
    if not item.sem.get("processRef"):
        # A black-box pool has no content, so its name sits in the middle.
        label = _centred_name(wrap(name, box.w - 20, NAME_SIZE), box.cx, box.cy)
        return Drawn(["shape", "participant", "blackbox"], rect + label, (box.cx, box.bottom), name)
    band = _band_line(box, _horizontal(item, box))
    return Drawn(["shape", "participant"], rect + band + _band_label(name, item, box), (box.cx, box.bottom), name)


def draw_lane(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    rect = svg_rect(box, 0, model_colours(item, ctx))
    return Drawn(["shape", "lane"], rect + _band_label(name, item, box), (box.cx, box.bottom), name)


def _band_line(box: Box, horizontal: bool) -> str:
    if horizontal:
        return f'<path class="band" d="M{num(box.x + BAND)},{num(box.y)}V{num(box.bottom)}"/>'
    return f'<path class="band" d="M{num(box.x)},{num(box.y + BAND)}H{num(box.right)}"/>'


def _band_label(name: str, item: Item, box: Box) -> str:
    """Name in the band along the pool/lane edge; rotated to read bottom-up in horizontal layouts."""
    if _horizontal(item, box):
        cx, cy = box.x + BAND / 2, box.cy
        upright = _upright_text(name, cx, cy, box.h - 10, NAME_SIZE) if _all_cjk(name) else ""
        if upright:
            return upright
        lines = wrap(name, box.h - 10, NAME_SIZE)[:2]
        text = _centred_name(lines, cx, cy)
        return f'<g transform="rotate(-90 {num(cx)} {num(cy)})">{text}</g>' if text else ""
    lines = wrap(name, box.w - 10, NAME_SIZE)[:2]
    return svg_text(lines, box.cx, box.y + (BAND - block_height(lines, NAME_SIZE)) / 2, NAME_SIZE, "label")


def _centred_name(lines: list[str], cx: float, cy: float) -> str:
    return svg_text(lines, cx, cy - block_height(lines, NAME_SIZE) / 2, NAME_SIZE, "label")


# Punctuation has its own glyphs in vertical text (brackets turned, commas in the corner).
_VERTICAL_FORMS = str.maketrans(
    "（）《》「」『』【】〔〕〈〉，。、：；？！…—",
    "︵︶︽︾﹁﹂﹃﹄︻︼︹︺︿﹀︐︒︑︓︔︖︕︙︱",
)


def _all_cjk(text: str) -> bool:
    return bool(text.strip()) and all(ch.isspace() or char_em(ch) == 1.0 for ch in text)


def _upright_text(name: str, cx: float, cy: float, length: float, size: float) -> str:
    """Chinese names in a vertical band read top-down with upright characters, not rotated sideways.

    Up to two columns (right one first, as vertical Chinese is read); "" when the name needs more.
    """
    chars = [ch for ch in name.translate(_VERTICAL_FORMS) if not ch.isspace()]
    step = size * 1.1
    per_column = max(1, int(length // step))
    columns = [chars[i : i + per_column] for i in range(0, len(chars), per_column)]
    if len(columns) > 2:
        return ""
    xs = [cx] if len(columns) == 1 else [cx + size * 0.6, cx - size * 0.6]
    top = cy - len(columns[0]) * step / 2
    spans = "".join(
        f'<tspan x="{num(x)}" y="{num(baseline(top, step, i, size))}">{esc(ch)}</tspan>'
        for x, column in zip(xs, columns, strict=True)
        for i, ch in enumerate(column)
    )
    return f'<text class="label upright" font-size="{num(size)}" text-anchor="middle">{spans}</text>'
