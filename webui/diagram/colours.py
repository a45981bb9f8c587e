"""Colours the modeler set in the file (OMG color: or bpmn.io bioc: extension); highlights win over them."""

from __future__ import annotations

import re

from lxml import etree

from webui.diagram.model import BIOC_NS, COLOR_NS, Ctx, Item


def has_model_colours(item: Item) -> bool:
    """Whether the file colours the element (a highlight then draws it otherwise)."""
    fill = item.di.get(f"{{{COLOR_NS}}}background-color") or item.di.get(f"{{{BIOC_NS}}}fill")
    return fill is not None or _stroke(item.di) is not None


def model_colours(item: Item, ctx: Ctx) -> str:
    """A shape's fill and stroke from the file, as a style attribute ("" when highlighted or unset)."""
    if item.sem.get("id", "") in ctx.highlights:
        return ""
    fill = item.di.get(f"{{{COLOR_NS}}}background-color") or item.di.get(f"{{{BIOC_NS}}}fill")
    stroke = _stroke(item.di)
    rules = [f"{prop}:{value}" for prop, value in (("fill", fill), ("stroke", stroke)) if _is_colour(value)]
    return f' style="{";".join(rules)}"' if rules else ""


def edge_colour(item: Item, ctx: Ctx) -> str:
    el_id = item.sem.get("id", "")
    if el_id in ctx.highlights or el_id in ctx.flows_taken:
        return ""
    colour = _stroke(item.di)
    return colour if colour is not None and _is_colour(colour) else ""


def _stroke(di: etree._Element) -> str | None:
    return di.get(f"{{{COLOR_NS}}}border-color") or di.get(f"{{{BIOC_NS}}}stroke")


def _is_colour(value: str | None) -> bool:
    # Anything else could break out of the style attribute.
    pattern = r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([\d\s.,%]+\)"
    return value is not None and re.fullmatch(pattern, value) is not None
