"""An index on the stored figures' illness sessions, for the sickness return's list (30 or more sessions):
without it the list reads every pupil's figures.

Revision ID: 0010_illness_index
Revises: 0009_figures_stamp
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_illness_index"
down_revision = "0009_figures_stamp"
branch_labels = None
depends_on = None

TABLES = ("pupil_attendance", "enrolment_attendance")


def upgrade():
    for table in TABLES:
        op.create_index(op.f(f"ix_{table}_illness"), table, ["illness"])


def downgrade():
    for table in TABLES:
        op.drop_index(op.f(f"ix_{table}_illness"), table_name=table)
