"""Where on the page: regions, images, signatures near labels (table columns: columns.py)."""
from __future__ import annotations

import re

from dsl.model import Region, Signature

from ..textlayer import UNSURE, Finding, PageLayer, Rect
from .labels import label_hits, label_like, label_rect, value_slot
from .shapes import take
from .text import is_cjk
from .view import PageView

MM = 72 / 25.4
SIGNATURE_REACH = 0.4         # of the page width, right of a signature label
SIGNATURE_BELOW_EM = 3.0
SIGNATURE_CHARS = 6           # a cell right of a label holding more is a note, not a signature
# A date or time after a signature: OCR reads handwriting as a digit or two too ("张98").
DATE_AHEAD = re.compile(r"\d{4}\s*[-/.年]|\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}\s*:\s*\d{2}")
DATE_MARKS = frozenset("-/.:：年月日")
SMALL_IMAGE = 0.25            # of the page area: smaller images are taken whole


def region_rect(region: Region, page: PageLayer) -> Rect:
    """The region in points."""
    if region.unit == "mm":
        return (region.x0 * MM, region.y0 * MM, region.x1 * MM, region.y1 * MM)
    w, h = page.width / 100, page.height / 100
    return (region.x0 * w, region.y0 * h, region.x1 * w, region.y1 * h)


def page_selected(region: Region, number: int, page_count: int | None) -> bool:
    """first/last/every page. An unknown page count counts every page as maybe the last."""
    if region.pages == "first":
        return number == 0
    if region.pages == "last":
        return page_count is None or number == page_count - 1
    return True


def image_findings(view: PageView, rects: list[Rect] | None, category: str, rule: str,
                   sizes: str = "all") -> list[Finding]:
    """Images in the rects: small ones whole, a page-sized scan only where it overlaps.

    `sizes` picks "small" images, "big" ones (scans), or "all".
    """
    out = []
    page_area = max(view.page.width * view.page.height, 1.0)
    for img in view.page.images:
        r = img.rect
        area = max((r[2] - r[0]) * (r[3] - r[1]), 1e-6)
        small = area / page_area < SMALL_IMAGE
        if sizes != "all" and small != (sizes == "small"):
            continue
        if rects is None:
            out.append(Finding(view.page.number, r, category, rule, "", "image"))
            continue
        for s in rects:
            c = _clip(r, s)
            if c is None:
                continue
            whole = small or (c[2] - c[0]) * (c[3] - c[1]) / area >= 0.5
            out.append(Finding(view.page.number, r if whole else c, category, rule, "", "image"))
            if whole:
                break
    return out


def everything(view: PageView, rects: list[Rect] | None, category: str,
               rule: str) -> list[Finding]:
    """All text and images inside the rects (the whole page when None)."""
    areas = rects if rects is not None else [(0.0, 0.0, view.page.width, view.page.height)]
    out: list[Finding] = []
    for r in areas:
        out.extend(view.region_findings(r, category, rule))
    out.extend(image_findings(view, rects, category, rule))
    return out


def signatures(view: PageView, det: Signature, category: str, rule: str,
               allow: frozenset[str], column: list[Rect] | None = None) -> list[Finding]:
    """Short text and images right of or below each label; and any image in a column scope."""
    out: list[Finding] = []
    labels = tuple(det.labels)
    for hit in label_hits(view, labels):
        slot = value_slot(view, hit, labels)
        right, below = _signature_areas(view, hit, labels)
        if slot is not None:
            sr = view.cell_rect(slot.li, view.cell_at(slot.li, slot.start))
            if slot.where == "below" or sr[0] <= right[2]:
                line = view.lines[slot.li]
                spans = take("signature", view.texts[slot.li], slot.start, slot.end,
                             slot.strict) or _unread_from(line, slot.start, slot.end)
                for s, e in spans:
                    e = _strokes_to(line, _unread_to(line, e))
                    out.extend(view.text_findings(slot.li, s, e, category, rule, allow))
        out.extend(image_findings(view, [right, below], category, rule, sizes="small"))
        # A scan holds the handwriting in its pixels: blank the area by the label, but only
        # where no running text stands (a label inside a sentence, or notes below it, stay).
        if slot is None or slot.where != "same" or not slot.strict:
            quiet = [a for a in (right, below) if _quiet(view, a)]
            out.extend(image_findings(view, quiet, category, rule, sizes="big"))
    if column:
        out.extend(image_findings(view, column, category, rule))
    return out


def _unread_from(line, start: int, end: int) -> list[tuple[int, int]]:
    """The word OCR could not read where a signature stands, whatever it read: handwriting
    comes back as digits and odd characters ("5抠2024-02-29"), no name to take."""
    while start < end and line.text[start].isspace():
        start += 1
    first = line.unsure.find(UNSURE, start, end) if line.unsure else -1
    if first < 0 or first - start > 2:   # a stroke or two read apart from the rest ("5")
        return []
    return [(start, _unread_to(line, first + 1))]


