"""Registers hold 54 weeks; command-line imports record who ran them; stored figures are indexed by date.

A register starts on the Monday on or before 1 September, which can be 6 days earlier; with 29 February
in the year, 31 August is then the 372nd day, one more than 53 weeks hold (2019/20). Stored registers keep
every position and gain a blank (".") week at the end.

Revision ID: 0006_data
Revises: 0005_records
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_data"
down_revision = "0005_records"
branch_labels = None
depends_on = None

OLD_LENGTH, NEW_LENGTH = 53 * 14, 54 * 14
BLANK_WEEK = "." * (NEW_LENGTH - OLD_LENGTH)
FIGURES_TABLES = ("pupil_attendance", "enrolment_attendance")


def upgrade():
    with op.batch_alter_table("attendance_registers", schema=None) as batch_op:
        batch_op.alter_column(
            "marks", existing_type=sa.String(length=OLD_LENGTH), type_=sa.String(length=NEW_LENGTH), existing_nullable=False
        )
    op.execute(sa.text("UPDATE attendance_registers SET marks = marks || :blank").bindparams(blank=BLANK_WEEK))
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("command_line_user", sa.String(length=100), nullable=True))
    for table in FIGURES_TABLES:
        op.create_index(op.f(f"ix_{table}_range_end"), table, ["range_end"], unique=False)


def downgrade():
    for table in FIGURES_TABLES:
        op.drop_index(op.f(f"ix_{table}_range_end"), table_name=table)
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("command_line_user")
    # Marks in the last week (only ever 31 August of a year like 2019/20) cannot be kept.
    op.execute(sa.text("UPDATE attendance_registers SET marks = substr(marks, 1, :length)").bindparams(length=OLD_LENGTH))
    with op.batch_alter_table("attendance_registers", schema=None) as batch_op:
        batch_op.alter_column(
            "marks", existing_type=sa.String(length=NEW_LENGTH), type_=sa.String(length=OLD_LENGTH), existing_nullable=False
        )
