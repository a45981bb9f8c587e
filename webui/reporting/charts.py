"""Charts as SVG drawn on the server with pygal, inlined in the page.

No script reaches the browser: pygal's tooltip script is not referenced (js=[]) and the
inline config script it always writes is removed, so the charts work under the site's CSP
(no inline scripts) and offline. Bars and slices link to the filtered ledger behind them;
every chart has a table with the same numbers beside it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from lxml import etree
from markupsafe import Markup
from pygal.style import Style

from engine.core.statuses import TaskStatus, WarningLevel
from engine.features.reporting.dashboard import GroupRow, MonthPoint, StatusCounts
from engine.features.targets.indicators import IndicatorView
from webui.i18n import translated

SVG = "{http://www.w3.org/2000/svg}"
FONT = 'system-ui, -apple-system, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
STATUS_COLOURS = {TaskStatus.REGISTERED: "#6c757d", TaskStatus.IN_PROGRESS: "#0d6efd",
                  TaskStatus.PENDING_SIGNOFF: "#f0ad00", TaskStatus.CLOSED: "#198754"}
WARNING_COLOURS = {WarningLevel.GREEN: "#198754", WarningLevel.YELLOW: "#f0ad00", WarningLevel.RED: "#dc3545"}
Link = Callable[..., str]


def _style(colours: Sequence[str], value_size: int = 11) -> Style:
    return Style(background="white", plot_background="white", foreground="#212529", foreground_strong="#212529",
                 foreground_subtle="#adb5bd", opacity="1", opacity_hover=".85", colors=tuple(colours),
                 font_family=FONT, label_font_size=12, major_label_font_size=12, legend_font_size=12,
                 value_font_size=value_size, title_font_size=14, tooltip_font_size=12, guide_stroke_dasharray="0",
                 major_guide_stroke_dasharray="0", guide_stroke_color="#dee2e6", major_guide_stroke_color="#ced4da")


def _config(colours: Sequence[str], **options: Any) -> dict[str, Any]:
    return {"style": _style(colours), "js": [], "disable_xml_declaration": True, "legend_at_bottom": True,
            "truncate_label": -1, "truncate_legend": -1, "print_values": True, "print_zeroes": False,
            "show_y_guides": True, "show_legend": False, "width": 640, "height": 320, **options}


def _label_room(labels: Sequence[str], size: int = 12) -> dict[str, int]:
    """Extra left margin for Chinese axis labels: pygal sizes labels as 0.6 em a character, CJK needs 1 em."""
    longest = max((len(label) for label in labels), default=0)
    return {"margin_left": 20 + int(0.45 * size * longest)}


def _count_axis(highest: int) -> dict[str, Any]:
    """Whole numbers on a count axis (not 0.2, 0.4 …)."""
    step = max(1, -(-highest // 8))
    return {"y_labels": list(range(0, highest + step + 1, step)), "show_minor_y_labels": True}


def render(chart: pygal.graph.graph.Graph, label: str, kind: str = "") -> Markup:
    """The chart's SVG without scripts or comments, labelled for screen readers (`kind`: a CSS class of its own)."""
    root = etree.fromstring(chart.render(is_unicode=True).encode("utf-8"))
    for node in list(root.iter(f"{SVG}script", etree.Comment)):
        node.getparent().remove(node)
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("class", f"pygal-chart chart-svg {kind}".strip())
    svg = Markup(etree.tostring(root, encoding="unicode"))  # noqa: S704 - SVG built by pygal/lxml, text escaped
    return svg + legend(chart)


def legend(chart: pygal.graph.graph.Graph) -> Markup:
    """The series' names under the chart in the page's own type, not in the SVG: a drawing scaled down to a
    column's width would shrink its legend to a few pixels."""
    colours = chart.config.style.colors
    items = Markup("").join(
        Markup('<li><svg class="legend-swatch" width="12" height="12" aria-hidden="true">'
               '<rect width="12" height="12" rx="2" fill="{}"/></svg>{}</li>').format(
            colours[index % len(colours)], options.get("title", ""))
        for index, (_values, options) in enumerate(chart.raw_series))
    return Markup('<ul class="chart-legend" aria-hidden="true">{}</ul>').format(items)


