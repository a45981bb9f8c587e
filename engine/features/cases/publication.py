"""公开: the publicity group publishes a batch's results; the accepted cases of the batch become public (those
accepted later are published when the batch is published again), and a share of the closed ones is to be called
back (回访)."""
from __future__ import annotations

from sqlalchemy import select

from engine.core.errors import InvalidSubmission, NotFound
from engine.core.statuses import CaseStatus
from engine.core.text import N_
from engine.features.cases.aftercare import sample_callbacks
from engine.store.models import CaseBatch, ComplaintCase
from engine.workflow.step import Step


def publish_batch(step: Step, batch_id: int) -> int:
    """Publish the batch's accepted cases; how many were published."""
    batch = step.session.get(CaseBatch, batch_id)
    if batch is None:
        raise NotFound(N_("没有这一批信访件"))
    accepted = list(step.session.scalars(select(ComplaintCase).where(
        ComplaintCase.batch_id == batch_id, ComplaintCase.published_at.is_(None),
        ComplaintCase.status.in_((CaseStatus.ACCEPTED, CaseStatus.RECTIFYING))).order_by(ComplaintCase.id)))
    if not accepted:
        raise InvalidSubmission({"batch": [N_("这一批没有审核通过、尚未公开的信访件")]})
    for case in accepted:
        case.published_at = step.now
        if case.status is CaseStatus.ACCEPTED:
            case.status = CaseStatus.PUBLISHED
    called = sample_callbacks(step, [case for case in accepted if case.status is CaseStatus.PUBLISHED])
    first = batch.published_at is None
    batch.published_at = batch.published_at or step.now
    step.audit("case.batch_published", ("case_batch", batch.id),
               f"公开信访件第{batch.number}批办理结果 {len(accepted)} 件" + ("" if first else "（续）"),
               after={"cases": [case.number for case in accepted], "callbacks": [case.number for case in called]})
    return len(accepted)
