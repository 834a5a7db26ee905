"""pupils, carers, attendance registers and figures, access log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:56:29.614704

"""
import sqlalchemy as sa
from alembic import op

from ewo_cases.migration_helpers import drop_append_only, make_append_only


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('carers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carer_ref', sa.String(length=40), nullable=False),
    sa.Column('forename', sa.String(length=100), nullable=False),
    sa.Column('surname', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carers')),
    sa.UniqueConstraint('carer_ref', name=op.f('uq_carers_carer_ref'))
    )
    op.create_table('pupils',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('upn', sa.String(length=13), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('forename', sa.String(length=100), nullable=False),
    sa.Column('surname', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('year_group', sa.String(length=2), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('pupil_premium', sa.Boolean(), nullable=False),
    sa.Column('sen_status', sa.Enum('N', 'K', 'E', name='senstatus', native_enum=False), nullable=False),
    sa.Column('looked_after', sa.Boolean(), nullable=False),
    sa.Column('previously_looked_after', sa.Boolean(), nullable=False),
    sa.Column('child_protection', sa.Boolean(), nullable=False),
    sa.Column('child_in_need', sa.Boolean(), nullable=False),
    sa.Column('ethnicity', sa.String(length=10), nullable=True),
    sa.Column('eal', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_pupils_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pupils')),
    sa.UniqueConstraint('upn', name=op.f('uq_pupils_upn'))
    )
    with op.batch_alter_table('pupils', schema=None) as batch_op:
        batch_op.create_index('ix_pupils_school_surname', ['school_id', 'surname', 'forename'], unique=False)
        batch_op.create_index(batch_op.f('ix_pupils_surname'), ['surname'], unique=False)

    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_access_log_pupil_id_pupils'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_log_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_access_log_pupil_time', ['pupil_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_user_id'), ['user_id'], unique=False)
    make_append_only('access_log')

    op.create_table('attendance_registers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('marks', sa.String(length=742), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_attendance_registers_pupil_id_pupils'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_attendance_registers_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_registers')),
    sa.UniqueConstraint('pupil_id', 'school_id', 'academic_year', name=op.f('uq_attendance_registers_pupil_id_school_id_academic_year'))
    )
    with op.batch_alter_table('attendance_registers', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_registers_school_year', ['school_id', 'academic_year'], unique=False)

    op.create_table('enrolment_attendance',
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('range_start', sa.Date(), nullable=False),
    sa.Column('range_end', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('possible', sa.Integer(), nullable=False),
    sa.Column('attending', sa.Integer(), nullable=False),
    sa.Column('authorised', sa.Integer(), nullable=False),
    sa.Column('unauthorised', sa.Integer(), nullable=False),
    sa.Column('illness', sa.Integer(), nullable=False),
    sa.Column('attendance_pct', sa.Numeric(precision=4, scale=1, asdecimal=False), nullable=True),
    sa.Column('band', sa.Enum('none', 'at_risk', 'persistent', 'severe', name='band', native_enum=False, length=16), nullable=False),
    sa.Column('unauth_10wk_max', sa.Integer(), nullable=False),
    sa.Column('unauth_10wk_latest', sa.Integer(), nullable=False),
    sa.Column('penalty_threshold_met', sa.Boolean(), nullable=False),
    sa.Column('longest_unauth_days', sa.Integer(), nullable=False),
    sa.Column('sessions_until_below_90', sa.Integer(), nullable=False),
    sa.Column('projected_below_90', sa.Boolean(), nullable=False),
    sa.Column('last_school_week', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_enrolment_attendance_pupil_id_pupils'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_enrolment_attendance_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('pupil_id', 'school_id', name=op.f('pk_enrolment_attendance'))
    )
    with op.batch_alter_table('enrolment_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_attendance_band'), ['band'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_attendance_longest_unauth_days'), ['longest_unauth_days'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_attendance_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_attendance_unauth_10wk_latest'), ['unauth_10wk_latest'], unique=False)

    op.create_table('pupil_attendance',
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('range_start', sa.Date(), nullable=False),
    sa.Column('range_end', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('possible', sa.Integer(), nullable=False),
    sa.Column('attending', sa.Integer(), nullable=False),
    sa.Column('authorised', sa.Integer(), nullable=False),
    sa.Column('unauthorised', sa.Integer(), nullable=False),
    sa.Column('illness', sa.Integer(), nullable=False),
    sa.Column('attendance_pct', sa.Numeric(precision=4, scale=1, asdecimal=False), nullable=True),
    sa.Column('band', sa.Enum('none', 'at_risk', 'persistent', 'severe', name='band', native_enum=False, length=16), nullable=False),
    sa.Column('unauth_10wk_max', sa.Integer(), nullable=False),
    sa.Column('unauth_10wk_latest', sa.Integer(), nullable=False),
    sa.Column('penalty_threshold_met', sa.Boolean(), nullable=False),
    sa.Column('longest_unauth_days', sa.Integer(), nullable=False),
    sa.Column('sessions_until_below_90', sa.Integer(), nullable=False),
    sa.Column('projected_below_90', sa.Boolean(), nullable=False),
    sa.Column('last_school_week', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_pupil_attendance_pupil_id_pupils'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pupil_id', name=op.f('pk_pupil_attendance'))
    )
    with op.batch_alter_table('pupil_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pupil_attendance_band'), ['band'], unique=False)
        batch_op.create_index(batch_op.f('ix_pupil_attendance_longest_unauth_days'), ['longest_unauth_days'], unique=False)
        batch_op.create_index(batch_op.f('ix_pupil_attendance_unauth_10wk_latest'), ['unauth_10wk_latest'], unique=False)

    op.create_table('pupil_carers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('carer_id', sa.Integer(), nullable=False),
    sa.Column('relationship_to_pupil', sa.String(length=60), nullable=False),
    sa.Column('parental_responsibility', sa.Boolean(), nullable=False),
    sa.Column('lives_with_pupil', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['carer_id'], ['carers.id'], name=op.f('fk_pupil_carers_carer_id_carers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_pupil_carers_pupil_id_pupils'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pupil_carers')),
    sa.UniqueConstraint('pupil_id', 'carer_id', name=op.f('uq_pupil_carers_pupil_id_carer_id'))
    )
    with op.batch_alter_table('pupil_carers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pupil_carers_carer_id'), ['carer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pupil_carers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pupil_carers_carer_id'))

    op.drop_table('pupil_carers')
    with op.batch_alter_table('pupil_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pupil_attendance_unauth_10wk_latest'))
        batch_op.drop_index(batch_op.f('ix_pupil_attendance_longest_unauth_days'))
        batch_op.drop_index(batch_op.f('ix_pupil_attendance_band'))

    op.drop_table('pupil_attendance')
    with op.batch_alter_table('enrolment_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_attendance_unauth_10wk_latest'))
        batch_op.drop_index(batch_op.f('ix_enrolment_attendance_school_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_attendance_longest_unauth_days'))
        batch_op.drop_index(batch_op.f('ix_enrolment_attendance_band'))

    op.drop_table('enrolment_attendance')
    with op.batch_alter_table('attendance_registers', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_registers_school_year')

    op.drop_table('attendance_registers')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_user_id'))
        batch_op.drop_index('ix_access_log_pupil_time')
        batch_op.drop_index(batch_op.f('ix_access_log_occurred_at'))

    drop_append_only('access_log')
    op.drop_table('access_log')
    with op.batch_alter_table('pupils', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pupils_surname'))
        batch_op.drop_index('ix_pupils_school_surname')

    op.drop_table('pupils')
    op.drop_table('carers')
