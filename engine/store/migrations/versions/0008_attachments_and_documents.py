"""attachments for every form that takes files; official documents and their numbers (文号)

Revision ID: 0008
Revises: 0007

Sign-off evidence was the only upload, in evidence_files. Every form that takes files now stores them
in one table, attachments, linked to the task, the step (work item) or the objection they came with;
the evidence already uploaded is copied over as the sign-off application's attachments.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILE_COLUMNS = "task_id, sha256, size, media_type, original_name, uploaded_by_id, uploaded_at"


def upgrade() -> None:
    _create_attachments()
    op.execute(f"INSERT INTO attachments (form, {FILE_COLUMNS}) "  # noqa: S608 (no input: fixed column names)
               f"SELECT 'signoff_apply', {FILE_COLUMNS} FROM evidence_files ORDER BY id")
    op.drop_table("evidence_files")
    _create_documents()


def _create_attachments() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=64), nullable=False),
        sa.Column("human_task_id", sa.Integer(), nullable=True),
        sa.Column("objection_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["rectification_tasks.id"]),
        sa.ForeignKeyConstraint(["human_task_id"], ["human_tasks.id"]),
        sa.ForeignKeyConstraint(["objection_id"], ["objections.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("task_id", "human_task_id", "objection_id", "sha256"):
        op.create_index(f"ix_attachments_{column}", "attachments", [column])


def _create_documents() -> None:
    op.create_table(
        "document_sequences",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year"),
    )
    op.create_table(
        "issued_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["rectification_tasks.id"]),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "year", "serial"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_issued_documents_task_id", "issued_documents", ["task_id"])


def downgrade() -> None:
    op.drop_table("issued_documents")
    op.drop_table("document_sequences")
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("signoff_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["signoff_id"], ["signoff_applications.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["rectification_tasks.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("task_id", "signoff_id", "sha256"):
        op.create_index(f"ix_evidence_files_{column}", "evidence_files", [column])
    op.execute(f"INSERT INTO evidence_files ({FILE_COLUMNS}) "  # noqa: S608 (no input: fixed column names)
               f"SELECT {FILE_COLUMNS} FROM attachments WHERE form = 'signoff_apply' AND uploaded_by_id IS NOT NULL")
    op.drop_table("attachments")
