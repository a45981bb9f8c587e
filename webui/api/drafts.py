"""暂存 through the API: a person's draft of a long form, read, saved and given up with the same rules and audit as
the web page's 暂存 button (only the forms that keep drafts; the work stays open; only the person's own)."""
from __future__ import annotations

from flask import Response

from engine.core.text import N_
from webui.api import schemas, views
from webui.api.answers import answer
from webui.api.blueprint import bp
from webui.api.operations import operation
from webui.api.work import submitted
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.work.item_forms import draft_values


@bp.get("/work/<int:work_id>/draft")
@operation(N_("本人对一项待办的暂存：保存的内容和时间（没有暂存时 saved_at 为 null）"), "work", answer=schemas.Draft)
def draft(work_id: int) -> Response:
    return answer(views.draft(engine().work.draft(current_actor(), work_id)))


@bp.put("/work/<int:work_id>/draft")
@operation(N_("暂存一项待办的表单（只限可暂存的长表单）：不检查、不算报送，待办仍未办理"), "work", answer=schemas.Draft,
           body=schemas.Completion, writes=True)
def save_draft(work_id: int) -> Response:
    saved = engine().work.save_draft(current_actor(), work_id, draft_values(submitted()))
    return answer(views.draft(saved))


@bp.delete("/work/<int:work_id>/draft")
@operation(N_("放弃本人对一项待办的暂存"), "work", answer=schemas.DraftDiscarded, writes=True)
def discard_draft(work_id: int) -> Response:
    return answer(schemas.DraftDiscarded(discarded=engine().work.discard_draft(current_actor(), work_id)))
