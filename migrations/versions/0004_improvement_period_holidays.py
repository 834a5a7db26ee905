"""Notices to improve record the weeks of school holiday within their improvement period.

An improvement period is 3 to 6 school weeks; a holiday week inside it is not a school week.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notices_to_improve", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holiday_weeks", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("notices_to_improve", schema=None) as batch_op:
        batch_op.drop_column("holiday_weeks")
