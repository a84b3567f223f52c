"""Export requests and the work they become: documents, per-page results, hand edits."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow


class ExportState(StrEnum):
    """Where a request stands; see ARCHITECTURE.md "Workflow states"."""

    DRAFT = "draft"
    QUEUED = "queued"
    ANALYSING = "analysing"
    READY_FOR_REVIEW = "ready_for_review"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    FAILED = "failed"
    EXPIRED = "expired"


class DocumentState(StrEnum):
    """Progress of one document's analysis."""

    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class EditAction(StrEnum):
    """A hand edit either adds a box or removes an automatic one (with a reason)."""

    ADD = "add"
    REMOVE = "remove"


class ExportRequest(Base):
    """A clinician's request to release one visit's documents, anonymized, for a purpose."""

    __tablename__ = "export_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    visit_id: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    purpose_reason: Mapped[str] = mapped_column(Text, default="")
    # The exact policy version the jobs run with; never changes once analysis starts.
    ruleset_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("ruleset_versions.id"), nullable=True
    )
    watermark: Mapped[str] = mapped_column(String(200), default="")
    # The PDF password is never stored in clear: a flag, and a ciphertext the assembly job
    # decrypts with the site key and then clears.
    password_protected: Mapped[bool] = mapped_column(Boolean, default=False)
    password_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    state: Mapped[str] = mapped_column(String(24), default=ExportState.DRAFT, index=True)
    failure_reason: Mapped[str] = mapped_column(Text, default="")
    docs_done: Mapped[int] = mapped_column(Integer, default=0)
    docs_total: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every hand edit: an assembly of an older revision is stale and discarded.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    output_path: Mapped[str | None] = mapped_column(String(512), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Verification of the assembled file: residual count and per-category summary, no PHI.
    residuals: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    # End of the download window; after it the file is purged and the state becomes expired.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    documents: Mapped[list[ExportDocument]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ExportDocument.order"
    )
    edits: Mapped[list[ManualEdit]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ManualEdit.id"
    )


class ExportDocument(Base):
    """One archived document inside a request, analysed by its own RQ job(s)."""

    __tablename__ = "export_documents"
    __table_args__ = (UniqueConstraint("request_id", "doc_id", name="uq_export_documents_doc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("export_requests.id", ondelete="CASCADE"), index=True
    )
    doc_id: Mapped[str] = mapped_column(String(128))  # the archive adapter's document id
    order: Mapped[int] = mapped_column(Integer, default=0)
    doc_type: Mapped[str] = mapped_column(String(64), default="")
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=DocumentState.PENDING)
    # The last RQ job enqueued for it; the reconciler re-enqueues when this job has vanished.
    rq_job_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    request: Mapped[ExportRequest] = relationship(back_populates="documents")
    pages: Mapped[list[PageResult]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="PageResult.page_number"
    )


class PageResult(Base):
    """Findings of one page; once `done`, a re-run job skips the page."""

    __tablename__ = "page_results"
    __table_args__ = (
        UniqueConstraint("document_id", "page_number", name="uq_page_results_page"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("export_documents.id", ondelete="CASCADE"), index=True
    )
    page_number: Mapped[int] = mapped_column(Integer)  # 0-based, as in workers.textlayer
    # [{id, rect, category, rule, kind, value_hash}]: boxes and keyed hashes, never the value.
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ocr_used: Mapped[bool] = mapped_column(Boolean, default=False)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    document: Mapped[ExportDocument] = relationship(back_populates="pages")


class ManualEdit(Base):
    """A box drawn or an automatic box removed by hand; undo sets `undone`, never deletes."""

    __tablename__ = "manual_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("export_requests.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("export_documents.id", ondelete="CASCADE"))
    page_number: Mapped[int] = mapped_column(Integer)  # 0-based within the document
    # [x0, y0, x1, y1] in PDF points, top-left origin (workers.textlayer.Rect).
    rect: Mapped[list[float]] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(8))
    finding_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    request: Mapped[ExportRequest] = relationship(back_populates="edits")
