"""The usage report's strict schema: the ONE definition both the reporter and the collector use.

A report is a JSON object; every key it may hold is declared in `REPORT` below with its type,
bounds and meaning. Unknown keys are refused, strings must match a pattern or a closed list, and
every free-text key or value is screened for personal data (`portal.usage.pii`). Counts are
bounded integers, so a phone or ID number cannot hide in a number either. No Flask here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Union

from portal.usage.pii import personal_data_reason

SCHEMA_VERSION = 1
MAX_COUNT = 10**9  # 10 digits at most: a phone (11) or an ID number (15/18) cannot fit


def N_(text: str) -> str:
    """Mark a string for translation without translating it here (no Flask in this module)."""
    return text


PERIOD = r"^20\d\d(0[1-9]|1[0-2])$"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
LOCALE = r"^[a-z]{2}(_[A-Z]{2})?$"
# A feature is named by its stable id ("menu.exports") or, from older sites, its Chinese label.
FEATURE = r"^(menu\.[a-z_]{1,24}|[\u4e00-\u9fff]{2,8})$"
GROUP = r"^[a-z][a-z0-9_]{0,31}$"
# Feature labels that start with a common surname character by chance; not names.
FEATURE_LABELS = frozenset({"档案检索", "导出申请", "审核", "审批", "规则", "规则编辑", "审计",
                            "管理", "系统管理", "申请", "下载"})
BROWSERS = ("chrome", "edge", "firefox", "safari", "ie", "qq", "360", "other")
SYSTEMS = ("windows", "macos", "linux", "android", "ios", "chromeos", "other")
DURATIONS = ("under_5m", "5m_30m", "30m_2h", "over_2h")
# Coarse, site-declared region: ISO 3166-2:CN province codes (never derived from addresses).
REGIONS = (
    "CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-NM", "CN-LN", "CN-JL", "CN-HL", "CN-SH", "CN-JS",
    "CN-ZJ", "CN-AH", "CN-FJ", "CN-JX", "CN-SD", "CN-HA", "CN-HB", "CN-HN", "CN-GD", "CN-GX",
    "CN-HI", "CN-CQ", "CN-SC", "CN-GZ", "CN-YN", "CN-XZ", "CN-SN", "CN-GS", "CN-QH", "CN-NX",
    "CN-XJ", "CN-HK", "CN-MO", "CN-TW", "other",
)


@dataclass(frozen=True)
class Str:
    """A string matching `pattern` or one of `choices`, screened for personal data."""

    pattern: str | None = None
    choices: tuple[str, ...] = ()
    max_len: int = 64
    screen: bool = True
    doc: str = ""


@dataclass(frozen=True)
class Int:
    """A whole number within bounds (booleans refused)."""

    low: int = 0
    high: int = MAX_COUNT
    doc: str = ""


@dataclass(frozen=True)
class Num:
    """A number within bounds."""

    low: float = 0.0
    high: float = float(MAX_COUNT)
    doc: str = ""


@dataclass(frozen=True)
class Obj:
    """An object with exactly these fields (those in `required` must be present)."""

    fields: dict[str, Field]
    required: frozenset[str] = frozenset()
    doc: str = ""


@dataclass(frozen=True)
class Map:
    """An object whose keys match `key` and whose values match `value`."""

    key: Str
    value: Field
    max_items: int = 64
    doc: str = ""


Field = Union[Str, Int, Num, Obj, Map]  # noqa: UP007  (a runtime alias for the dataclasses)


def _count(doc: str) -> Int:
    return Int(doc=doc)


METRICS = Obj(
    {
        "avg_response_time": Num(0, 600_000, N_("Average response time of pages, milliseconds")),
        "error_rate": Num(0, 1, N_("Share of requests answered with a server error (5xx)")),
        "requests": _count(N_("Number of requests counted")),
    },
    frozenset({"avg_response_time", "error_rate"}),
    N_("Speed and errors over all pages"),
)

REPORT = Obj(
    {
        "schema_version": Int(1, SCHEMA_VERSION, N_("Version of this report format")),
        "report_period": Str(PERIOD, screen=False, doc=N_("Month the counts cover, YYYYMM")),
        "installation_uuid": Str(UUID, screen=False, max_len=36,
                                 doc=N_("Random number identifying this installation, made "
                                        "once; says nothing about the hospital")),
        "app_version": Str(r"^[0-9][0-9A-Za-z.+-]{0,31}$", doc=N_("Portal software version")),
        "locale": Str(LOCALE, doc=N_("The site's default interface language")),
        "region": Str(choices=REGIONS, doc=N_("Province, if the site chose to declare it")),
        "menu_stats": Map(Str(FEATURE, max_len=40), _count(""), 64,
                          N_("Clicks per main-menu item")),
        "system_metrics": METRICS,
        "endpoint_groups": Map(
            Str(GROUP, max_len=32),
            Obj({"requests": _count(""), "avg_response_time": Num(0, 600_000),
                 "error_rate": Num(0, 1)}, frozenset({"requests"})),
            64, N_("Requests, average time and error share per area of the portal (never "
                   "a page address)")),
        "sessions": Obj(
            {
                "logins": _count(N_("Successful sign-ins")),
                "completed": _count(N_("Sessions that ended by sign-out or timeout")),
                "avg_minutes": Num(0, 7 * 24 * 60, N_("Average session length, minutes")),
                "durations": Map(Str(choices=DURATIONS), _count(""), len(DURATIONS),
                                 N_("Sessions by length: under 5 minutes, 5-30 minutes, "
                                    "30 minutes-2 hours, over 2 hours")),
            },
            doc=N_("Sign-ins and session lengths"),
        ),
        "locales": Map(Str(LOCALE), _count(""), 16, N_("Sign-ins per interface language")),
        "browsers": Map(Str(choices=BROWSERS), _count(""), len(BROWSERS),
                        N_("Sign-ins per browser family")),
        "os": Map(Str(choices=SYSTEMS), _count(""), len(SYSTEMS),
                  N_("Sign-ins per operating-system family")),
        "networks": _count(N_("Number of distinct client networks (counted from keyed hashes "
                              "of /24 or /48 subnets that never leave the site)")),
    },
    frozenset({"report_period", "installation_uuid", "locale", "menu_stats", "system_metrics"}),
)


@dataclass(frozen=True)
class Problem:
    """One reason a report is refused: where (a dotted path) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '(report)'}: {self.reason}"


