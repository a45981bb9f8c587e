"""Charts as SVG drawn on the server, inlined in the page: pies and lines with pygal, bars across
(one for each category, lead unit, lead leader) here, since pygal is slow for a hundred of them.

No script reaches the browser: pygal's tooltip script is not referenced (js=[]) and the
inline config script it always writes is removed, so the charts work under the site's CSP
(no inline scripts) and offline. Bars and slices link to the filtered ledger behind them;
every chart has a table with the same numbers beside it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pygal
from flask_babel import gettext as _
from lxml import etree
from markupsafe import Markup, escape
from pygal.style import Style

from engine.dashboard import GroupRow, MonthPoint, StatusCounts
from engine.models import TaskStatus, WarningLevel
from engine.targets import IndicatorView
from webui.formatting import STATUS_LABELS, WARNING_LABELS

SVG_NS = "http://www.w3.org/2000/svg"
SVG = f"{{{SVG_NS}}}"
FONT = 'system-ui, -apple-system, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
STATUS_COLOURS = {TaskStatus.REGISTERED: "#6c757d", TaskStatus.IN_PROGRESS: "#0d6efd",
                  TaskStatus.PENDING_SIGNOFF: "#f0ad00", TaskStatus.CLOSED: "#198754"}
WARNING_COLOURS = {WarningLevel.GREEN: "#198754", WarningLevel.YELLOW: "#f0ad00", WarningLevel.RED: "#dc3545"}
Link = Callable[..., str]


def _style(colours: Sequence[str]) -> Style:
    return Style(background="white", plot_background="white", foreground="#212529", foreground_strong="#212529",
                 foreground_subtle="#adb5bd", opacity="1", opacity_hover=".85", colors=tuple(colours),
                 font_family=FONT, label_font_size=12, major_label_font_size=12, legend_font_size=12,
                 value_font_size=11, title_font_size=14, tooltip_font_size=12, guide_stroke_dasharray="0",
                 major_guide_stroke_dasharray="0", guide_stroke_color="#dee2e6", major_guide_stroke_color="#ced4da")


def _config(colours: Sequence[str], **options: Any) -> dict[str, Any]:
    return {"style": _style(colours), "js": [], "disable_xml_declaration": True, "legend_at_bottom": True,
            "truncate_label": -1, "truncate_legend": -1, "print_values": True, "print_zeroes": False,
            "show_y_guides": True, "width": 640, "height": 320, **options}


def _count_axis(highest: int) -> dict[str, Any]:
    """Whole numbers on a count axis (not 0.2, 0.4 …)."""
    step = max(1, -(-highest // 8))
    return {"y_labels": list(range(0, highest + step + 1, step)), "show_minor_y_labels": True}


def render(chart: pygal.graph.graph.Graph, label: str) -> Markup:
    """The chart's SVG without scripts or comments, labelled for screen readers."""
    root = etree.fromstring(chart.render(is_unicode=True).encode("utf-8"))
    for node in list(root.iter(f"{SVG}script", etree.Comment)):
        node.getparent().remove(node)
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("class", "pygal-chart chart-svg")
    return Markup(etree.tostring(root, encoding="unicode"))  # noqa: S704 - SVG built by pygal/lxml, text escaped


def _value(count: int, href: str) -> dict[str, Any] | None:
    return {"value": count, "xlink": {"href": href, "target": "_self"}} if count else None


def status_pie(statuses: StatusCounts, link: Link) -> Markup:
    chart = pygal.Pie(**_config(list(STATUS_COLOURS.values()), inner_radius=.45, height=300))
    for status in TaskStatus:
        chart.add(str(STATUS_LABELS[status]), [_value(statuses[status], link(status=status.value))])
    return render(chart, _("整改任务按状态分布"))


def warning_pie(warnings: dict[WarningLevel, int], link: Link) -> Markup:
    chart = pygal.Pie(**_config(list(WARNING_COLOURS.values()), inner_radius=.45, height=300))
    for level in WarningLevel:
        chart.add(str(WARNING_LABELS[level]), [_value(warnings.get(level, 0), link(warning=level.value))])
    return render(chart, _("未销号任务的预警颜色"))


