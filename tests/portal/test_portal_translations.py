"""Chinese is the default language: every interface string must have a Chinese translation."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import portal

PORTAL = Path(portal.__file__).parent
CATALOG = PORTAL / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def test_every_string_in_the_portal_has_a_chinese_translation() -> None:
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(PORTAL), method_map, keywords=keywords)}
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    untranslated = sorted(m for m in found if not (catalog.get(m) and catalog.get(m).string))
    assert not untranslated, (
        "strings without a zh_CN translation (run pybabel extract/update, see portal/babel.cfg): "
        f"{untranslated}"
    )
