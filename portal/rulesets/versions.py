"""Ruleset versions: check text, keep one draft per ruleset, publish it, choose purpose defaults.

No Flask. Rules enforced here, not only hidden in the pages: a published version is never
changed, a draft that does not compile is never published, a default is always published.

Numbering: a ruleset's versions share one number sequence with its draft. The (single) open
draft carries the number it will be published under, the last published number + 1; the
`policy "..." version N` line of its text is kept equal to that number, so reports written by a
job name the same version the portal shows.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dsl import PolicyError, compile_text, default_ruleset_path
from dsl.model import Policy
from portal.audit import record
from portal.models import Purpose, PurposeDefault, RulesetVersion, User, utcnow

MAX_TEXT = 200_000      # characters; the shipped ruleset is about 15,000
MAX_NOTE = 2000
HEADER = re.compile(r'^(\s*policy\s+(?:"(?:[^"\\]|\\.)*"|“[^”]*”)\s+version\s+)(\d+)', re.MULTILINE)


def N_(message: str) -> str:
    """Mark a message for translation; the view translates it when it shows it."""
    return message


class VersionError(Exception):
    """A step that is not allowed. `message` (an msgid with %(name)s fields) says why."""

    def __init__(self, message: str, /, **params: object) -> None:
        # Positional-only: a parameter may itself be called `message` (a compiler message).
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Problem:
    """One compile error, placed for the editor: 1-based line and column, `width` characters."""

    line: int
    column: int
    message: str
    hint: str
    excerpt: str
    width: int = 1

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message,
                "hint": self.hint, "excerpt": self.excerpt, "width": self.width}


def lists_dir() -> Path:
    """Word lists of stored versions are the shipped ones (as in portal.jobs.context)."""
    return default_ruleset_path().parent / "lists"


def digest_of(text: str) -> str:
    """What `RulesetVersion.digest` holds: the SHA-256 of the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compile_policy(text: str, name: str = "<policy>") -> Policy:
    """Compile stored or edited text the way jobs do; raises dsl.PolicyError."""
    return compile_text(text, f"{name}.rules", lists_dir=lists_dir())


def check(text: str) -> list[Problem]:
    """The problems of `text` (the compiler stops at the first), empty when it compiles."""
    if len(text) > MAX_TEXT:
        return [Problem(1, 1, f"the ruleset is longer than {MAX_TEXT} characters", "", "")]
    try:
        compile_policy(text)
    except PolicyError as exc:
        return [Problem(max(exc.line, 1), max(exc.column, 1), exc.message, exc.hint or "",
                        exc.source_line or "", exc.width)]
    return []


def set_header_version(text: str, number: int) -> str:
    """`text` with the number of its `policy "..." version N` line set to `number`."""
    return HEADER.sub(lambda m: f"{m.group(1)}{number}", text, count=1)


# ---------------------------------------------------------------- reading


def names(session: Session) -> list[str]:
    """Every ruleset name, "default" first."""
    found = set(session.scalars(select(RulesetVersion.name).distinct()))
    return sorted(found, key=lambda n: (n != "default", n))


def versions_of(session: Session, name: str) -> list[RulesetVersion]:
    """A ruleset's versions, newest number first (its draft, if any, on top)."""
    return list(session.scalars(select(RulesetVersion).where(RulesetVersion.name == name)
                                .order_by(RulesetVersion.version.desc())))


def published(session: Session) -> list[RulesetVersion]:
    """Every published version of every ruleset, by name then newest first."""
    return list(session.scalars(select(RulesetVersion)
                                .where(RulesetVersion.published_at.is_not(None))
                                .order_by(RulesetVersion.name, RulesetVersion.version.desc())))


def last_published(session: Session, name: str) -> RulesetVersion | None:
    return session.scalars(
        select(RulesetVersion).where(RulesetVersion.name == name,
                                     RulesetVersion.published_at.is_not(None))
        .order_by(RulesetVersion.version.desc()).limit(1)).first()


def draft_of(session: Session, name: str) -> RulesetVersion | None:
    """The open draft of a ruleset (there is at most one)."""
    return session.scalars(
        select(RulesetVersion).where(RulesetVersion.name == name,
                                     RulesetVersion.published_at.is_(None))
        .order_by(RulesetVersion.version.desc()).limit(1)).first()


def next_number(session: Session, name: str) -> int:
    """The number the next published version of `name` gets."""
    top = session.scalar(select(func.max(RulesetVersion.version)).where(
        RulesetVersion.name == name, RulesetVersion.published_at.is_not(None)))
    return (top or 0) + 1


def make_room(session: Session, name: str, number: int) -> None:
    """Move the draft off `number`, which a new published version is about to take."""
    draft = draft_of(session, name)
    if draft is not None and draft.version == number:
        draft.version = number + 1
        draft.text = set_header_version(draft.text, draft.version)
        draft.digest = digest_of(draft.text)
        session.flush()


