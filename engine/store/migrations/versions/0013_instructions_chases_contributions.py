"""领导批示, 催办 and 会办: a leader's instructions on tasks and the units' answers, the office's chases of a
unit on an open step, the cooperating units' monthly contributions

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'given', 'missing', name='contributionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('requested_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('given_by_id', sa.Integer(), nullable=True),
    sa.Column('given_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['given_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id'),
    sa.UniqueConstraint('task_id', 'unit_id', 'period')
    )
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contributions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_contributions_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contributions_unit_id'), ['unit_id'], unique=False)

    op.create_table('instructions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=32), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_answer', 'answered', 'closed', name='instructionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('written_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ),
    sa.ForeignKeyConstraint(['leader_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instructions_batch'), ['batch'], unique=False)
        batch_op.create_index(batch_op.f('ix_instructions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_instructions_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instructions_unit_id'), ['unit_id'], unique=False)

    op.create_table('chases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=True),
    sa.Column('step_name', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('reply_due', sa.Date(), nullable=False),
    sa.Column('chased_by_id', sa.Integer(), nullable=True),
    sa.Column('chased_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'answered', name='chasestatus', native_enum=False, length=32), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['chased_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.ForeignKeyConstraint(['work_id'], ['human_tasks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('chases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chases_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_chases_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chases_unit_id'), ['unit_id'], unique=False)

    op.create_table('instruction_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instruction_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('read_at', engine.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instruction_id'], ['instructions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('instruction_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instruction_answers_instruction_id'), ['instruction_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('instruction_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruction_answers_instruction_id'))

    op.drop_table('instruction_answers')
    with op.batch_alter_table('chases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chases_unit_id'))
        batch_op.drop_index(batch_op.f('ix_chases_task_id'))
        batch_op.drop_index(batch_op.f('ix_chases_status'))

    op.drop_table('chases')
    with op.batch_alter_table('instructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instructions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_instructions_task_id'))
        batch_op.drop_index(batch_op.f('ix_instructions_status'))
        batch_op.drop_index(batch_op.f('ix_instructions_batch'))

    op.drop_table('instructions')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contributions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_contributions_task_id'))
        batch_op.drop_index(batch_op.f('ix_contributions_status'))

    op.drop_table('contributions')
