"""One decision for several work items of one kind through the API (催报 for many units, 督办 of many overdue
complaint cases): the inbox's batch (webui/work/batch.py), with the same form, all or nothing; a refusal names each
item that cannot be done and why."""
from __future__ import annotations

from flask import Response

from engine.core.errors import InvalidSubmission
from engine.core.text import N_
from webui.api import schemas
from webui.api.answers import answer
from webui.api.blueprint import bp
from webui.api.operations import operation, read_body
from webui.api.work import as_formdata, flat_errors
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.i18n import translated
from webui.work.batch import batch_form


@bp.post("/work/batch")
@operation(N_("批量办理：对同一类可批量办理的事项作出同一决定；有一项不能办理则都不办理，逐项说明原因"), "work",
           answer=schemas.BatchDone, body=schemas.BatchCompletion, writes=True)
def batch() -> Response:
    chosen = read_body(schemas.BatchCompletion)
    form = batch_form(chosen.kind, formdata=as_formdata(chosen.fields), meta={"csrf": False})
    if form is None:
        raise InvalidSubmission({"kind": [N_("这类事项不能批量办理")]})
    if not form.validate():
        raise InvalidSubmission(flat_errors(form.errors))
    done = engine().work.complete_many(current_actor(), chosen.work_ids, form.engine_data(), chosen.kind)
    return answer(schemas.BatchDone(kind=chosen.kind, done=[schemas.Named(id=work.id, name=translated(work.name))
                                                            for work in done]))
