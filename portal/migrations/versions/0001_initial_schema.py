"""Initial schema: users and roles, audit chain, rulesets, export requests and their work.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    # The chain starts at the genesis hash; writers lock this one row to append.
    op.bulk_insert(
        sa.table('audit_chain_head', sa.column('id', sa.Integer), sa.column('last_id', sa.Integer),
                 sa.column('last_hash', sa.String)),
        [{'id': 1, 'last_id': 0, 'last_hash': '0' * 64}],
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('obj_type', sa.String(length=32), nullable=True),
    sa.Column('obj_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    op.create_index(op.f('ix_audit_entries_action'), 'audit_entries', ['action'], unique=False)
    op.create_index(op.f('ix_audit_entries_at'), 'audit_entries', ['at'], unique=False)
    op.create_index(op.f('ix_audit_entries_obj_id'), 'audit_entries', ['obj_id'], unique=False)
    op.create_index(op.f('ix_audit_entries_user_id'), 'audit_entries', ['user_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('role_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_role_assignments_granted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignments')),
    sa.UniqueConstraint('user_id', 'role', name='uq_role_assignments_user_role')
    )
    op.create_index(op.f('ix_role_assignments_user_id'), 'role_assignments', ['user_id'], unique=False)

    op.create_table('ruleset_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ruleset_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_ruleset_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ruleset_versions')),
    sa.UniqueConstraint('name', 'version', name='uq_ruleset_versions_name_version')
    )
    op.create_index(op.f('ix_ruleset_versions_name'), 'ruleset_versions', ['name'], unique=False)

    op.create_table('export_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('purpose_reason', sa.Text(), nullable=False),
    sa.Column('ruleset_version_id', sa.Integer(), nullable=True),
    sa.Column('watermark', sa.String(length=200), nullable=False),
    sa.Column('password_protected', sa.Boolean(), nullable=False),
    sa.Column('password_ciphertext', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('failure_reason', sa.Text(), nullable=False),
    sa.Column('docs_done', sa.Integer(), nullable=False),
    sa.Column('docs_total', sa.Integer(), nullable=False),
    sa.Column('pages_done', sa.Integer(), nullable=False),
    sa.Column('pages_total', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('output_path', sa.String(length=512), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('residuals', sa.Integer(), nullable=True),
    sa.Column('verification', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_export_requests_approved_by_id_users')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_export_requests_requester_id_users')),
    sa.ForeignKeyConstraint(['ruleset_version_id'], ['ruleset_versions.id'], name=op.f('fk_export_requests_ruleset_version_id_ruleset_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_requests'))
    )
    op.create_index(op.f('ix_export_requests_requester_id'), 'export_requests', ['requester_id'], unique=False)
    op.create_index(op.f('ix_export_requests_state'), 'export_requests', ['state'], unique=False)
    op.create_index(op.f('ix_export_requests_visit_id'), 'export_requests', ['visit_id'], unique=False)

    op.create_table('purpose_defaults',
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('ruleset_version_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ruleset_version_id'], ['ruleset_versions.id'], name=op.f('fk_purpose_defaults_ruleset_version_id_ruleset_versions')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_purpose_defaults_set_by_id_users')),
    sa.PrimaryKeyConstraint('purpose', name=op.f('pk_purpose_defaults'))
    )
    op.create_table('export_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=128), nullable=False),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=64), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('pages_done', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('rq_job_id', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['export_requests.id'], name=op.f('fk_export_documents_request_id_export_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_documents')),
    sa.UniqueConstraint('request_id', 'doc_id', name='uq_export_documents_doc')
    )
    op.create_index(op.f('ix_export_documents_request_id'), 'export_documents', ['request_id'], unique=False)

    op.create_table('manual_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('page_number', sa.Integer(), nullable=False),
    sa.Column('rect', sa.JSON(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('finding_ref', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['export_documents.id'], name=op.f('fk_manual_edits_document_id_export_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['export_requests.id'], name=op.f('fk_manual_edits_request_id_export_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_manual_edits_undone_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_manual_edits_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_edits'))
    )
    op.create_index(op.f('ix_manual_edits_request_id'), 'manual_edits', ['request_id'], unique=False)

    op.create_table('page_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('page_number', sa.Integer(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('ocr_used', sa.Boolean(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['export_documents.id'], name=op.f('fk_page_results_document_id_export_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_results')),
    sa.UniqueConstraint('document_id', 'page_number', name='uq_page_results_page')
    )
    op.create_index(op.f('ix_page_results_document_id'), 'page_results', ['document_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_page_results_document_id'), table_name='page_results')

    op.drop_table('page_results')
    op.drop_index(op.f('ix_manual_edits_request_id'), table_name='manual_edits')

    op.drop_table('manual_edits')
    op.drop_index(op.f('ix_export_documents_request_id'), table_name='export_documents')

    op.drop_table('export_documents')
    op.drop_table('purpose_defaults')
    op.drop_index(op.f('ix_export_requests_visit_id'), table_name='export_requests')
    op.drop_index(op.f('ix_export_requests_state'), table_name='export_requests')
    op.drop_index(op.f('ix_export_requests_requester_id'), table_name='export_requests')

    op.drop_table('export_requests')
    op.drop_index(op.f('ix_ruleset_versions_name'), table_name='ruleset_versions')

    op.drop_table('ruleset_versions')
    op.drop_index(op.f('ix_role_assignments_user_id'), table_name='role_assignments')

    op.drop_table('role_assignments')
    op.drop_table('users')
    op.drop_index(op.f('ix_audit_entries_user_id'), table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_obj_id'), table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_at'), table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_action'), table_name='audit_entries')

    op.drop_table('audit_entries')
    op.drop_table('audit_chain_head')
