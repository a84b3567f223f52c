"""The audit log: `record` appends an entry to the hash chain. No Flask here."""
from portal.audit.chain import VerifyResult, record, verify

__all__ = ["VerifyResult", "record", "verify"]
