"""The SVG document around the drawing: stylesheet, title, legend, and a viewBox that fits everything drawn."""

from __future__ import annotations

from collections.abc import Mapping

from webui.diagram.edges import arrowhead
from webui.diagram.geometry import Extent, trim
from webui.diagram.model import STATES, Ctx
from webui.diagram.svg import esc, num, path_d, svg_text
from webui.diagram.text import LABEL_SIZE, text_width

DEFAULT_LEGEND = {
    "done": "已完成",
    "current": "当前办理",
    "waiting": "等待中",
    "cancelled": "已取消",
    "taken": "已走过的流转",
}

FONT_FAMILY = '"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif'

MARGIN = 20.0


def draw_legend(ctx: Ctx, labels: Mapping[str, str]) -> str:
    used = [s for s in STATES if any(h.state == s for h in ctx.highlights.values())]
    entries = [_legend_state(s, labels.get(s, s)) for s in used]
    if ctx.flows_taken:
        entries.append(_legend_flow(labels.get("taken", "taken")))
    x, y = ctx.extent.x0, ctx.extent.y1 + 16
    parts, offset = [], 0.0
    for svg, width in entries:
        parts.append(f'<g transform="translate({num(x + offset)} {num(y)})">{svg}</g>')
        offset += width + 18
    ctx.extent.add(x + offset, y + 16)
    return f'<g class="legend">{"".join(parts)}</g>'


def _legend_state(state: str, label: str) -> tuple[str, float]:
    swatch = f'<g class="legend-item state-{state}"><rect class="body" x="0" y="1" width="24" height="12" rx="3"/></g>'
    return _legend_entry(swatch, label)


def _legend_flow(label: str) -> tuple[str, float]:
    points = ((0.0, 7.0), (24.0, 7.0))
    flow = (
        f'<g class="legend-item taken"><path class="line" d="{path_d(trim(points, 8, False))}"/>'
        f"{arrowhead(points, at_start=False, filled=True, length=9)}</g>"
    )
    return _legend_entry(flow, label)


def _legend_entry(sample: str, label: str) -> tuple[str, float]:
    """A sample with its label to the right, and the width of the two."""
    return sample + svg_text([label], 30, 0, LABEL_SIZE, "label", anchor="start"), 30 + text_width(label, LABEL_SIZE)


def _title(title: str, extent: Extent) -> str:
    if not title.strip():
        return ""
    x, y = extent.x0, extent.y0 - 30
    extent.add(x + text_width(title, 16), y)
    return svg_text([title], x, y, 16, "title", anchor="start")


_STATE_COLOURS = {
    # state: (fill, stroke, extra declarations for the shape outline)
    "done": ("#e2f3e0", "#2e7d32", ""),
    "current": ("#ffe6a0", "#c77800", "stroke-width:3px;"),
    "waiting": ("#e4eefb", "#1565c0", "stroke-dasharray:6 3;stroke-width:2px;"),
    "cancelled": ("#ececec", "#9e9e9e", ""),
}


