"""Every form a BPMN user task may name, with the Python that gives it meaning."""
from __future__ import annotations

from engine.features.rectification.forms import CORE_HANDLERS, FormHandler
from engine.features.signoff.forms import SIGNOFF_HANDLERS

FORM_HANDLERS: dict[str, FormHandler] = {handler.name: handler for handler in (*CORE_HANDLERS, *SIGNOFF_HANDLERS)}