# ---------------------------------------------------------------- drafts


def start_draft(session: Session, source: RulesetVersion, user: User) -> RulesetVersion:
    """A new draft of `source`'s ruleset, starting from `source`'s text."""
    if not source.is_published:
        raise VersionError(N_("This is already a draft: edit it instead."))
    if draft_of(session, source.name) is not None:
        raise VersionError(N_("Ruleset “%(name)s” already has a draft. Edit or discard that "
                              "draft first."), name=source.name)
    number = next_number(session, source.name)
    text = set_header_version(source.text, number)
    draft = RulesetVersion(name=source.name, version=number, text=text, digest=digest_of(text),
                           created_by_id=user.id, note="")
    session.add(draft)
    session.flush()
    record("policy.draft_start", user, "ruleset_version", draft.id, session=session,
           ruleset=source.name, version=number, from_version=source.version)
    return draft


def _editable(version: RulesetVersion) -> None:
    if version.is_published:
        raise VersionError(N_("Version %(n)d is published and can never be changed. Start a new "
                              "draft from it instead."), n=version.version)


def save_draft(session: Session, draft: RulesetVersion, text: str, user: User) -> list[Problem]:
    """Store the draft's new text (even if it does not compile); returns its problems."""
    _editable(draft)
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_TEXT:
        raise VersionError(N_("The ruleset is too long (at most %(n)d characters)."), n=MAX_TEXT)
    if text != draft.text:
        draft.text = text
        draft.digest = digest_of(text)
        record("policy.draft_save", user, "ruleset_version", draft.id, session=session,
               ruleset=draft.name, version=draft.version, digest=draft.digest)
    session.flush()
    return check(text)


def discard_draft(session: Session, draft: RulesetVersion, user: User) -> None:
    """Delete a draft (nothing refers to a draft: jobs and defaults use published versions)."""
    _editable(draft)
    record("policy.draft_discard", user, "ruleset_version", draft.id, session=session,
           ruleset=draft.name, version=draft.version)
    session.delete(draft)
    session.flush()


# ---------------------------------------------------------------- publishing


def text_to_publish(session: Session, draft: RulesetVersion) -> tuple[int, str]:
    """The number the draft would be published under, and its text with the header set."""
    number = next_number(session, draft.name)
    return number, set_header_version(draft.text, number)


def publish(session: Session, draft: RulesetVersion, note: str, user: User) -> RulesetVersion:
    """Freeze the draft as the next published version; the note says what changed and why."""
    _editable(draft)
    note = (note or "").strip()
    if not note:
        raise VersionError(N_("Write a note saying what changed and why: it is shown with the "
                              "version and kept in the audit log."))
    if len(note) > MAX_NOTE:
        raise VersionError(N_("The note is too long (at most %(n)d characters)."), n=MAX_NOTE)
    number, text = text_to_publish(session, draft)
    problems = check(text)
    if problems:
        p = problems[0]
        raise VersionError(N_("This draft does not compile, so it cannot be published (line "
                              "%(line)d, column %(column)d: %(message)s). Fix it in the editor, "
                              "save, and publish again."),
                           line=p.line, column=p.column, message=p.message)
    previous = last_published(session, draft.name)
    draft.version, draft.text, draft.digest = number, text, digest_of(text)
    draft.published_at, draft.published_by_id, draft.note = utcnow(), user.id, note
    session.flush()
    record("policy.publish", user, "ruleset_version", draft.id, session=session,
           ruleset=draft.name, version=number, digest=draft.digest,
           previous_version=previous.version if previous else None)
    return draft


# ---------------------------------------------------------------- purpose defaults


def defaults(session: Session) -> dict[str, PurposeDefault]:
    """The default of each purpose that has one."""
    return {d.purpose: d for d in session.scalars(select(PurposeDefault))}


def set_default(session: Session, purpose: str, version: RulesetVersion, user: User | None
                ) -> PurposeDefault:
    """Make `version` the default of `purpose`; `user` None means the program did it."""
    if purpose not in {p.value for p in Purpose}:
        raise VersionError(N_("Unknown purpose."))
    if not version.is_published:
        raise VersionError(N_("Only a published version can be a purpose's default. Publish "
                              "the draft first."))
    current = session.get(PurposeDefault, purpose)
    before = current.ruleset_version_id if current else None
    if current is None:
        current = PurposeDefault(purpose=purpose, ruleset_version_id=version.id)
        session.add(current)
    current.ruleset_version_id = version.id
    current.set_at = utcnow()
    current.set_by_id = user.id if user else None
    session.flush()
    if user is not None and before != version.id:
        record("policy.default_set", user, "purpose", purpose, session=session,
               ruleset=version.name, version=version.version, version_id=version.id,
               previous_version_id=before)
    return current
