"""Page furniture shared by all document kinds: house styles, labels, field blocks, tables."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from .render import BLACK, GRAY, LIGHT, Mark, Sheet

# Each canonical field has several labels used by real hospitals.
LABELS: dict[str, list[str]] = {
    "姓名": ["姓名", "姓名", "患者姓名", "病人姓名", "姓 名"],
    "性别": ["性别", "性 别"], "年龄": ["年龄", "年 龄"], "科室": ["科室", "科别", "病区", "科 室"],
    "床号": ["床号", "床 号", "床位号"], "住院号": ["住院号", "住院号", "住 院 号", "住院号码"],
    "门诊号": ["门诊号", "就诊卡号", "门诊ID"], "病案号": ["病案号", "病历号", "病案号"],
    "身份证号": ["身份证号", "身份证号码", "公民身份号码", "证件号码"],
    "电话": ["联系电话", "电话", "手机", "联系方式"], "住址": ["住址", "现住址", "家庭住址", "户籍地址"],
    "工作单位": ["工作单位", "单位", "工作单位"], "入院日期": ["入院日期", "入院时间", "入院日期"],
    "出院日期": ["出院日期", "出院时间"], "联系人": ["联系人", "家属", "监护人", "联系人姓名"],
    "联系人电话": ["联系人电话", "家属电话", "监护人电话"], "关系": ["关系", "与患者关系"],
    "婚姻": ["婚姻", "婚姻状况"], "职业": ["职业"], "民族": ["民族"], "病史陈述者": ["病史陈述者", "供史者"],
}


@dataclass
class House:
    """One hospital's way of laying out its paper: kept for all documents of a visit."""

    hospital: str
    colon: str
    size: float
    margins: tuple[float, float, float, float]
    header: str          # "center" | "band" | "left" | "rule"
    footer: str          # "none" | "page" | "hospital" | "dash"
    title_size: float
    field_style: str     # preferred field layout; documents may pick another
    rng: random.Random = field(repr=False, default_factory=random.Random)

    def label(self, key: str, colon: bool = True) -> str:
        """A label for `key` in this house's words and colon style (sometimes a different one)."""
        text = self.rng.choice(LABELS.get(key, [key]))
        if not colon:
            return text
        mark = self.colon if self.rng.random() < 0.85 else self.rng.choice(["：", ":", ""])
        return text + mark


def make_house(rng: random.Random, hospital: str) -> House:
    """A house style drawn at random: colons, fonts, margins, header and footer kinds."""
    m = rng.choice([40, 48, 56, 64])
    return House(hospital=hospital, colon=rng.choice(["：", "：", ":", "", " "]),
                 size=rng.choice([9, 9.5, 10, 10.5, 11, 12]),
                 margins=(m, rng.choice([40, 50, 60]), m + rng.choice([-6, 0, 6]), rng.choice([44, 54, 64])),
                 header=rng.choice(["center", "band", "left", "rule"]),
                 footer=rng.choice(["none", "page", "hospital", "dash"]),
                 title_size=rng.choice([14, 15, 16, 18]),
                 field_style=rng.choice(["inline", "grid", "header_row", "stacked", "underline"]),
                 rng=rng)


@dataclass(frozen=True)
class Field:
    """A labelled value; `wide` fields (address, workplace, ID) get a whole row."""

    key: str
    value: str
    marks: tuple[Mark, ...] = ()
    wide: bool = False


@dataclass(frozen=True)
class Sig:
    """A table cell holding a handwritten signature."""

    name: str


@dataclass(frozen=True)
class Cell:
    """A table cell whose text carries identifiers placed explicitly (e.g. a bed number)."""

    text: str
    marks: tuple[Mark, ...] = ()


def fit_size(sheet: Sheet, s: str, width: float, size: float) -> float:
    """The largest font size <= size at which `s` fits in `width` (never below 6 pt)."""
    while size > 6 and sheet.text_width(s, size) > width:
        size -= 0.5
    return size