# A signature's last strokes OCR read as the first character of the date after it
# ("记录者:出名2023/12/05", 刘静's 静 half read as "2"): up to this many digits or marks that
# touch the signature's text and stand apart from what follows.
STROKE_CHARS = 2
STROKE_GAP_EM = 0.5


def _strokes_to(line, end: int) -> int:
    """The end of a scanned signature's text, over the strokes OCR read into the word after."""
    if line.source != "ocr" or end <= 0:
        return end
    text, boxes = line.text, line.boxes
    em = boxes[end - 1][3] - boxes[end - 1][1]
    stop, i, taken = end, end, 0
    while i < len(text) and taken < STROKE_CHARS:
        if text[i].isspace():
            # A space OCR put where nothing stands apart: the next box starts where the last
            # one ends ("医师签名: _纲~ 2023", the 珍 of 张桂珍 read as the date's 2, seed 33
            # V0005-09).
            if i + 1 < len(text) and boxes[i + 1][0] - boxes[stop - 1][2] < 0.1 * em:
                i += 1
                continue
            break
        if is_cjk(text[i]) or boxes[i][0] - boxes[stop - 1][2] >= 0.1 * em:
            break
        i, taken = i + 1, taken + 1
        stop = i
    if stop == end:
        return end
    after = stop
    while after < len(text) and text[after].isspace():
        after += 1
    apart = after == len(text) or boxes[after][0] - boxes[stop - 1][2] >= STROKE_GAP_EM * em
    return stop if apart else end


def _unread_to(line, end: int) -> int:
    """The end of the word OCR could not read that a signature's text ends inside: the
    handwriting's last strokes were read into the date after it ("主持人签名: 5抠2024-02-29"
    at confidence 0, seed 30 V0005-11), and a box ending at "抠" left them showing."""
    unsure = line.unsure
    if not unsure or end <= 0 or unsure[end - 1] != UNSURE:
        return end
    while end < len(unsure) and unsure[end] == UNSURE and not line.text[end].isspace():
        end += 1
    return end


def _signature_areas(view: PageView, hit, labels: tuple[str, ...]) -> tuple[Rect, Rect]:
    """Right of the label up to the next "字段：" cell, a note after the signature or a date
    (OCR joins "诊断医师: _杀 帝久-2023年5月27日" into one cell): 40% of the width at most. And
    below the label."""
    lr, em = label_rect(view, hit), view.em(hit.li)
    x1 = min(view.page.width, lr[2] + SIGNATURE_REACH * view.page.width)
    t, boxes = view.texts[hit.li], view.lines[hit.li].boxes
    k_label = view.cell_at(hit.li, hit.end - 1)
    for k, (s, e) in enumerate(view.cells(hit.li)):
        r = view.cell_rect(hit.li, k)
        if k == k_label or r[0] <= lr[2] - 0.5 * em or r[0] >= x1:
            continue
        if label_like(t, (s, e), labels) or len("".join(t[s:e].split())) > SIGNATURE_CHARS:
            x1 = r[0] - 0.25 * em
            break
    signed = False      # the signature, or what OCR read of it, was passed
    for i in range(hit.pos, len(t)):
        if boxes[i][0] >= x1:
            break
        if signed and t[i].isdigit() and DATE_AHEAD.match(t, i):
            x1 = boxes[i][0] - 0.25 * em
            break
        # What OCR made of handwriting may hold no letter at all ("诊断医师: ”8，2025-03-09");
        # a date's own digits and marks sign nothing.
        signed = signed or not (t[i].isspace() or t[i].isdigit() or t[i] in DATE_MARKS)
    right = (lr[2], lr[1] - 0.5 * em, x1, lr[3] + 0.5 * em)
    below = (lr[0] - 2 * em, lr[3], lr[2] + 6 * em, lr[3] + SIGNATURE_BELOW_EM * em)
    return right, below


def _quiet(view: PageView, area: Rect, max_chars: int = 6) -> bool:
    """No line holds more than a few letters or digits inside the area."""
    for li, b in enumerate(view.bboxes):
        if b[2] < area[0] or b[0] > area[2] or b[3] < area[1] or b[1] > area[3]:
            continue
        n = 0
        for ch, c in zip(view.lines[li].text, view.lines[li].boxes):
            cx, cy = (c[0] + c[2]) / 2, (c[1] + c[3]) / 2
            # Letters and digits only: OCR reads a signature's strokes as ":“-" as often as not.
            if ch.isalnum() and area[0] <= cx <= area[2] and area[1] <= cy <= area[3]:
                n += 1
        if n > max_chars:
            return False
    return True


def inside_any(rect: Rect, areas: list[Rect]) -> bool:
    """Whether the centre of `rect` lies in one of `areas`."""
    cx, cy = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
    return any(a[0] <= cx <= a[2] and a[1] <= cy <= a[3] for a in areas)


def _clip(r: Rect, s: Rect) -> Rect | None:
    x0, y0, x1, y1 = max(r[0], s[0]), max(r[1], s[1]), min(r[2], s[2]), min(r[3], s[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None
