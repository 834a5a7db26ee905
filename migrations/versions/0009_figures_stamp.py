"""The stored figures' stamp: a token renewed whenever the stored figures or the pupils' details change, so
that a process can keep the figures it read until they do.

Revision ID: 0009_figures_stamp
Revises: 0008_oversight
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0009_figures_stamp"
down_revision = "0008_oversight"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figures_stamps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures_stamps")),
    )


def downgrade():
    op.drop_table("figures_stamps")