# -- header and footer -------------------------------------------------------------------------
def make_header(house: House, title: str, band: list[Field]):
    """A header callback: hospital name, document title and a patient band on every page."""
    def draw(sheet: Sheet) -> None:
        first = sheet.page_count == 1
        y, ts = sheet.top, house.title_size
        if house.header == "band":
            sheet.rect((0, 0, sheet.width, y + ts + 4), color=None, fill=(0.86, 0.9, 0.95))
        if house.header == "left":
            sheet.text(sheet.left, y + ts * 0.2, house.hospital, ts - 2)
            sheet.text(sheet.x1 - sheet.text_width(title, ts), y + ts * 0.2, title, ts)
            y += ts * 0.7
        else:
            sheet.centered(y + ts * 0.2, house.hospital, ts if first else ts - 3)
            y += ts * 1.2
            sheet.centered(y + ts * 0.3, title, ts - 1 if first else ts - 4)
            y += ts * 0.7
        y += 6
        if house.header == "rule":
            sheet.line(sheet.left, y, sheet.x1, y, 1.2)
            sheet.line(sheet.left, y + 2, sheet.x1, y + 2, 0.4)
        labels = [house.label(f.key) for f in band]
        size = sheet.size - 0.5
        while True:
            need = sum(sheet.text_width(lb, size) + sheet.text_width(f.value, size) + 2
                       for lb, f in zip(labels, band))
            if need + 8 * len(band) <= sheet.content_width or size <= 6.5:
                break
            size -= 0.5
        x = sheet.left
        gap = (sheet.content_width - need) / max(1, len(band) - 1) if len(band) > 1 else 0
        y += size * 1.6
        for lbl, f in zip(labels, band):
            w = sheet.text(x, y, lbl, size) + 2
            sheet.text(x + w, y, f.value, size, marks=f.marks)
            x += w + sheet.text_width(f.value, size) + gap
        y += size * 0.6
        sheet.line(sheet.left, y, sheet.x1, y, 0.8)
        sheet.y = y + 6
    return draw


def make_footer(house: House):
    """A footer callback with the page number and maybe the hospital name; None for 'none'."""
    if house.footer == "none":
        return None

    def draw(sheet: Sheet, index: int, total: int) -> None:
        y = sheet.height - sheet.bottom / 2
        size = sheet.size - 1.5
        if house.footer == "dash":
            sheet.centered(y, f"- {index + 1} -", size)
            return
        label = f"第 {index + 1} 页 共 {total} 页" if house.footer == "page" else f"第{index + 1}页/共{total}页"
        if house.footer == "hospital":
            sheet.line(sheet.left, y - size * 1.3, sheet.x1, y - size * 1.3, 0.4, GRAY)
            sheet.text(sheet.left, y, house.hospital, size, GRAY)
            sheet.text(sheet.x1 - sheet.text_width(label, size), y, label, size, GRAY)
        else:
            sheet.centered(y, label, size)
    return draw


# -- labelled fields ---------------------------------------------------------------------------
def fields(sheet: Sheet, house: House, items: list[Field], style: str | None = None,
           cols: int | None = None) -> None:
    """Draw labelled values in one of several layouts real forms use."""
    rng = house.rng
    style = style or (house.field_style if rng.random() < 0.7 else
                      rng.choice(["inline", "grid", "header_row", "stacked", "underline"]))
    cols = cols or rng.choice([2, 3, 3, 4])
    short = [f for f in items if not f.wide]
    wide = [f for f in items if f.wide]
    if style == "header_row":
        for i in range(0, len(short), cols + 2):
            chunk = short[i:i + cols + 2]
            table(sheet, house, [house.label(f.key, colon=False) for f in chunk],
                  [[Cell(f.value, f.marks) for f in chunk]], header_fill=rng.random() < 0.5)
        _rows(sheet, house, [[f] for f in wide], "grid" if rng.random() < 0.5 else "inline")
        return
    rows = [short[i:i + cols] for i in range(0, len(short), cols)] + [[f] for f in wide]
    _rows(sheet, house, rows, style)


def _rows(sheet: Sheet, house: House, rows: list[list[Field]], style: str) -> None:
    size = sheet.size
    grid = style == "grid"
    h = size * (2.0 if grid else 1.8) + (size * 0.9 if style == "stacked" else 0)
    cols = max((len(r) for r in rows), default=1)
    for row in rows:
        if not row or not sheet.ensure(h):
            continue
        cw = sheet.content_width / (cols if len(row) > 1 or cols == 1 else 1)
        top = sheet.y
        for j, f in enumerate(row):
            x = sheet.left + j * cw
            lbl = house.label(f.key, colon=style not in ("grid", "stacked"))
            if style == "stacked":
                sheet.text(x + 2, top + size, lbl, size - 2, GRAY)
                vs = fit_size(sheet, f.value, cw - 6, size)
                sheet.text(x + 2, top + size * 2.3, f.value, vs, marks=f.marks)
                continue
            lw = max(sheet.text_width(lbl, size) + 6, size * 4.5 if grid else 0)
            base = top + h * 0.68
            if grid:
                sheet.rect((x, top, x + lw, top + h), BLACK, LIGHT if house.header == "band" else None, 0.5)
                sheet.rect((x + lw, top, x + cw, top + h), BLACK, None, 0.5)
            sheet.text(x + (3 if grid else 0), base, lbl, size)
            room = cw - lw - 8
            vs = fit_size(sheet, f.value, room, size)
            sheet.text(x + lw + (1 if grid else -3), base, f.value, vs, marks=f.marks)
            if style == "underline":
                sheet.line(x + lw - 4, base + 2.5, x + cw - 8, base + 2.5, 0.4)
        sheet.y = top + h


