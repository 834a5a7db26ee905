"""Oversight: when each pupil crossed a threshold, each school's calendar of school days, and the children
each list or export held.

- ``pupil_attendance.band_entered_on`` / ``threshold_met_on``: for the officer's "newly crossing" alerts.
- ``school_calendars``: the days each school recorded a possible session, to count school days.
- ``access_log_pupils``: one row per child in an export of several, so the child's audit shows it
  (append-only, as ``access_log`` is).
- ``school_actions``: actions agreed at a targeting support meeting for a pupil without a case.

Revision ID: 0008_oversight
Revises: 0007_workflow
"""
import sqlalchemy as sa
from alembic import op

from ewo_cases.migration_helpers import drop_append_only, make_append_only


# revision identifiers, used by Alembic.
revision = "0008_oversight"
down_revision = "0007_workflow"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('school_calendars',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('days', sa.String(length=378), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_calendars_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_id', 'academic_year', name=op.f('pk_school_calendars'))
    )
    op.create_table('access_log_pupils',
    sa.Column('access_log_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['access_log_id'], ['access_log.id'], name=op.f('fk_access_log_pupils_access_log_id_access_log'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_access_log_pupils_pupil_id_pupils'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('access_log_id', 'pupil_id', name=op.f('pk_access_log_pupils'))
    )
    with op.batch_alter_table('access_log_pupils', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_pupils_pupil_id'), ['pupil_id'], unique=False)
    make_append_only('access_log_pupils')

    with op.batch_alter_table('pupil_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('band_entered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('threshold_met_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_pupil_attendance_band_entered_on'), ['band_entered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_pupil_attendance_threshold_met_on'), ['threshold_met_on'], unique=False)

    op.create_table('school_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'not_done', name='actionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_school_actions_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_school_actions_meeting_id_meetings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_school_actions_pupil_id_pupils'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_actions_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_actions'))
    )
    with op.batch_alter_table('school_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_actions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_actions_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index('ix_school_actions_school_status_due', ['school_id', 'status', 'due_on'], unique=False)


def downgrade():
    with op.batch_alter_table('school_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_school_actions_school_status_due')
        batch_op.drop_index(batch_op.f('ix_school_actions_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_school_actions_meeting_id'))

    op.drop_table('school_actions')

    with op.batch_alter_table('pupil_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pupil_attendance_threshold_met_on'))
        batch_op.drop_index(batch_op.f('ix_pupil_attendance_band_entered_on'))
        batch_op.drop_column('threshold_met_on')
        batch_op.drop_column('band_entered_on')

    with op.batch_alter_table('access_log_pupils', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_pupils_pupil_id'))

    drop_append_only('access_log_pupils')
    op.drop_table('access_log_pupils')
    op.drop_table('school_calendars')
