"""notifications: who read which notice, each person's channels, quiet hours and digest, the outbox of messages;
a notice may be for one person, knows the instance and work item it is about, and resolves itself

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('mobile', sa.String(length=32), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('quiet_start', sa.Integer(), nullable=False),
    sa.Column('quiet_end', sa.Integer(), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('updated_at', engine.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('notice_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('read_at', engine.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'notice_id')
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outboxstatus', native_enum=False, length=32), nullable=False),
    sa.Column('next_attempt_at', engine.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_until', engine.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', engine.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_notice_id'), ['notice_id'], unique=False)

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('msgid', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('instance_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('work_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', engine.store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_notices_instance', ['instance_id', 'resolved_at'], unique=False)
        batch_op.create_index('ix_notices_work_id', ['work_id'], unique=False)
        batch_op.create_foreign_key('fk_notices_instance_id', 'process_instances', ['instance_id'], ['id'])
        batch_op.create_foreign_key('fk_notices_user_id', 'users', ['user_id'], ['id'])
        batch_op.create_foreign_key('fk_notices_work_id', 'human_tasks', ['work_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        for name in ("fk_notices_work_id", "fk_notices_user_id", "fk_notices_instance_id"):
            batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.drop_index('ix_notices_work_id')
        batch_op.drop_index('ix_notices_instance')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('work_id')
        batch_op.drop_column('instance_id')
        batch_op.drop_column('user_id')
        batch_op.drop_column('params')
        batch_op.drop_column('msgid')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_notice_id'))
        batch_op.drop_index('ix_outbox_messages_due')

    op.drop_table('outbox_messages')
    op.drop_table('notice_reads')
    op.drop_table('notification_preferences')