# -- tables ------------------------------------------------------------------------------------
def table(sheet: Sheet, house: House, headers: list[str], rows: list[list], widths: list[float] | None = None,
          *, header_fill: bool = True, size: float | None = None, grid: bool = True,
          wrap_cols: tuple[int, ...] = ()) -> int:
    """A ruled table that repeats its header on each new page; returns how many rows fit."""
    size = size or sheet.size - 0.5
    n = len(headers)
    total = sheet.content_width
    widths = widths or [1.0] * n
    scale = total / sum(widths)
    ws = [w * scale for w in widths]
    xs = [sheet.left + sum(ws[:i]) for i in range(n + 1)]
    pad, line_h = 3.0, size * 1.35
    head_h = size * 2.0

    def head() -> None:
        top = sheet.y
        for i, hdr in enumerate(headers):
            if grid:
                sheet.rect((xs[i], top, xs[i + 1], top + head_h), BLACK, LIGHT if header_fill else None, 0.5)
            hs = fit_size(sheet, hdr, ws[i] - 2 * pad, size)
            sheet.text((xs[i] + xs[i + 1] - sheet.text_width(hdr, hs)) / 2, top + head_h * 0.66, hdr, hs)
        if not grid:
            sheet.line(xs[0], top + head_h, xs[-1], top + head_h, 0.8)
        sheet.y = top + head_h

    if not sheet.ensure(head_h + line_h * 2):
        return 0
    head()
    for count, row in enumerate(rows):
        cells = []
        for i, c in enumerate(row):
            if isinstance(c, str) and i in wrap_cols:
                cells.append(sheet.wrap(c, ws[i] - 2 * pad, size))
            else:
                cells.append(c)
        lines = max(len(c) if isinstance(c, list) else 1 for c in cells)
        has_sig = any(isinstance(c, Sig) for c in cells)
        h = max(line_h * lines + size * 0.8, 24.0 if has_sig else 0)
        if sheet.y + h > sheet.y1:
            if not sheet.break_page():
                return count
            head()
        top = sheet.y
        for i, c in enumerate(cells):
            if grid:
                sheet.rect((xs[i], top, xs[i + 1], top + h), BLACK, None, 0.4)
            x = xs[i] + pad
            if isinstance(c, Sig):
                sheet.signature(x, top + h * 0.72, c.name, height=min(20.0, h - 2))
            elif isinstance(c, list):
                for k, ln in enumerate(c):
                    sheet.text(x, top + size * 1.15 + k * line_h, ln, size)
            else:
                text, marks = (c.text, c.marks) if isinstance(c, Cell) else (str(c), ())
                cs = fit_size(sheet, text, ws[i] - 2 * pad, size)
                sheet.text(x, top + h / 2 + cs * 0.35, text, cs, marks=marks)
        if not grid:
            sheet.line(xs[0], top + h, xs[-1], top + h, 0.3, GRAY)
        sheet.y = top + h
    return len(rows)


def heading(sheet: Sheet, text: str, size: float | None = None, rule: bool = False) -> bool:
    """A section heading on its own line; False when out of pages."""
    size = size or sheet.size + 1
    if not sheet.ensure(size * 2.6):
        return False
    sheet.y += size * 1.9
    sheet.text(sheet.left, sheet.y - size * 0.3, text, size)
    if rule:
        sheet.line(sheet.left, sheet.y + 2, sheet.x1, sheet.y + 2, 0.4, GRAY)
    sheet.y += 3
    return True


def signature_line(sheet: Sheet, house: House, label: str, name: str, date_text: str = "",
                   right: bool = True) -> None:
    """'医师签名：<handwriting>  2025-03-01' at the end of an entry, right-aligned or left."""
    size = sheet.size
    if not sheet.ensure(size * 3):
        return
    sheet.y += size * 2.2
    base = sheet.y - size * 0.3
    lbl = label + (house.colon if house.colon.strip() else "：")
    x = sheet.x1 - 200 if right else sheet.left + sheet.content_width * 0.35
    x += sheet.text(x, base, lbl, size) + 4
    x += sheet.signature(x, base + 2, name) + 8
    if date_text:
        sheet.text(x, base, date_text, size - 0.5)