def _value(count: int, href: str) -> dict[str, Any] | None:
    return {"value": count, "xlink": {"href": href, "target": "_self"}} if count else None


def _donut(colours: Sequence[str]) -> pygal.Pie:
    """A ring as wide as it is high, drawn at the size the page shows it (duban.css .chart-donut): its numbers are
    not scaled down to a few pixels on a phone or in a half-width column."""
    return pygal.Pie(**{**_config(colours, inner_radius=.45, width=DONUT, height=DONUT, margin=4),
                        "style": _style(colours, value_size=14)})


#: the donut's drawing, in px; the page shows it at this width at most
DONUT = 300


def status_pie(statuses: StatusCounts, link: Link) -> Markup:
    chart = _donut(list(STATUS_COLOURS.values()))
    for status in TaskStatus:
        chart.add(translated(status.label), [_value(statuses[status], link(status=status.value))])
    return render(chart, _("整改任务按状态分布"), "chart-donut")


def warning_pie(warnings: dict[WarningLevel, int], link: Link) -> Markup:
    chart = _donut(list(WARNING_COLOURS.values()))
    for level in WarningLevel:
        chart.add(translated(level.label), [_value(warnings.get(level, 0), link(warning=level.value))])
    return render(chart, _("未销号任务的预警颜色"), "chart-donut")


def status_bars(rows: Sequence[GroupRow], link: Callable[[GroupRow, TaskStatus], str], label: str) -> Markup:
    rows = list(reversed(rows))  # pygal draws the first label at the bottom; the table reads top down
    labels = [row.label for row in rows]
    chart = pygal.HorizontalStackedBar(**_config(
        list(STATUS_COLOURS.values()), width=540, height=100 + 26 * len(rows), **_label_room(labels),
        **_count_axis(max((row.statuses.total for row in rows), default=1))))
    chart.x_labels = labels
    for status in TaskStatus:
        chart.add(translated(status.label), [_value(row.statuses[status], link(row, status)) for row in rows])
    return render(chart, label)


def completion_curve(points: Sequence[MonthPoint], link: Callable[[MonthPoint], str]) -> Markup:
    colours = [STATUS_COLOURS[s] for s in reversed(TaskStatus)]
    chart = pygal.StackedLine(**_config(colours, fill=True, print_values=False, dots_size=3,
                                        x_label_rotation=0 if len(points) <= 12 else 45))
    chart.x_labels = [point.period for point in points]
    for status in reversed(TaskStatus):  # 已销号 at the bottom: the area that should grow
        values = [{"value": point.statuses[status], "xlink": {"href": link(point), "target": "_self"}}
                  if status is TaskStatus.CLOSED else point.statuses[status] for point in points]
        chart.add(translated(status.label), values)
    return render(chart, _("各月末整改任务状态（销号进度曲线）"))


def behind_bars(rows: Sequence[GroupRow], link: Callable[[GroupRow, str], str]) -> Markup:
    rows = list(reversed(rows))
    labels = [row.label for row in rows]
    highest = max((max(row.behind()) for row in rows), default=1)
    chart = pygal.HorizontalBar(**_config(["#dc3545", "#6f42c1", "#f0ad00"], width=540,
                                          height=100 + 40 * max(1, len(rows)), **_label_room(labels),
                                          **_count_axis(highest)))
    chart.x_labels = labels
    for key, label in (("red", _("红色预警")), ("overdue", _("逾期未报")), ("yellow", _("黄色预警"))):
        chart.add(label, [_value(getattr(row, key), link(row, key)) for row in rows])
    return render(chart, _("进度滞后的单位"))


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
