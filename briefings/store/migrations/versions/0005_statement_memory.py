"""statement memory: memory_speakers, memory_statements (full-text: FTS5 on SQLite, tsvector + GIN on
PostgreSQL) and memory_tracks

Revision ID: 0005_statement_memory
Revises: 0003_filters_feed_health
Create Date: 2026-11-30 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import briefings.store.models

revision = "0005_statement_memory"
down_revision = "0003_filters_feed_health"
branch_labels = None
depends_on = None

# The full-text index: the speaker's name and the statement, stemmed (English), accents folded.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE memory_fts USING fts5(speaker, content, content='memory_statements', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER memory_fts_insert AFTER INSERT ON memory_statements BEGIN "
    "INSERT INTO memory_fts(rowid, speaker, content) VALUES (new.id, new.speaker, new.content); END",
    "CREATE TRIGGER memory_fts_delete AFTER DELETE ON memory_statements BEGIN "
    "INSERT INTO memory_fts(memory_fts, rowid, speaker, content) "
    "VALUES ('delete', old.id, old.speaker, old.content); END",
]
POSTGRES_FTS = [
    "ALTER TABLE memory_statements ADD COLUMN search tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english', coalesce(speaker, '') || ' ' || content)) STORED",
    "CREATE INDEX ix_memory_statements_search ON memory_statements USING gin (search)",
]


def upgrade() -> None:
    utc = briefings.store.models.UTCDateTime()
    op.create_table(
        "memory_speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=160), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("first", sa.String(length=128), nullable=False),
        sa.Column("last", sa.String(length=128), nullable=False),
        sa.Column("person", sa.Boolean(), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=256), nullable=True),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("last_seen", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_speakers")),
    )
    op.create_index("ix_memory_speakers_scope_last", "memory_speakers", ["scope", "last"])
    op.create_table(
        "memory_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=160), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=256), nullable=True),
        sa.Column("act", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cue", sa.String(length=256), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("article_key", sa.String(length=40), nullable=False),
        sa.Column("article_url", sa.String(length=2048), nullable=True),
        sa.Column("article_title", sa.String(length=1024), nullable=False),
        sa.Column("article_date", sa.String(length=64), nullable=True),
        sa.Column("said_at", utc, nullable=False),
        sa.Column("seen_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["memory_speakers.id"],
            name=op.f("fk_memory_statements_speaker_id_memory_speakers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_statements")),
        sa.UniqueConstraint("scope", "article_key", "start", name="uq_memory_statements_once"),
    )
    op.create_index("ix_memory_statements_speaker", "memory_statements", ["speaker_id", "said_at"])
    op.create_index("ix_memory_statements_scope_seen", "memory_statements", ["scope", "seen_at"])
    op.create_index("ix_memory_statements_scope_said", "memory_statements", ["scope", "said_at"])
    op.create_table(
        "memory_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("acts", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_memory_tracks_channel_id_channels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_tracks")),
        sa.UniqueConstraint("channel_id", "term", name="uq_memory_tracks_channel_term"),
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS memory_fts_insert")
        op.execute("DROP TRIGGER IF EXISTS memory_fts_delete")
        op.execute("DROP TABLE IF EXISTS memory_fts")
    op.drop_table("memory_tracks")
    op.drop_table("memory_statements")
    op.drop_table("memory_speakers")
