"""Which document type a document is: archive metadata first, then its title text."""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from dsl.model import DocumentType, MetaEquals, Policy, TitleMatches

from .textlayer import PageLayer

# The title of a medical document sits in the top third of its first page; below that, body text
# ("入院记录" quoted in a progress note) would misclassify.
TITLE_BAND = 0.35


def title_text(first_page: PageLayer) -> str:
    """Text of the first page's top band, lines joined in reading order, spaces removed."""
    limit = first_page.height * TITLE_BAND
    boxed = [(ln.bbox, ln) for ln in first_page.lines if ln.boxes]   # each line's box once
    lines = [(box, ln) for box, ln in boxed if box[1] < limit]
    lines.sort(key=lambda item: (round(item[0][1]), item[0][0]))
    return "\n".join(re.sub(r"\s+", "", ln.text) for _box, ln in lines)


@lru_cache(maxsize=256)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def by_metadata(policy: Policy, meta: Mapping[str, str]) -> DocumentType | None:
    for doc_type in policy.documents:
        for cond in doc_type.when:
            if isinstance(cond, MetaEquals) and str(meta.get(cond.field, "")) == cond.value:
                return doc_type
    return None


def by_title(policy: Policy, title: str) -> DocumentType | None:
    """The type whose title pattern matches first in the text: the title stands above the
    fields ("护理记录单" above "病区：产科"), which may name another type's words. On a tie (two
    patterns matching at the same place), the type declared first."""
    best: tuple[int, int] | None = None
    for n, doc_type in enumerate(policy.documents):
        for cond in doc_type.when:
            if isinstance(cond, TitleMatches):
                found = _compiled(cond.regex).search(title)
                if found and (best is None or found.start() < best[0]):
                    best = (found.start(), n)
    return None if best is None else policy.documents[best[1]]
