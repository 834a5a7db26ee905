"""Indexes for the lists of a whole authority, which would otherwise read or sort every row: on the stored
figures, illness sessions (the sickness return: 30 or more) and the attendance rate (the bands list's order);
on cases, when they last moved stage and when they were opened (the case list's orders).

Revision ID: 0010_list_indexes
Revises: 0009_figures_stamp
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_list_indexes"
down_revision = "0009_figures_stamp"
branch_labels = None
depends_on = None

TABLES = ("pupil_attendance", "enrolment_attendance")
COLUMNS = ("illness", "attendance_pct")


CASE_COLUMNS = ("stage_changed_at", "opened_at")


def upgrade():
    for table in TABLES:
        for column in COLUMNS:
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
    for column in CASE_COLUMNS:
        op.create_index(f"ix_cases_{column}", "cases", [column])


def downgrade():
    for column in CASE_COLUMNS:
        op.drop_index(f"ix_cases_{column}", table_name="cases")
    for table in TABLES:
        for column in COLUMNS:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
