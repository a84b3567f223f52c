"""Who may download an export and when; streaming it decrypted; purging expired files. No Flask."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit import record
from portal.models import ExportRequest, ExportState, User, utcnow
from portal.preview import render
from portal.review.workflow import N_, WorkflowError, can_view

log = logging.getLogger(__name__)


class DownloadError(WorkflowError):
    """The export cannot be downloaded (now, or by this person); the message says why."""


def filename(req: ExportRequest) -> str:
    """The name the browser saves the file under: the export number only, no patient data."""
    return f"export-{req.id}.pdf"


def is_expired(req: ExportRequest, now: datetime | None = None) -> bool:
    """True once the download window of an approved export is over (or it was purged)."""
    if req.state == ExportState.EXPIRED:
        return True
    return (req.state == ExportState.APPROVED and req.expires_at is not None
            and req.expires_at <= (now or utcnow()))


def check_download(req: ExportRequest, user: User, now: datetime | None = None) -> Path:
    """The sealed file `user` may download now; DownloadError in words otherwise."""
    if not can_view(user, req):
        raise DownloadError(N_("Only the requester and compliance officers can download this "
                               "export."))
    if is_expired(req, now):
        raise DownloadError(N_("The download window of this export is over and its file has "
                               "been (or is about to be) deleted. Request a new export if you "
                               "still need it."))
    if req.state != ExportState.APPROVED:
        raise DownloadError(N_("This export has not been approved yet: it can be downloaded "
                               "once a compliance officer approves it."))
    if not req.output_path or not Path(req.output_path).exists():
        raise DownloadError(N_("The export file is missing. Tell the administrator; the audit "
                               "log shows when it was made."))
    return Path(req.output_path)


def start_download(session: Session, req: ExportRequest, user: User, key: bytes,
                   now: datetime | None = None) -> Iterator[bytes]:
    """Audit the download and return the decrypted PDF as chunks (checked first)."""
    from portal.crypto import open_sealed

    path = check_download(req, user, now)
    chunks = open_sealed(path, key)
    record("export.download", user, "export", req.id, session=session, sha256=req.sha256)
    session.commit()
    return chunks


def purge_expired(session: Session, data_dir: Path | None = None,
                  now: datetime | None = None) -> list[int]:
    """Delete the files of approved exports whose window is over; mark them expired.

    Returns the ids purged. Safe to run often and from several workers: a request already
    expired is skipped, a file already gone is fine. `data_dir` (the site's DATA_DIR) lets it
    drop the cached page images too.
    """
    now = now or utcnow()
    due = session.scalars(
        select(ExportRequest).where(ExportRequest.state == ExportState.APPROVED,
                                    ExportRequest.expires_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    purged = []
    for req in due:
        if req.output_path:
            Path(req.output_path).unlink(missing_ok=True)
        if data_dir is not None:
            render.drop_request(Path(data_dir) / "preview", req.id)
        req.output_path = None
        req.state = ExportState.EXPIRED
        record("export.expire", None, "export", req.id, session=session,
               expired_at=req.expires_at.isoformat(timespec="seconds"))
        purged.append(req.id)
    session.commit()
    if purged:
        log.info("purged %d expired export(s)", len(purged))
    return purged
