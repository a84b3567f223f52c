"""Published policy versions and which one each export purpose uses by default."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class Purpose(StrEnum):
    """Why a record leaves the hospital; "other" needs a reason in words."""

    CHILD_DEATH_REVIEW = "child_death_review"  # 儿童死亡评审
    MATERNAL_NEAR_MISS_REVIEW = "maternal_near_miss_review"  # 孕产妇危重症评审
    OTHER = "other"


class RulesetVersion(Base):
    """One immutable version of a ruleset's text; a draft has no published_at yet."""

    __tablename__ = "ruleset_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_ruleset_versions_name_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # sha256 of the text: a job records the exact policy it ran with.
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PurposeDefault(Base):
    """The published ruleset version a purpose uses unless the requester picks another."""

    __tablename__ = "purpose_defaults"

    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    ruleset_version_id: Mapped[int] = mapped_column(ForeignKey("ruleset_versions.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
