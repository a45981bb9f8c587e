"""pybabel extractors for the texts people see that live outside Python and templates.

BPMN element names (step, lane, gateway and flow names: the inbox and the diagram show them)
and the role names and descriptions of roles.yaml. Declared in babel.cfg.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml
from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
Message = tuple[int, str, str, list[str]]


def extract_bpmn(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[Message]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(fileobj, parser).getroot()
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        name = (element.get("name") or "").strip()
        if name:
            yield element.sourceline or 0, "", name, [f"BPMN {etree.QName(element).localname}"]


def extract_roles(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[Message]:
    roles = (yaml.safe_load(fileobj) or {}).get("roles", {})
    for key, role in roles.items():
        for part in ("name", "description"):
            if role.get(part):
                yield 0, "", str(role[part]), [f"role {key}: {part}"]
