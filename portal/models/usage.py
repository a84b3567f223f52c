"""Non-PHI usage data: this site's counters and report outbox, and the collector's reports.

No table here holds a user id except `usage_optouts` (who asked not to be counted), and no
counter row can be traced to a person: counts are summed per report period (YYYYMM).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class UsageSite(Base):
    """This installation's one row: its UUID, the admin's decision and the report schedule."""

    __tablename__ = "usage_site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    installation_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    # None until an administrator decides; collection is off while undecided.
    enabled: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Random offset within the report interval, drawn once, so sites do not report together.
    offset_seconds: Mapped[int] = mapped_column(Integer)
    next_report_at: Mapped[datetime] = mapped_column(DateTime)
    # Key for hashing client subnets; never leaves this site, so hashes cannot be reversed.
    subnet_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class UsageCounter(Base):
    """One aggregated counter: how often `kind`/`key` happened in `period`, plus a sum."""

    __tablename__ = "usage_counters"
    __table_args__ = (
        UniqueConstraint("period", "kind", "key", name="uq_usage_counters_period_kind_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    # Milliseconds (requests) or seconds (sessions) summed, for averages.
    total: Mapped[float] = mapped_column(Float, default=0.0)
    errors: Mapped[int] = mapped_column(BigInteger, default=0)


class UsageOptOut(Base):
    """A user who asked not to be counted (the only usage table keyed by a user)."""

    __tablename__ = "usage_optouts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class UsageOutbox(Base):
    """A period's report, frozen when due, with its delivery state (survives restarts)."""

    __tablename__ = "usage_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(6), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_try_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class UsageReport(Base):
    """Collector side: one site's report for one period (a repeat replaces it)."""

    __tablename__ = "usage_reports"
    __table_args__ = (
        UniqueConstraint("site_id", "report_period", name="uq_usage_reports_site_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(36))
    report_period: Mapped[str] = mapped_column(String(6), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON)
    processed: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class UsageRollup(Base):
    """Collector side: sums over all sites per period, kept after raw reports expire."""

    __tablename__ = "usage_rollups"
    __table_args__ = (
        UniqueConstraint("period", "metric", "key", name="uq_usage_rollups_period_metric_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(6), index=True)
    metric: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float, default=0.0)


__all__ = ["UsageCounter", "UsageOptOut", "UsageOutbox", "UsageReport", "UsageRollup",
           "UsageSite"]
