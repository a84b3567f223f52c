"""Identifiers with structure: resident ID numbers (GB 11643) and Chinese phone numbers."""
from __future__ import annotations

import re
from datetime import date

from ..textlayer import Finding
from .view import PageView

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

# A digit run (15 characters at least) that may be broken by single spaces or dashes ("110101 19900307 1234"); the ID
# number is then looked for among consecutive groups, so two numbers side by side still split.
# It opens with a character class so the regex engine can skip to digits quickly.
_DIGIT_RUN = re.compile(r"[0-9](?<![0-9]{2})(?=[0-9 -]{13})[0-9]*(?:(?: {1,2}|-)[0-9]+)*[Xx]?(?![0-9])")
_GROUP = re.compile(r"[0-9]+[Xx]?")

_NB = r"(?<![0-9.])"                     # not inside a longer number or after a decimal point
_NE = r"(?![0-9]|\.[0-9])"
# One gap may hold a speck a scan's reading took for a mark ("187.5593 1499", seed 70 V0006-01).
_SPECK = r"[ ]?[.,·][ ]?"
_MOBILE = (r"(?:(?:\(?(?:\+|00)86\)?|86)[ -]?)?"
           rf"(?P<m>1[3-9][0-9](?:(?P<s>[ -]?)[0-9]{{4}}(?P=s)|{_SPECK}[0-9]{{4}}[ -]?"
           rf"|[ -]?[0-9]{{4}}{_SPECK})[0-9]{{4}})")
# Area codes: 010 and 02x take 8 digits; 0[3-9]xx take 7 or 8. An unbroken 10-digit run
# therefore never reads as a landline, which keeps record numbers out.
_LANDLINE = (r"(?P<l>\(?(?:010|02[0-9])\)?[ -]?[0-9]{4}[ -]?[0-9]{4}"
             r"|\(?0[3-9][0-9]{2}\)?[ -]?(?:[0-9]{7,8}|[0-9]{3,4}[ -][0-9]{4}))"
             r"(?:(?:-|转|分机| ?ext\.? ?)[0-9]{1,5})?")
_SERVICE = r"(?P<v>[48]00[ -]?[0-9]{3}[ -]?[0-9]{4})"
PHONE_RE = re.compile(f"{_NB}(?:{_MOBILE}|{_LANDLINE}|{_SERVICE}){_NE}")


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def valid_resident_id(s: str) -> bool:
    """An 18-digit ID with a correct GB 11643 check digit, or a 15-digit one with a real date."""
    s = s.strip()
    if len(s) == 18:
        if not s[:17].isdigit() or not (s[17].isdigit() or s[17] in "Xx"):
            return False
        total = sum(int(c) * w for c, w in zip(s[:17], _WEIGHTS))
        return _CHECK[total % 11] == s[17].upper()
    if len(s) == 15 and s.isdigit():
        return _valid_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    return False


def _plausible_birth(s: str) -> bool:
    year = int(s[6:10])
    return 1900 <= year <= 2100 and _valid_date(year, int(s[10:12]), int(s[12:14]))


def id_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each resident ID in a folded text."""
    out = []
    for run in _DIGIT_RUN.finditer(text):
        if run.end() - run.start() < 15:
            continue
        groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, run.start(), run.end())]
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += text[groups[j][0]:groups[j][1]]
                if len(digits) > 18:
                    break
                if len(digits) == 18 and valid_resident_id(digits):
                    # Split over groups, a check digit alone is weak: ask for a birth date too.
                    if i == j or _plausible_birth(digits):
                        out.append((groups[i][0], groups[j][1], digits.upper()))
                elif len(digits) == 15 and i == j and valid_resident_id(digits):
                    out.append((groups[i][0], groups[j][1], digits))
    return out


def phone_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, national number digits) of each phone number in a folded text."""
    out = []
    for m in PHONE_RE.finditer(text):
        for name in ("m", "l", "v"):
            part = m.group(name)
            if part:
                digits = re.sub(r"\D", "", part)
                break
        out.append((m.start(), m.end(), digits))
    return out


def is_mobile(s: str) -> bool:
    """A mainland mobile number, in any grouping, with or without +86."""
    m = PHONE_RE.fullmatch(s.strip())
    return bool(m and m.group("m"))


def is_phone(s: str) -> bool:
    """A mobile, landline (with area code) or 400/800 number, and nothing else."""
    return PHONE_RE.fullmatch(s.strip()) is not None


def find_ids(view: PageView, category: str, rule: str, allow: frozenset[str]) -> list[Finding]:
    return _stream_findings(view, id_spans(view.stream), category, rule, allow)


def find_phones(view: PageView, category: str, rule: str, allow: frozenset[str]) -> list[Finding]:
    return _stream_findings(view, phone_spans(view.stream), category, rule, allow)


def _stream_findings(view: PageView, spans, category, rule, allow) -> list[Finding]:
    out: list[Finding] = []
    for start, end, value in spans:
        li, s = view.locate(start)   # separators exclude "\n": a span never leaves its line
        out.extend(view.text_findings(li, s, s + end - start, category, rule, allow, value=value))
    return out
