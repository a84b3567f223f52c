"""Export jobs: RQ job tickets (the database is the source of truth) and sealed page values.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('page_start', sa.Integer(), nullable=False),
    sa.Column('page_stop', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('rq_job_id', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['export_documents.id'],
                            name=op.f('fk_job_tickets_document_id_export_documents'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['export_requests.id'],
                            name=op.f('fk_job_tickets_request_id_export_requests'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_tickets'))
    )
    op.create_index(op.f('ix_job_tickets_request_id'), 'job_tickets', ['request_id'], unique=False)
    op.create_index(op.f('ix_job_tickets_state'), 'job_tickets', ['state'], unique=False)
    op.create_table('page_secrets',
    sa.Column('page_result_id', sa.Integer(), nullable=False),
    sa.Column('sealed_values', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['page_result_id'], ['page_results.id'],
                            name=op.f('fk_page_secrets_page_result_id_page_results'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('page_result_id', name=op.f('pk_page_secrets'))
    )


def downgrade() -> None:
    op.drop_table('page_secrets')
    op.drop_index(op.f('ix_job_tickets_state'), table_name='job_tickets')
    op.drop_index(op.f('ix_job_tickets_request_id'), table_name='job_tickets')
    op.drop_table('job_tickets')