def status_bars(rows: Sequence[GroupRow], link: Callable[[GroupRow, TaskStatus], str], label: str) -> Markup:
    series = [BarSeries(str(STATUS_LABELS[status]), STATUS_COLOURS[status], [row.statuses[status] for row in rows],
                        [link(row, status) for row in rows]) for status in TaskStatus]
    return horizontal_bars([row.label for row in rows], series, label, stacked=True, row_height=26)


def completion_curve(points: Sequence[MonthPoint], link: Callable[[MonthPoint], str]) -> Markup:
    colours = [STATUS_COLOURS[s] for s in reversed(TaskStatus)]
    chart = pygal.StackedLine(**_config(colours, fill=True, print_values=False, dots_size=3,
                                        x_label_rotation=0 if len(points) <= 12 else 45))
    chart.x_labels = [point.period for point in points]
    for status in reversed(TaskStatus):  # 已销号 at the bottom: the area that should grow
        values = [{"value": point.statuses[status], "xlink": {"href": link(point), "target": "_self"}}
                  if status is TaskStatus.CLOSED else point.statuses[status] for point in points]
        chart.add(str(STATUS_LABELS[status]), values)
    return render(chart, _("各月末整改任务状态（销号进度曲线）"))


def behind_bars(rows: Sequence[GroupRow], link: Callable[[GroupRow, str], str]) -> Markup:
    series = [BarSeries(name, colour, [getattr(row, key) for row in rows], [link(row, key) for row in rows])
              for key, name, colour in (("red", _("红色预警"), "#dc3545"), ("overdue", _("逾期未报"), "#6f42c1"),
                                        ("yellow", _("黄色预警"), "#f0ad00"))]
    return horizontal_bars([row.label for row in rows], series, _("进度滞后的单位"), stacked=False, row_height=40)


@dataclass(frozen=True)
class BarSeries:
    name: str
    colour: str
    values: Sequence[int]
    links: Sequence[str]  # one for each value: where a click on its bar leads


def horizontal_bars(labels: Sequence[str], series: Sequence[BarSeries], label: str, *, stacked: bool,
                    row_height: int, width: int = 540) -> Markup:
    """Bars across, a row for each label (top down), stacked or side by side, drawn here as SVG.

    pygal took ~80 ms for the lead units' chart of a province (~100 units × 4 statuses); this draws the same
    in a few. It looks like the pygal charts beside it: their colours, fonts, guides and legend, each value
    printed in its bar, each bar a link with its label and value as a tooltip."""
    layout = _BarLayout.of(labels, series, stacked, row_height, width)
    parts = [*_guides(layout), *(_row_labels(layout, labels))]
    for row, row_label in enumerate(labels):
        parts.extend(_row_bars(layout, row, row_label, series))
    parts.extend(_legend(layout, series))
    return Markup(  # noqa: S704 - every text and attribute value is escaped
        f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {width} {layout.height}" '
        f'width="{width}" height="{layout.height}" role="img" aria-label="{escape(label)}" class="chart-svg" '
        f'font-family="{escape(FONT)}" font-size="12" fill="#212529">'
        f'<rect width="100%" height="100%" fill="white"/>{"".join(parts)}</svg>')


LEGEND_ROW = 20
AXIS_ROOM = 24


