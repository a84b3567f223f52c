"""A document's properties and notes as lines of text, so the policy's own rules can read them.

An EMR export writes the signing doctor into the PDF's Author field, the patient into its Title
and Keywords, the hospital into its Subject; a sticky note holds its writer's name and often
another's ("请许家豪医师补签"). Scrubbing drops them from the output, but the same
person may stand on a scanned page under a label OCR misread ("送雁区而" for 送检医师, seed 22):
found in the properties, the name is hunted on every page like any value the record revealed.
Each field is written as "label：value" with the label a policy would use for it (a note's
writer is its 作者 too), one line each, on a page of its own far from any real page's geometry.
"""
from __future__ import annotations

import pymupdf

from .textlayer import PageLayer, TextLine

AUTHOR, NOTE = "作者", "批注"
FIELDS = (("author", AUTHOR), ("title", "标题"), ("subject", "主题"), ("keywords", "关键词"))
_CHAR, _LINE = 10.0, 30.0      # points: a character's width, a line's step


def properties_layer(doc: pymupdf.Document,
                     notes: list[tuple[str, str]] = ()) -> PageLayer | None:
    """The document's metadata fields and its notes' (author, text) as a page of text lines;
    None when there are none."""
    meta = doc.metadata or {}
    fields = [(label, meta.get(key)) for key, label in FIELDS]
    fields += [item for author, text in notes for item in ((AUTHOR, author), (NOTE, text))]
    lines = []
    for label, value in fields:
        value = " ".join(str(value or "").split())
        if value:
            text = f"{label}：{value}"
            y = len(lines) * _LINE
            lines.append(TextLine(text, [(i * _CHAR, y, (i + 1) * _CHAR, y + _CHAR)
                                         for i in range(len(text))]))
    if not lines:
        return None
    width = max(len(ln.text) for ln in lines) * _CHAR
    return PageLayer(number=-1, width=width, height=len(lines) * _LINE, lines=lines)
