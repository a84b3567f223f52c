"""People who sign in, and the roles they hold."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow


class Role(StrEnum):
    """What a person may do; a user may hold several."""

    ADMIN = "admin"  # users and settings
    POLICY_ADMIN = "policy_admin"  # rulesets
    CLINICIAN = "clinician"  # archive search, export requests
    COMPLIANCE = "compliance"  # review, approval, audit


class User(Base):
    """A portal account. Passwords are stored only as a salted slow hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="RoleAssignment.user_id",
    )

    @property
    def roles(self) -> frozenset[str]:
        """Names of the roles this user holds."""
        return frozenset(a.role for a in self.role_assignments)

    def has_role(self, *roles: str) -> bool:
        """True when the user holds at least one of `roles`."""
        return bool(self.roles.intersection(roles))

    def is_locked(self, now: datetime) -> bool:
        """True while a lockout after failed sign-ins is running."""
        return self.locked_until is not None and self.locked_until > now

    # Flask-Login's protocol, written out so this module needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleAssignment(Base):
    """One role held by one user, with who granted it and when."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_role_assignments_user_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    user: Mapped[User] = relationship(back_populates="role_assignments", foreign_keys=[user_id])
