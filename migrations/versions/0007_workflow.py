"""Approvals record what was approved; ESO applications record whether a looked-after child is under a care order.

An approval now keeps the stage it was asked from (and the audit row that had put the case there), the parents
it names and the prosecution file and version approved, so that it authorises that step and no other. An
approval decided before this revision has none of these, so it cannot be used: ask again.

Revision ID: 0007_workflow
Revises: 0006_data
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_workflow"
down_revision = "0006_data"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_stage", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("stage_entered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parent_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("prosecution_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prosecution_version", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_approvals_prosecution_id_prosecutions"),
            "prosecutions",
            ["prosecution_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    with op.batch_alter_table("education_supervision_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_to_care_order", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("education_supervision_orders", schema=None) as batch_op:
        batch_op.drop_column("subject_to_care_order")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_approvals_prosecution_id_prosecutions"), type_="foreignkey")
        batch_op.drop_column("prosecution_version")
        batch_op.drop_column("prosecution_id")
        batch_op.drop_column("parent_ids")
        batch_op.drop_column("stage_entered_by_id")
        batch_op.drop_column("from_stage")