@dataclass
class _Checker:
    problems: list[Problem] = field(default_factory=list)

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def check(self, spec: Field, value: Any, path: str) -> None:
        if isinstance(spec, Obj):
            self._obj(spec, value, path)
        elif isinstance(spec, Map):
            self._map(spec, value, path)
        elif isinstance(spec, Str):
            self._str(spec, value, path)
        elif isinstance(spec, Int):
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(path, "must be a whole number")
            elif not spec.low <= value <= spec.high:
                self.fail(path, f"must be between {spec.low} and {spec.high}")
        elif isinstance(spec, Num):
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(path, "must be a number")
            elif not spec.low <= value <= spec.high:
                self.fail(path, f"must be between {spec.low:g} and {spec.high:g}")

    def _obj(self, spec: Obj, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return
        for key in value:
            if key not in spec.fields:
                # The key itself might be the personal datum: do not echo it back.
                shown = key if _plain(key) else "(a key)"
                self.fail(_join(path, shown), "unknown field")
        for key in sorted(spec.required - value.keys()):
            self.fail(_join(path, key), "missing")
        for key, sub in spec.fields.items():
            if key in value:
                self.check(sub, value[key], _join(path, key))

    def _map(self, spec: Map, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return
        if len(value) > spec.max_items:
            self.fail(path, f"more than {spec.max_items} entries")
            return
        for key, item in value.items():
            shown = key if _plain(key) else "(a key)"
            before = len(self.problems)
            self._str(spec.key, key, _join(path, shown), what="key")
            if len(self.problems) == before:
                self.check(spec.value, item, _join(path, shown))

    def _str(self, spec: Str, value: Any, path: str, what: str = "value") -> None:
        if not isinstance(value, str):
            self.fail(path, f"{what} must be text")
            return
        if spec.screen:
            reason = personal_data_reason(value, FEATURE_LABELS)
            if reason:
                self.fail(path, f"{what} {reason}: personal data is not accepted")
                return
        if len(value) > spec.max_len:
            self.fail(path, f"{what} longer than {spec.max_len} characters")
        elif spec.choices and value not in spec.choices:
            self.fail(path, f"{what} not one of the allowed values")
        elif spec.pattern and not re.fullmatch(spec.pattern, value):
            self.fail(path, f"{what} has an unexpected form")


def _plain(key: Any) -> bool:
    """True when a key is safe to repeat in an error message (short, ASCII, no digit runs)."""
    return isinstance(key, str) and len(key) <= 40 and key.isascii() and \
        personal_data_reason(key) is None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def validate(report: Any) -> list[Problem]:
    """Every reason `report` breaks the schema; empty when it is acceptable."""
    checker = _Checker()
    checker.check(REPORT, report, "")
    return checker.problems


def fields(spec: Field = REPORT, path: str = "") -> Iterator[tuple[str, Field]]:
    """Every declared field as (dotted path, spec); map entries appear as `path.*`."""
    if isinstance(spec, Obj):
        for key, sub in spec.fields.items():
            yield _join(path, key), sub
            yield from fields(sub, _join(path, key))
    elif isinstance(spec, Map):
        yield from fields(spec.value, _join(path, "*"))
