"""The portal's tables, split by area. Import models from here; no Flask in this package."""
from portal.models.audit import GENESIS_HASH, AuditChainHead, AuditEntry
from portal.models.base import Base, utcnow
from portal.models.exports import (
    DocumentState,
    EditAction,
    ExportDocument,
    ExportRequest,
    ExportState,
    ManualEdit,
    PageResult,
)
from portal.models.jobs import JobKind, JobTicket, PageSecret, TicketState  # noqa: F401
from portal.models.rulesets import Purpose, PurposeDefault, RulesetVersion
from portal.models.usage import (  # noqa: F401
    UsageCounter,
    UsageOptOut,
    UsageOutbox,
    UsageReport,
    UsageRollup,
    UsageSite,
)
from portal.models.users import Role, RoleAssignment, User

__all__ = [
    "GENESIS_HASH",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "DocumentState",
    "EditAction",
    "ExportDocument",
    "ExportRequest",
    "ExportState",
    "ManualEdit",
    "PageResult",
    "Purpose",
    "PurposeDefault",
    "Role",
    "RoleAssignment",
    "RulesetVersion",
    "User",
    "utcnow",
]
