"""The work an export request became: RQ job tickets, and page values kept encrypted."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class JobKind(StrEnum):
    ANALYSE = "analyse"
    ASSEMBLE = "assemble"


class TicketState(StrEnum):
    """A ticket is open until its job has written its outcome to the database."""

    OPEN = "open"
    DONE = "done"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # re-enqueued by the reconciler or a retry


class JobTicket(Base):
    """One RQ job enqueued for a request; the database, not Redis, says what is still owed.

    The reconciler compares open tickets with RQ: an open ticket whose job vanished (Redis
    restarted, worker killed) is superseded by a new job for the same work.
    """

    __tablename__ = "job_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("export_requests.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("export_documents.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Pages [page_start, page_stop) of the document (analyse); the revision built (assemble).
    page_start: Mapped[int] = mapped_column(Integer, default=0)
    page_stop: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    rq_job_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=TicketState.OPEN, index=True)
    # Assembly progress (pages through redaction and verification), for the progress bar.
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class PageSecret(Base):
    """The values behind one page's findings, sealed with the site key (portal.crypto).

    Record-wide propagation and pseudonyms need the text itself; it is never stored in clear.
    The sealed JSON list is aligned with `PageResult.findings`.
    """

    __tablename__ = "page_secrets"

    page_result_id: Mapped[int] = mapped_column(
        ForeignKey("page_results.id", ondelete="CASCADE"), primary_key=True)
    sealed_values: Mapped[bytes] = mapped_column(LargeBinary)
