"""cases and their records, legal interventions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:29:22.680814

"""
import sqlalchemy as sa
from alembic import op

from ewo_cases.migration_helpers import drop_append_only, make_append_only


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

APPEND_ONLY = ['case_transitions', 'case_records', 'action_progress', 'action_plan_revisions', 'notes', 'eso_extensions', 'eso_breaches']


def upgrade():
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('school', 'attendance_support', 'early_help', 'childrens_social_care', 'mental_health', 'school_nursing', 'send', 'virtual_school', 'educational_psychology', 'police', 'housing', 'young_carers', 'youth_justice', 'other', name='agencykind', native_enum=False, length=32), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('name', name=op.f('uq_agencies_name'))
    )
    op.create_table('letter_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('attendance_concern', 'meeting_invitation', 'notice_to_improve', 'penalty_notice', 'warning_of_legal_action', 'attendance_contract', 'meeting_summary', name='letterkind', native_enum=False, length=32), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_letter_templates_updated_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_templates')),
    sa.UniqueConstraint('kind', name=op.f('uq_letter_templates_kind'))
    )
    op.create_table('professionals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_professionals_agency_id_agencies'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_professionals'))
    )
    with op.batch_alter_table('professionals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_professionals_agency_id'), ['agency_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('at_risk', 'persistent', 'severe', 'early_help', 'parenting_contract', 'notice_to_improve', 'fpn', 'eso', 'prosecution', 'closed', name='casestage', native_enum=False, length=32), nullable=False),
    sa.Column('stage_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_officer_id', sa.Integer(), nullable=False),
    sa.Column('school_contact_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opening_reason', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closure_reason', sa.Enum('improved', 'left_school', 'left_authority', 'elective_home_education', 'child_missing_education', 'end_of_compulsory_age', 'legal_outcome', 'other', name='closurereason', native_enum=False, length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assigned_officer_id'], ['users.id'], name=op.f('fk_cases_assigned_officer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_cases_opened_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_cases_pupil_id_pupils'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_contact_id'], ['users.id'], name=op.f('fk_cases_school_contact_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_officer_stage', ['assigned_officer_id', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_stage'), ['stage'], unique=False)
        batch_op.create_index('uq_cases_open_pupil', ['pupil_id'], unique=True, sqlite_where=sa.text("stage != 'closed'"), postgresql_where=sa.text("stage != 'closed'"))

    op.create_table('action_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_action_plans_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_action_plans_created_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plans')),
    sa.UniqueConstraint('case_id', name=op.f('uq_action_plans_case_id'))
    )
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='approvalstatus', native_enum=False, length=32), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_approvals_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_approvals_decided_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_approvals_requested_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals'))
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approvals_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_approvals_status_time', ['status', 'requested_at'], unique=False)

    op.create_table('attendance_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('parent_commitments', sa.Text(), nullable=False),
    sa.Column('support_commitments', sa.Text(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attendance_contracts_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_attendance_contracts_created_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_contracts'))
    )
    with op.batch_alter_table('attendance_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_contracts_case_id'), ['case_id'], unique=False)

    op.create_table('case_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('carer_id', sa.Integer(), nullable=True),
    sa.Column('professional_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('parent_carer', 'lead_practitioner', 'case_officer', 'school_attendance_lead', 'social_worker', 'designated_teacher', 'virtual_school_head', 'senco', 'health_professional', 'key_worker', 'other', name='participantrole', native_enum=False, length=32), nullable=False),
    sa.Column('is_lead_practitioner', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('(CASE WHEN carer_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN professional_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_case_participants_one_kind_of_person')),
    sa.ForeignKeyConstraint(['carer_id'], ['carers.id'], name=op.f('fk_case_participants_carer_id_carers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_participants_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_case_participants_professional_id_professionals'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_participants_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_participants'))
    )
    with op.batch_alter_table('case_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_participants_case_id'), ['case_id'], unique=False)
        batch_op.create_index('uq_case_participants_lead', ['case_id'], unique=True, sqlite_where=sa.text('is_lead_practitioner AND ended_on IS NULL'), postgresql_where=sa.text('is_lead_practitioner AND ended_on IS NULL'))

    op.create_table('case_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('support_offered', 'family_consent', 'support_not_appropriate', 'support_failed', 'social_care_consulted', 'eso_considered', 'attendance_certificate', name='recordkind', native_enum=False, length=32), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdraws_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_records_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_records_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['withdraws_id'], ['case_records.id'], name=op.f('fk_case_records_withdraws_id_case_records'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_records'))
    )
    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.create_index('ix_case_records_case_kind', ['case_id', 'kind'], unique=False)

    op.create_table('education_supervision_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('applied', 'made', 'refused', 'ended', name='esostatus', native_enum=False, length=32), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('hearing_on', sa.Date(), nullable=True),
    sa.Column('made_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('directions', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_education_supervision_orders_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_education_supervision_orders_supervisor_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_education_supervision_orders'))
    )
    with op.batch_alter_table('education_supervision_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_education_supervision_orders_case_id'), ['case_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('family_attendance', 'team_around_the_family', 'targeting_support', 'legal_planning', 'contract_review', 'eso_review', 'other', name='meetingkind', native_enum=False, length=32), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'held', 'cancelled', name='meetingstatus', native_enum=False, length=32), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('child_attended', sa.Boolean(), nullable=True),
    sa.Column('child_views', sa.Text(), nullable=False),
    sa.Column('family_views', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('case_id IS NOT NULL OR school_id IS NOT NULL', name=op.f('ck_meetings_about_a_case_or_school')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_meetings_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_meetings_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_meetings_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_meetings_status_time', ['status', 'scheduled_for'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('phone_call', 'home_visit', 'email', 'letter', 'conversation', 'other', name='notekind', native_enum=False, length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('significant', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_notes_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notes_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['corrects_id'], ['notes.id'], name=op.f('fk_notes_corrects_id_notes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index('ix_notes_case_time', ['case_id', 'occurred_at'], unique=False)

    op.create_table('notices_to_improve',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('improvement_starts_on', sa.Date(), nullable=False),
    sa.Column('improvement_ends_on', sa.Date(), nullable=False),
    sa.Column('sufficient_improvement', sa.Text(), nullable=False),
    sa.Column('threshold_reason', sa.Text(), nullable=False),
    sa.Column('improved', sa.Boolean(), nullable=True),
    sa.Column('outcome_recorded_on', sa.Date(), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notices_to_improve_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_notices_to_improve_issued_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices_to_improve'))
    )
    with op.batch_alter_table('notices_to_improve', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_to_improve_case_id'), ['case_id'], unique=False)

    op.create_table('penalty_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('carer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('first', 'second', name='noticekind', native_enum=False, length=8), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('amount_paid', sa.Integer(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_ground', sa.Enum('ought_not_to_have_been_issued', 'issued_to_wrong_person', 'contains_material_errors', name='withdrawalground', native_enum=False, length=32), nullable=True),
    sa.Column('withdrawal_note', sa.Text(), nullable=False),
    sa.Column('prosecuted_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['carer_id'], ['carers.id'], name=op.f('fk_penalty_notices_carer_id_carers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_penalty_notices_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_penalty_notices_issued_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_penalty_notices_pupil_id_pupils'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_penalty_notices')),
    sa.UniqueConstraint('reference', name=op.f('uq_penalty_notices_reference'))
    )
    with op.batch_alter_table('penalty_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_penalty_notices_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_penalty_notices_pupil_parent', ['pupil_id', 'carer_id', 'issued_on'], unique=False)

    op.create_table('prosecutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('interview_under_caution_on', sa.Date(), nullable=True),
    sa.Column('laid_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('prepared_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_prosecutions_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['users.id'], name=op.f('fk_prosecutions_prepared_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prosecutions'))
    )
    with op.batch_alter_table('prosecutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prosecutions_case_id'), ['case_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=False),
    sa.Column('referred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('support_so_far', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='referralstatus', native_enum=False, length=32), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_referrals_decided_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_referrals_pupil_id_pupils'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'], name=op.f('fk_referrals_referred_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_referrals_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_status'), ['status'], unique=False)

    op.create_table('action_plan_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('revised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revised_by_id', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=300), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_action_plan_revisions_plan_id_action_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revised_by_id'], ['users.id'], name=op.f('fk_action_plan_revisions_revised_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plan_revisions')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_action_plan_revisions_plan_id_number'))
    )
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.Enum('child', 'family', 'school', 'local_authority', 'agency', name='actionowner', native_enum=False, length=32), nullable=False),
    sa.Column('owner_participant_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'not_done', name='actionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_actions_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_actions_meeting_id_meetings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_participant_id'], ['case_participants.id'], name=op.f('fk_actions_owner_participant_id_case_participants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_actions_plan_id_action_plans'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index('ix_actions_owner_due', ['owner', 'status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_plan_id'), ['plan_id'], unique=False)

    op.create_table('case_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('from_stage', sa.String(length=32), nullable=False),
    sa.Column('to_stage', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_transitions_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['approval_id'], ['approvals.id'], name=op.f('fk_case_transitions_approval_id_approvals'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_transitions_case_id_cases'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_transitions'))
    )
    with op.batch_alter_table('case_transitions', schema=None) as batch_op:
        batch_op.create_index('ix_case_transitions_case_time', ['case_id', 'occurred_at'], unique=False)

    op.create_table('contract_parties',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['attendance_contracts.id'], name=op.f('fk_contract_parties_contract_id_attendance_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['case_participants.id'], name=op.f('fk_contract_parties_participant_id_case_participants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('contract_id', 'participant_id', name=op.f('pk_contract_parties'))
    )
    op.create_table('court_hearings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prosecution_id', sa.Integer(), nullable=False),
    sa.Column('hearing_on', sa.Date(), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['prosecution_id'], ['prosecutions.id'], name=op.f('fk_court_hearings_prosecution_id_prosecutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_court_hearings'))
    )
    with op.batch_alter_table('court_hearings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_court_hearings_prosecution_id'), ['prosecution_id'], unique=False)

    op.create_table('eso_breaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('eso_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['eso_id'], ['education_supervision_orders.id'], name=op.f('fk_eso_breaches_eso_id_education_supervision_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_eso_breaches_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eso_breaches'))
    )
    with op.batch_alter_table('eso_breaches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eso_breaches_eso_id'), ['eso_id'], unique=False)

    op.create_table('eso_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('eso_id', sa.Integer(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('new_expires_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['eso_id'], ['education_supervision_orders.id'], name=op.f('fk_eso_extensions_eso_id_education_supervision_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_eso_extensions_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eso_extensions'))
    )
    with op.batch_alter_table('eso_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eso_extensions_eso_id'), ['eso_id'], unique=False)

    op.create_table('letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('attendance_concern', 'meeting_invitation', 'notice_to_improve', 'penalty_notice', 'warning_of_legal_action', 'attendance_contract', 'meeting_summary', name='letterkind', native_enum=False, length=32), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('addressee_id', sa.Integer(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('generated_by_id', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=True),
    sa.Column('service_method', sa.Enum('post', 'hand', 'email', name='servicemethod', native_enum=False, length=32), nullable=True),
    sa.Column('served_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['addressee_id'], ['case_participants.id'], name=op.f('fk_letters_addressee_id_case_participants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_letters_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_letters_generated_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['served_by_id'], ['users.id'], name=op.f('fk_letters_served_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters'))
    )
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letters_case_id'), ['case_id'], unique=False)

    op.create_table('meeting_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('attendance', sa.Enum('invited', 'attended', 'apologies', 'did_not_attend', name='meetingattendance', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendees_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['case_participants.id'], name=op.f('fk_meeting_attendees_participant_id_case_participants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_attendees_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendees'))
    )
    with op.batch_alter_table('meeting_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendees_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('prosecuted_parents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prosecution_id', sa.Integer(), nullable=False),
    sa.Column('carer_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.Enum('s444_1', 's444_1a', name='section444', native_enum=False, length=8), nullable=False),
    sa.Column('verdict', sa.Enum('guilty', 'not_guilty', 'withdrawn', name='verdict', native_enum=False, length=16), nullable=True),
    sa.Column('sentences', sa.JSON(), nullable=False),
    sa.Column('fine_pounds', sa.Integer(), nullable=True),
    sa.Column('costs_pounds', sa.Integer(), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['carer_id'], ['carers.id'], name=op.f('fk_prosecuted_parents_carer_id_carers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['prosecution_id'], ['prosecutions.id'], name=op.f('fk_prosecuted_parents_prosecution_id_prosecutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prosecuted_parents')),
    sa.UniqueConstraint('prosecution_id', 'carer_id', name=op.f('uq_prosecuted_parents_prosecution_id_carer_id'))
    )
    op.create_table('action_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'not_done', name='actionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_progress_action_id_actions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_action_progress_author_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_progress'))
    )
    with op.batch_alter_table('action_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_progress_action_id'), ['action_id'], unique=False)
    for table in APPEND_ONLY:
        make_append_only(table)


def downgrade():
    for table in APPEND_ONLY:
        drop_append_only(table)
    with op.batch_alter_table('action_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_progress_action_id'))

    op.drop_table('action_progress')
    op.drop_table('prosecuted_parents')
    with op.batch_alter_table('meeting_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendees_meeting_id'))

    op.drop_table('meeting_attendees')
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letters_case_id'))

    op.drop_table('letters')
    with op.batch_alter_table('eso_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eso_extensions_eso_id'))

    op.drop_table('eso_extensions')
    with op.batch_alter_table('eso_breaches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eso_breaches_eso_id'))

    op.drop_table('eso_breaches')
    with op.batch_alter_table('court_hearings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_court_hearings_prosecution_id'))

    op.drop_table('court_hearings')
    op.drop_table('contract_parties')
    with op.batch_alter_table('case_transitions', schema=None) as batch_op:
        batch_op.drop_index('ix_case_transitions_case_time')

    op.drop_table('case_transitions')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_plan_id'))
        batch_op.drop_index('ix_actions_owner_due')

    op.drop_table('actions')
    op.drop_table('action_plan_revisions')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_status'))
        batch_op.drop_index(batch_op.f('ix_referrals_school_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_pupil_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('prosecutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prosecutions_case_id'))

    op.drop_table('prosecutions')
    with op.batch_alter_table('penalty_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_penalty_notices_pupil_parent')
        batch_op.drop_index(batch_op.f('ix_penalty_notices_case_id'))

    op.drop_table('penalty_notices')
    with op.batch_alter_table('notices_to_improve', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_to_improve_case_id'))

    op.drop_table('notices_to_improve')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index('ix_notes_case_time')

    op.drop_table('notes')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_status_time')
        batch_op.drop_index(batch_op.f('ix_meetings_school_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_case_id'))

    op.drop_table('meetings')
    with op.batch_alter_table('education_supervision_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_education_supervision_orders_case_id'))

    op.drop_table('education_supervision_orders')
    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.drop_index('ix_case_records_case_kind')

    op.drop_table('case_records')
    with op.batch_alter_table('case_participants', schema=None) as batch_op:
        batch_op.drop_index('uq_case_participants_lead', sqlite_where=sa.text('is_lead_practitioner AND ended_on IS NULL'), postgresql_where=sa.text('is_lead_practitioner AND ended_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_case_participants_case_id'))

    op.drop_table('case_participants')
    with op.batch_alter_table('attendance_contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_contracts_case_id'))

    op.drop_table('attendance_contracts')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_approvals_status_time')
        batch_op.drop_index(batch_op.f('ix_approvals_case_id'))

    op.drop_table('approvals')
    op.drop_table('action_plans')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('uq_cases_open_pupil', sqlite_where=sa.text("stage != 'closed'"), postgresql_where=sa.text("stage != 'closed'"))
        batch_op.drop_index(batch_op.f('ix_cases_stage'))
        batch_op.drop_index(batch_op.f('ix_cases_pupil_id'))
        batch_op.drop_index('ix_cases_officer_stage')

    op.drop_table('cases')
    with op.batch_alter_table('professionals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_professionals_agency_id'))

    op.drop_table('professionals')
    op.drop_table('letter_templates')
    op.drop_table('agencies')
