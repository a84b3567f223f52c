"""Store the shipped rulesets/default.rules as ruleset "default" and give each purpose a default.

Idempotent. When the shipped file changes (a program upgrade), its new text is stored as a new
published version. Purpose defaults the program set itself (`set_by_id` empty) follow it to the
new version; a default an administrator chose by hand is left alone: their choice wins over an
upgrade, and the rulesets page shows that a newer version exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl import default_ruleset_path
from portal.audit import record
from portal.models import Purpose, RulesetVersion, utcnow
from portal.rulesets import versions

NAME = "default"
SHIPPED_NOTE = "Shipped with the program (rulesets/default.rules)."
CHANGED_NOTE = "Shipped with an upgrade of the program (rulesets/default.rules changed)."


@dataclass
class SeedResult:
    """What `seed` did, for the one line the command prints."""

    version: int
    stored: bool = False          # a new version was written
    first: bool = False           # it was the first version of the ruleset
    defaults_set: list[str] = field(default_factory=list)
    defaults_kept: list[str] = field(default_factory=list)   # chosen by hand, not moved

    def summary(self) -> str:
        if not self.stored:
            head = (f'Ruleset "{NAME}" is up to date: the shipped file is stored as version '
                    f"{self.version}.")
        elif self.first:
            head = f'Stored the shipped ruleset as "{NAME}" version {self.version}, published.'
        else:
            head = (f'The shipped ruleset changed: stored it as "{NAME}" version {self.version}, '
                    f"published.")
        parts = [head]
        if self.defaults_set:
            parts.append(f"Default of {len(self.defaults_set)} purpose(s) set to it: "
                         f"{', '.join(self.defaults_set)}.")
        if self.defaults_kept:
            parts.append(f"Left {len(self.defaults_kept)} default(s) an administrator chose: "
                         f"{', '.join(self.defaults_kept)}.")
        if not self.stored and not self.defaults_set:
            parts.append("Nothing changed.")
        return " ".join(parts)


def shipped_text(path: Path | None = None) -> str:
    """The shipped ruleset as text (a BOM dropped, as the compiler does)."""
    return (path or default_ruleset_path()).read_bytes().decode("utf-8-sig")


def seed(session: Session, path: Path | None = None) -> SeedResult:
    """Store the shipped ruleset unless a published version already holds its exact text."""
    text = shipped_text(path)
    digest = versions.digest_of(text)
    versions.compile_policy(text, NAME)  # a broken shipped file stops here, with its position
    stored = session.scalars(select(RulesetVersion).where(
        RulesetVersion.name == NAME, RulesetVersion.digest == digest,
        RulesetVersion.published_at.is_not(None)).order_by(RulesetVersion.version.desc())).first()
    result = SeedResult(version=0)
    if stored is None:
        result.first = versions.last_published(session, NAME) is None
        number = versions.next_number(session, NAME)
        versions.make_room(session, NAME, number)
        stored = RulesetVersion(name=NAME, version=number, text=text, digest=digest,
                                published_at=utcnow(), note=SHIPPED_NOTE if result.first
                                else CHANGED_NOTE)
        session.add(stored)
        session.flush()
        result.stored = True
    result.version = stored.version
    chosen = versions.defaults(session)
    for purpose in Purpose:
        current = chosen.get(purpose.value)
        if current is not None and current.set_by_id is not None:
            if current.ruleset_version_id != stored.id:
                result.defaults_kept.append(purpose.value)
            continue
        if current is None or current.ruleset_version_id != stored.id:
            versions.set_default(session, purpose.value, stored, None)
            result.defaults_set.append(purpose.value)
    if result.stored or result.defaults_set:
        record("policy.seed", None, "ruleset_version", stored.id, session=session,
               ruleset=NAME, version=stored.version, digest=digest, stored=result.stored,
               defaults=result.defaults_set)
    return result
