"""The pictograms, as SVG inside a small box: task types, activity markers, event and gateway symbols."""

from __future__ import annotations

import math

from webui.diagram.svg import num


def _gear(teeth: int = 8, outer: float = 7.5, inner: float = 5.6) -> str:
    points: list[str] = []
    for k in range(teeth):
        a = 2 * math.pi * k / teeth
        for radius, da in ((inner, -0.3), (outer, -0.17), (outer, 0.17), (inner, 0.3)):
            points.append(f"{num(8 + radius * math.cos(a + da))},{num(8 + radius * math.sin(a + da))}")
    return f'<path d="M{"L".join(points)}Z"/><circle cx="8" cy="8" r="2.4"/>'


# Glyphs in a 16×16 box (top-left origin); (svg, filled).
TASK_GLYPHS: dict[str, tuple[str, bool]] = {
    "userTask": (
        '<circle cx="8" cy="4.5" r="3.5"/><path d="M1.5,16C1.5,10.5 4.5,9 8,9C11.5,9 14.5,10.5 14.5,16Z"/>',
        False,
    ),
    "serviceTask": (_gear(), False),
    "scriptTask": (
        '<path d="M4,1H14C11,5 17,10 14,15H4C7,10 1,5 4,1Z"/><path d="M5.5,5H11.5M6.5,8H12.5M6.5,11H12.5"/>',
        False,
    ),
    "manualTask": (
        '<path d="M1,8V15H9.5C10.5,15 10.5,13.5 9.5,13.5H11C12,13.5 12,12 11,12H12C13,12 13,10.5 12,10.5'
        'H14.5C15.5,10.5 15.5,9 14.5,9H7L8.5,6.8C9,6 8,5.2 7.2,5.8L3,8Z"/>',
        False,
    ),
    "sendTask": ('<rect x="0" y="2" width="16" height="11"/><path class="inv" d="M0,2L8,8L16,2"/>', True),
    "receiveTask": ('<rect x="0" y="2" width="16" height="11"/><path d="M0,2L8,8L16,2"/>', False),
    "businessRuleTask": (
        '<rect x="0" y="1" width="16" height="13"/><rect x="0" y="1" width="16" height="3.5" class="solid"/>'
        '<path d="M0,9H16M5,4.5V14"/>',
        False,
    ),
}


# Markers in a 12×12 box (top-left origin).
MARKERS: dict[str, str] = {
    "loop": '<path d="M3.5,10.3A5,5 0 1 1 8.5,10.3"/><path d="M3.5,10.3L0.8,10.8M3.5,10.3L3.1,7.6"/>',
    "parallel": '<path class="bar" d="M2,0V12M6,0V12M10,0V12"/>',
    "sequential": '<path class="bar" d="M0,2H12M0,6H12M0,10H12"/>',
    "collapsed": '<rect x="-1" y="-1" width="14" height="14"/><path d="M6,2V10M2,6H10"/>',
    "adhoc": '<path d="M0,8C2,3 5,3 6,6C7,9 10,9 12,4"/>',
    "compensation": '<path d="M0,6L6,1V11ZM6,6L12,1V11Z"/>',
}


def _polygon_path(sides: int, radius: float, rotate: float = -math.pi / 2) -> str:
    angles = [rotate + 2 * math.pi * k / sides for k in range(sides)]
    points = [f"{num(radius * math.cos(a))},{num(radius * math.sin(a))}" for a in angles]
    return f'<path d="M{"L".join(points)}Z"/>'


def _clock() -> str:
    ticks = "".join(
        f"M{num(7.5 * math.cos(a))},{num(7.5 * math.sin(a))}L{num(9.5 * math.cos(a))},{num(9.5 * math.sin(a))}"
        for a in (math.pi * k / 6 for k in range(12))
    )
    return f'<circle class="face" cx="0" cy="0" r="10"/><path d="{ticks}M0,0L0,-7M0,0L5,2"/>'


EVENT_GLYPHS: dict[str, str] = {
    "message": '<rect x="-8" y="-5.5" width="16" height="11"/><path class="inv" d="M-8,-5.5L0,1L8,-5.5"/>',
    "timer": _clock(),
    "signal": '<path d="M0,-9L8.5,6H-8.5Z"/>',
    "error": '<path d="M-7.5,7.5L-3.5,-6.5L1.5,1.5L7.5,-7.5L3.5,6.5L-1.5,-1.5Z"/>',
    "escalation": '<path d="M0,-9L6.5,8L0,2L-6.5,8Z"/>',
    "conditional": '<rect x="-6.5" y="-8" width="13" height="16"/><path d="M-4,-4.5H4M-4,-1.5H4M-4,1.5H4M-4,4.5H4"/>',
    "terminate": '<circle cx="0" cy="0" r="10"/>',
    "link": '<path d="M-8,-3H1V-7.5L8.5,0L1,7.5V3H-8Z"/>',
    "compensate": '<path d="M-9,0L-1,-6V6ZM-1,0L7,-6V6Z"/>',
    "cancel": '<path d="M-7,-4.5L-4.5,-7L0,-2.5L4.5,-7L7,-4.5L2.5,0L7,4.5L4.5,7L0,2.5L-4.5,7L-7,4.5L-2.5,0Z"/>',
    "multiple": _polygon_path(5, 9),
    "parallelMultiple": '<path d="M-2.5,-9H2.5V-2.5H9V2.5H2.5V9H-2.5V2.5H-9V-2.5H-2.5Z"/>',
}


# Gateway glyphs for a 50-wide diamond centred on the origin.
GATEWAY_GLYPHS: dict[str, str] = {
    "exclusive": '<path class="heavy" d="M-7.5,-7.5L7.5,7.5M7.5,-7.5L-7.5,7.5"/>',
    "parallel": '<path class="heavy" d="M0,-11V11M-11,0H11"/>',
    "inclusive": '<circle class="heavy" cx="0" cy="0" r="10"/>',
    "complex": '<path class="heavy" d="M0,-11V11M-11,0H11M-7.8,-7.8L7.8,7.8M7.8,-7.8L-7.8,7.8"/>',
    "eventBased": '<circle cx="0" cy="0" r="11"/><circle cx="0" cy="0" r="8.5"/>' + _polygon_path(5, 5.5),
    "eventBasedStart": '<circle cx="0" cy="0" r="11"/>' + _polygon_path(5, 5.5),
    "parallelEventBased": '<circle cx="0" cy="0" r="11"/>'
    '<path d="M-1.8,-7H1.8V-1.8H7V1.8H1.8V7H-1.8V1.8H-7V-1.8H-1.8Z"/>',
}
