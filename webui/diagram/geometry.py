"""Points, boxes, the extent of the drawing, and walking along a polyline."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


class Extent:
    """Running bounding box of everything drawn, for the viewBox."""

    def __init__(self) -> None:
        self.x0 = self.y0 = math.inf
        self.x1 = self.y1 = -math.inf

    def add(self, x: float, y: float) -> None:
        self.x0, self.y0 = min(self.x0, x), min(self.y0, y)
        self.x1, self.y1 = max(self.x1, x), max(self.y1, y)

    def add_box(self, box: Box) -> None:
        self.add(box.x, box.y)
        self.add(box.right, box.bottom)

    @property
    def empty(self) -> bool:
        return self.x0 > self.x1


def _unit(a: Point, b: Point) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return dx / length, dy / length


def end_direction(points: tuple[Point, ...], at_start: bool) -> tuple[Point, Point]:
    """End point and the unit vector pointing *out* of the line there (ignoring zero-length segments)."""
    seq = points if at_start else points[::-1]
    end = seq[0]
    other = next((p for p in seq[1:] if p != end), seq[1])
    return end, _unit(other, end)


def start_direction(points: tuple[Point, ...]) -> tuple[Point, Point]:
    """First point and the unit vector along the line from there (end_direction's, turned round)."""
    start, (ux, uy) = end_direction(points, at_start=True)
    return start, (-ux, -uy)


def trim(points: tuple[Point, ...], amount: float, at_start: bool) -> tuple[Point, ...]:
    """Pull one end of the line back so it stops under an arrowhead or marker instead of poking through."""
    end, (ux, uy) = end_direction(points, at_start)
    moved = (end[0] - ux * amount, end[1] - uy * amount)
    return (moved, *points[1:]) if at_start else (*points[:-1], moved)


def midpoint(points: tuple[Point, ...]) -> Point:
    """Point halfway along the polyline."""
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    remaining = sum(lengths) / 2
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
        if remaining <= length and length > 0:
            t = remaining / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        remaining -= length
    return points[0]
