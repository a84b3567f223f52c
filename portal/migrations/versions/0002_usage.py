"""Non-PHI usage data: site settings, counters, opt-outs, report outbox; collector reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('usage_site',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('installation_uuid', sa.String(length=36), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('offset_seconds', sa.Integer(), nullable=False),
    sa.Column('next_report_at', sa.DateTime(), nullable=False),
    sa.Column('subnet_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_site')),
    sa.UniqueConstraint('installation_uuid', name=op.f('uq_usage_site_installation_uuid'))
    )
    op.create_table('usage_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('errors', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_counters')),
    sa.UniqueConstraint('period', 'kind', 'key', name='uq_usage_counters_period_kind_key')
    )
    op.create_index(op.f('ix_usage_counters_period'), 'usage_counters', ['period'], unique=False)
    op.create_table('usage_optouts',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_usage_optouts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_usage_optouts'))
    )
    op.create_table('usage_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('last_try_at', sa.DateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_outbox')),
    sa.UniqueConstraint('period', name=op.f('uq_usage_outbox_period'))
    )
    op.create_table('usage_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.String(length=36), nullable=False),
    sa.Column('report_period', sa.String(length=6), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('processed', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_reports')),
    sa.UniqueConstraint('site_id', 'report_period', name='uq_usage_reports_site_period')
    )
    op.create_index(op.f('ix_usage_reports_expires_at'), 'usage_reports', ['expires_at'], unique=False)
    op.create_index(op.f('ix_usage_reports_report_period'), 'usage_reports', ['report_period'], unique=False)
    op.create_table('usage_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_rollups')),
    sa.UniqueConstraint('period', 'metric', 'key', name='uq_usage_rollups_period_metric_key')
    )
    op.create_index(op.f('ix_usage_rollups_period'), 'usage_rollups', ['period'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_usage_rollups_period'), table_name='usage_rollups')
    op.drop_table('usage_rollups')
    op.drop_index(op.f('ix_usage_reports_report_period'), table_name='usage_reports')
    op.drop_index(op.f('ix_usage_reports_expires_at'), table_name='usage_reports')
    op.drop_table('usage_reports')
    op.drop_table('usage_outbox')
    op.drop_table('usage_optouts')
    op.drop_index(op.f('ix_usage_counters_period'), table_name='usage_counters')
    op.drop_table('usage_counters')
    op.drop_table('usage_site')