def _style() -> str:
    s = ".bpmn-diagram "
    rules = [
        f".bpmn-diagram{{font-family:{FONT_FAMILY};-webkit-print-color-adjust:exact;print-color-adjust:exact}}",
        f"{s}text{{fill:#212121;stroke:none}}",
        f"{s}.label.external,{s}.note{{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}}",
        f"{s}.title{{font-weight:bold}}",
        f"{s}.note{{fill:#7a4a00}}",
        f"{s}.body{{fill:#fff;stroke:#212121;stroke-width:1.5px}}",
        f"{s}.inner,{s}.band{{fill:none;stroke:#212121;stroke-width:1.2px}}",
        f"{s}.lane>.body,{s}.group>.body,{s}.textAnnotation>.body{{fill:none}}",
        f"{s}.lane>.body{{stroke-width:1px}}",
        f"{s}.group>.body{{stroke-dasharray:8 3 1 3;stroke-width:1.2px}}",
        f"{s}.callActivity>.body{{stroke-width:4px}}",
        f"{s}.endEvent>.body{{stroke-width:4px}}",
        f"{s}.eventSubProcess>.body{{stroke-dasharray:2 3}}",
        f"{s}.nonInterrupting>.body,{s}.nonInterrupting>.inner{{stroke-dasharray:5 3}}",
        f"{s}.glyph{{fill:none;stroke:#212121;stroke-width:1.2px;stroke-linejoin:round}}",
        f"{s}.glyph.filled,{s}.glyph .solid{{fill:#212121}}",
        f"{s}.glyph.filled .inv{{stroke:#fff}}",
        f"{s}.glyph .face{{fill:#fff}}",
        f"{s}.glyph .heavy{{stroke-width:3.5px}}",
        f"{s}.glyph .bar{{stroke-width:2px}}",
        f"{s}.line{{fill:none;stroke:#212121;stroke-width:1.5px;stroke-linejoin:round}}",
        f"{s}.flow{{color:#212121}}",
        f"{s}.flow>.line,{s}.flow>.arrow{{stroke:currentColor}}",
        f"{s}.flow>.arrow.filled{{fill:currentColor}}",
        f"{s}.messageFlow>.line{{stroke-dasharray:7 4}}",
        f"{s}.association>.line,{s}.dataInputAssociation>.line,{s}.dataOutputAssociation>.line"
        "{stroke-dasharray:2 3;stroke-width:1.2px}",
        f"{s}.arrow{{fill:#fff;stroke:#212121;stroke-width:1.2px;stroke-linejoin:round}}",
        f"{s}.arrow.filled{{fill:#212121}}",
        f"{s}.arrow.open{{fill:none}}",
        f"{s}.envelope.nonInitiating .arrow{{fill:#bdbdbd}}",
    ]
    rules += [rule for state, colours in _STATE_COLOURS.items() for rule in _state_rules(state, *colours)]
    rules += [
        # Thick outlines stay thick (a little thicker) when highlighted.
        f"{s}.endEvent.state-current>.body,{s}.callActivity.state-current>.body{{stroke-width:5px}}",
        f"{s}.endEvent.state-waiting>.body,{s}.callActivity.state-waiting>.body{{stroke-width:4px}}",
        f"{s}.state-cancelled text{{fill:#757575}}",
        f"{s}.state-cancelled .glyph{{stroke:#9e9e9e}}",
        f"{s}.state-cancelled .glyph.filled{{fill:#9e9e9e}}",
        f"{s}.taken{{color:#2e7d32}}",
        f"{s}.taken>.line{{stroke:#2e7d32;stroke-width:2.5px}}",
        f"{s}.taken>.arrow{{stroke:#2e7d32}}",
        f"{s}.taken>.arrow.filled{{fill:#2e7d32}}",
    ]
    return "".join(rules)


def _state_rules(state: str, fill: str, stroke: str, extra: str) -> list[str]:
    s = f".bpmn-diagram .state-{state}"
    return [
        f"{s}>.body{{fill:{fill};stroke:{stroke};{extra}}}",
        f"{s}>.inner{{stroke:{stroke}}}",
        f".bpmn-diagram .flow.state-{state}{{color:{stroke}}}",
    ]


def svg_document(body: str, extent: Extent, title: str, natural_size: bool = False) -> str:
    heading = _title(title, extent)
    if extent.empty:
        extent.add(0, 0)
    x, y = extent.x0 - MARGIN, extent.y0 - MARGIN
    w, h = extent.x1 - extent.x0 + 2 * MARGIN, extent.y1 - extent.y0 + 2 * MARGIN
    title_el = f"<title>{esc(title)}</title>" if title.strip() else ""
    aria = f' aria-label="{esc(title)}"' if title.strip() else ""
    size = f'width="{num(w)}" height="{num(h)}"' if natural_size else f'width="100%" style="max-width:{num(w)}px"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bpmn-diagram" role="img"{aria} '
        f'viewBox="{num(x)} {num(y)} {num(w)} {num(h)}" {size} preserveAspectRatio="xMidYMin meet" '
        f'data-width="{num(w)}" data-height="{num(h)}">'
        f"{title_el}<style>{_style()}</style>{heading}{body}</svg>"
    )