@dataclass(frozen=True)
class _BarLayout:
    left: float
    right: float
    top: float
    row_height: float
    rows: int
    ticks: list[int]
    stacked: bool
    series: int
    legend_columns: int
    width: int
    height: int

    @classmethod
    def of(cls, labels: Sequence[str], series: Sequence[BarSeries], stacked: bool, row_height: int,
           width: int) -> _BarLayout:
        sums = [sum(values) for values in zip(*(s.values for s in series), strict=True)] if stacked else \
            [value for s in series for value in s.values]
        ticks = _count_axis(max(sums, default=0) or 1)["y_labels"]
        left = 16 + 12 * max((len(label) for label in labels), default=0)
        columns = 2
        legend_rows = -(-len(series) // columns)
        height = 10 + row_height * len(labels) + AXIS_ROOM + LEGEND_ROW * legend_rows + 10
        return cls(left, width - 20, 10, row_height, len(labels), ticks, stacked, len(series), columns, width,
                   height)

    def x(self, value: float) -> float:
        return self.left + (self.right - self.left) * value / self.ticks[-1]

    @property
    def bottom(self) -> float:
        return self.top + self.row_height * self.rows


def _guides(layout: _BarLayout) -> list[str]:
    lines = []
    for tick in layout.ticks:
        x = round(layout.x(tick), 1)
        colour = "#ced4da" if tick == 0 else "#dee2e6"
        lines.append(f'<line x1="{x}" y1="{layout.top}" x2="{x}" y2="{layout.bottom}" stroke="{colour}"/>'
                     f'<text x="{x}" y="{layout.bottom + 16}" text-anchor="middle">{tick}</text>')
    return lines


def _row_labels(layout: _BarLayout, labels: Sequence[str]) -> list[str]:
    return [f'<text x="{layout.left - 6}" y="{layout.top + layout.row_height * (row + 0.5) + 4:.1f}" '
            f'text-anchor="end">{escape(label)}</text>' for row, label in enumerate(labels)]


def _row_bars(layout: _BarLayout, row: int, row_label: str, series: Sequence[BarSeries]) -> list[str]:
    gap = layout.row_height * 0.1
    thickness = (layout.row_height - 2 * gap) / (1 if layout.stacked else layout.series)
    bars, start = [], 0
    for index, one in enumerate(series):
        value = one.values[row]
        if not value:
            continue
        y = layout.top + layout.row_height * row + gap + (0 if layout.stacked else thickness * index)
        x0 = layout.x(start if layout.stacked else 0)
        x1 = layout.x((start if layout.stacked else 0) + value)
        start += value
        bars.append(_bar(x0, y, x1 - x0, thickness, one.colour, value, one.links[row], f"{row_label} · {one.name}"))
    return bars


def _bar(x: float, y: float, width: float, height: float, colour: str, value: int, href: str, title: str) -> str:
    text = str(value)
    printed = (f'<text x="{x + width / 2:.1f}" y="{y + height / 2 + 4:.1f}" text-anchor="middle" font-size="11">'
               f"{text}</text>") if width >= 6.2 * len(text) + 2 else ""
    return (f'<a href="{escape(href)}" xlink:href="{escape(href)}" target="_self"><title>{escape(title)}: {text}'
            f'</title><rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}"/>'
            f"{printed}</a>")


def _legend(layout: _BarLayout, series: Sequence[BarSeries]) -> list[str]:
    column_width = layout.width / layout.legend_columns
    items = []
    for index, one in enumerate(series):
        x = 4 + column_width * (index % layout.legend_columns)
        y = layout.bottom + AXIS_ROOM + LEGEND_ROW * (index // layout.legend_columns)
        items.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{one.colour}"/>'
                     f'<text x="{x + 18:.1f}" y="{y + 11:.1f}">{escape(one.name)}</text>')
    return items


def indicator_chart(view: IndicatorView) -> Markup:
    indicator = view.indicator
    points = view.points
    numbers = [n for point in points for n in (point.value, point.planned) if n is not None]
    low, high = min(numbers), max(numbers)
    pad = (high - low) * 0.08 or max(1.0, abs(high) * 0.05)
    chart = pygal.Line(**_config(["#0d6efd", "#dc3545"], print_values=False, dots_size=3, height=280,
                                 range=(max(0.0, low - pad), high + pad),
                                 x_label_rotation=45 if len(points) > 12 else 0, show_minor_x_labels=False,
                                 x_labels_major_every=max(1, len(points) // 12), allow_interruptions=True,
                                 y_title=indicator.unit or None))
    chart.x_labels = [point.period for point in points]
    chart.add(_("实际值"), [point.value for point in points], allow_interruptions=True)
    chart.add(_("目标线"), [point.planned for point in points], show_dots=False,
              stroke_style={"width": 2.5, "dasharray": "8, 5"})
    return render(chart, _("%(name)s：实际值与目标线", name=indicator.name))
