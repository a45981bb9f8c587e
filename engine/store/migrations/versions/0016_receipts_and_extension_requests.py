"""签收 and 延期申请: each unit's receipt of an assigned task (and its return), the units' requests for a later
deadline; on the task, when its lead unit received it, whether a receipt is late and how often it was extended

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('drafting', 'reviewing', 'deciding', 'approved', 'changed', 'refused', 'withdrawn', name='extensionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('to_head', sa.Boolean(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('old_deadline', sa.Date(), nullable=False),
    sa.Column('requested_deadline', sa.Date(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('requested_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_deadline', sa.Date(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_requests_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_requests_task_id'), ['task_id'], unique=False)

    op.create_table('task_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'returned', 'received', 'reassigned', name='receiptstatus', native_enum=False, length=32), nullable=False),
    sa.Column('assigned_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('received_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('reassigned_to_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ),
    sa.ForeignKeyConstraint(['reassigned_to_id'], ['units.id'], ),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_receipts_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_task_receipts_task_unit', ['task_id', 'unit_id'], unique=False)

    with op.batch_alter_table('rectification_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('receipt_late', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('extensions', sa.Integer(), nullable=False, server_default='0'))



def downgrade() -> None:
    with op.batch_alter_table('rectification_tasks', schema=None) as batch_op:
        batch_op.drop_column('extensions')
        batch_op.drop_column('receipt_late')
        batch_op.drop_column('received_at')

    with op.batch_alter_table('task_receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_task_receipts_task_unit')
        batch_op.drop_index(batch_op.f('ix_task_receipts_instance_id'))

    op.drop_table('task_receipts')
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_requests_task_id'))
        batch_op.drop_index(batch_op.f('ix_extension_requests_instance_id'))

    op.drop_table('extension_requests')
