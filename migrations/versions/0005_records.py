"""Case records: the lead practitioner is one flag, not also a role; recorded meetings keep a correction trail.

- Participants who had the role "lead_practitioner" become key workers; where a case had no lead flagged,
  the first of them (still involved) is flagged as the lead, so no case loses its named lead.
- ``meeting_corrections``: append-only corrections of a held meeting's record, each with its reason.

Revision ID: 0005_records
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from ewo_cases.migration_helpers import drop_append_only, make_append_only

# revision identifiers, used by Alembic.
revision = "0005_records"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        UPDATE case_participants SET is_lead_practitioner = TRUE
        WHERE id IN (
            SELECT MIN(candidate.id) FROM case_participants AS candidate
            WHERE candidate.role = 'lead_practitioner' AND candidate.ended_on IS NULL
            AND NOT EXISTS (
                SELECT 1 FROM case_participants AS lead
                WHERE lead.case_id = candidate.case_id AND lead.is_lead_practitioner AND lead.ended_on IS NULL
            )
            GROUP BY candidate.case_id
        )
        """
    )
    op.execute("UPDATE case_participants SET role = 'key_worker' WHERE role = 'lead_practitioner'")

    op.create_table(
        "meeting_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("child_views", sa.Text(), nullable=False),
        sa.Column("family_views", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_corrections_corrected_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_corrections_meeting_id_meetings"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_corrections")),
    )
    with op.batch_alter_table("meeting_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_corrections_meeting_id"), ["meeting_id"], unique=False)
    make_append_only("meeting_corrections")


def downgrade():
    drop_append_only("meeting_corrections")
    with op.batch_alter_table("meeting_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_corrections_meeting_id"))
    op.drop_table("meeting_corrections")
    # The role cannot be told apart from a key worker's afterwards; the lead stays flagged.
