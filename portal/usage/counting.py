"""What one event adds to the counters: browser/OS family, hashed subnet, period. No Flask here.

Counters are summed per report period (YYYYMM, UTC) and kind; nothing names a user, a page
address or a patient. The kinds are the closed list `KINDS`.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import UsageCounter
from portal.usage import upsert

# kind -> what `key` holds
KINDS = {
    "menu": "menu item id (menu.exports)",
    "endpoint": "area of the portal (blueprint name)",
    "login": "empty",
    "session": "duration bucket",
    "locale": "interface language at sign-in",
    "browser": "browser family",
    "os": "operating-system family",
    "network": "keyed hash of the client's /24 or /48 subnet",
}


def period_of(moment: datetime) -> str:
    """The report period a moment belongs to: YYYYMM."""
    return moment.strftime("%Y%m")


def browser_family(user_agent: str) -> str:
    """A coarse browser family from a User-Agent header; the header itself is never kept."""
    ua = user_agent or ""
    if "MSIE " in ua or "Trident/" in ua:
        return "ie"
    if "Edg/" in ua or "Edge/" in ua or "EdgA/" in ua:
        return "edge"
    if "360SE" in ua or "360EE" in ua or "QIHU" in ua:
        return "360"
    if "QQBrowser" in ua:
        return "qq"
    if "Firefox/" in ua or "FxiOS/" in ua:
        return "firefox"
    if "Chrome/" in ua or "CriOS/" in ua or "Chromium/" in ua:
        return "chrome"
    if "Safari/" in ua and "Version/" in ua:
        return "safari"
    return "other"


def os_family(user_agent: str) -> str:
    """A coarse operating-system family from a User-Agent header."""
    ua = user_agent or ""
    if "Windows" in ua:
        return "windows"
    if "iPhone" in ua or "iPad" in ua or "iPod" in ua:
        return "ios"
    if "Android" in ua:
        return "android"
    if "CrOS" in ua:
        return "chromeos"
    if "Macintosh" in ua or "Mac OS X" in ua:
        return "macos"
    if "Linux" in ua or "X11" in ua:
        return "linux"
    return "other"


def subnet_hash(address: str | None, key: str) -> str | None:
    """A keyed hash of the address's /24 (IPv4) or /48 (IPv6) network; None if unparsable.

    The key stays on this site, so the collector (or anyone) cannot test guesses against it.
    """
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return hmac.new(key.encode(), str(network).encode(), hashlib.sha256).hexdigest()[:16]


def duration_bucket(seconds: float) -> str:
    """The schema's session-length bucket for a duration."""
    if seconds < 5 * 60:
        return "under_5m"
    if seconds < 30 * 60:
        return "5m_30m"
    if seconds < 2 * 3600:
        return "30m_2h"
    return "over_2h"


def bump(session: Session, period: str, kind: str, key: str = "", *, count: int = 1,
         total: float = 0.0, errors: int = 0) -> None:
    """Add to one counter (created on first use). The caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown usage counter kind {kind!r}")
    upsert.add(session, UsageCounter.__table__,
               {"period": period, "kind": kind, "key": key[:64]},
               {"count": count, "total": float(total), "errors": errors})
