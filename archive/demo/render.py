"""Drawing born-digital pages: embedded CJK text, lines, images, wrapping, and what went where."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pymupdf

A4 = (595.0, 842.0)
BLACK = (0.0, 0.0, 0.0)
INK = (0.05, 0.08, 0.3)
GRAY = (0.45, 0.45, 0.45)
LIGHT = (0.92, 0.92, 0.92)
RED = (0.8, 0.1, 0.1)

Mark = tuple[str, str]          # (category, value) placed with a string or image
_UNBREAKABLE = re.compile(r"[A-Za-z0-9.%/+\-×⁹¹²μ]+")
_NO_LINE_START = set("，。、；：）》”％%")
_ADVANCES: dict[str, float] = {}       # advance width at 1 pt of each character of the CJK font


@dataclass
class PageRecord:
    """What one page holds: every string drawn (and where: `spans`), every identifier placed
    explicitly, and where each handwritten signature was drawn (OCR cannot read it: the
    evaluation looks at its pixels)."""

    strings: list[str] = field(default_factory=list)
    spans: list[tuple[float, float, float, str]] = field(default_factory=list)  # x, baseline, size, s
    marks: list[tuple[str, str, str]] = field(default_factory=list)   # (category, value, where)
    # Identifiers placed explicitly in a span (a bed number): (index in spans, category, value).
    marked: list[tuple[int, str, str]] = field(default_factory=list)
    signatures: list[tuple[float, float, float, float]] = field(default_factory=list)  # rects, pt
    stamps: list[tuple[float, float, float, float]] = field(default_factory=list)      # rects, pt


def load_font() -> pymupdf.Font:
    """The embedded CJK font (Droid Sans Fallback), shipped inside PyMuPDF."""
    return pymupdf.Font("cjk")


class Sheet:
    """A document being drawn page by page, with a cursor `y` and the page's margins."""

    def __init__(self, font: pymupdf.Font, *, size: float = 10.5,
                 margins: tuple[float, float, float, float] = (56, 60, 56, 60),
                 header: Callable[[Sheet], None] | None = None,
                 footer: Callable[[Sheet, int, int], None] | None = None,
                 max_pages: int = 3) -> None:
        self.doc = pymupdf.open()
        self.font, self.size = font, size
        self.left, self.top, self.right, self.bottom = margins
        self.header, self.footer, self.max_pages = header, footer, max_pages
        self.records: list[PageRecord] = []
        self.page: pymupdf.Page | None = None
        self._writers: dict[tuple, pymupdf.TextWriter] = {}
        self._shape: pymupdf.Shape | None = None
        self.y = self.top
        self._index = -1
        self.pen: Callable[[str], bytes] | None = None      # name -> signature PNG
        self.keep: tuple[str, ...] = ()                     # strings wrapping never breaks

    # -- geometry --------------------------------------------------------------------------
    @property
    def width(self) -> float:
        return A4[0]

    @property
    def height(self) -> float:
        return A4[1]

    @property
    def x1(self) -> float:
        return A4[0] - self.right

    @property
    def y1(self) -> float:
        return A4[1] - self.bottom

    @property
    def content_width(self) -> float:
        return self.x1 - self.left

    @property
    def page_count(self) -> int:
        return len(self.records)

    def room(self) -> float:
        return self.y1 - self.y

    def text_width(self, s: str, size: float | None = None) -> float:
        """Width in points; glyph advances are cached because wrapping asks per character."""
        size = size or self.size
        return sum(self._advance(c) for c in s) * size

    def _advance(self, ch: str) -> float:
        adv = _ADVANCES.get(ch)
        if adv is None:
            adv = _ADVANCES[ch] = self.font.text_length(ch, fontsize=1.0)
        return adv

    # -- pages -----------------------------------------------------------------------------
    def new_page(self) -> None:
        self._flush()
        self.page = self.doc.new_page(width=A4[0], height=A4[1])
        self.records.append(PageRecord())
        self._index = len(self.records) - 1
        self._shape = self.page.new_shape()
        self.y = self.top
        if self.header:
            self.header(self)

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits; False when the page limit forbids it."""
        if self.page is not None and self.y + height <= self.y1:
            return True
        return self.break_page()

    def break_page(self) -> bool:
        """Start a new page; False when the page limit forbids it."""
        if self.page_count >= self.max_pages:
            return False
        self.new_page()
        return True

    def _flush(self) -> None:
        if self.page is None:
            return
        self._shape.commit()
        for (color, opacity), tw in self._writers.items():
            tw.write_text(self.page, color=color, opacity=opacity)
        self._writers = {}
        self._shape = self.page.new_shape()

    def finish(self) -> pymupdf.Document:
        """Draw footers (they need the page total), flush, and hand back the document."""
        self._flush()
        if self.footer:
            total = self.page_count
            for i in range(total):
                self.page = self.doc[i]
                self._shape = self.page.new_shape()
                self._index = i
                self.footer(self, i, total)
                self._flush()
        return self.doc

    # -- drawing ---------------------------------------------------------------------------
    def text(self, x: float, y: float, s: str, size: float | None = None,
             color: tuple = BLACK, marks: tuple[Mark, ...] = (), opacity: float = 1.0) -> float:
        """Draw `s` with its baseline at y; returns its width."""
        if not s:
            return 0.0
        size = size or self.size
        tw = self._writers.get((color, opacity))
        if tw is None:
            tw = self._writers[(color, opacity)] = pymupdf.TextWriter(self.page.rect)
        tw.append((x, y), s, font=self.font, fontsize=size)
        rec = self.records[self._index]
        rec.strings.append(s)
        rec.spans.append((x, y, size, s))
        rec.marks.extend((c, v, "text") for c, v in marks)
        rec.marked.extend((len(rec.spans) - 1, c, v) for c, v in marks)
        return self.text_width(s, size)

    def centered(self, y: float, s: str, size: float | None = None, color: tuple = BLACK,
                 x0: float | None = None, x1: float | None = None) -> None:
        x0 = self.left if x0 is None else x0
        x1 = self.x1 if x1 is None else x1
        self.text((x0 + x1 - self.text_width(s, size)) / 2, y, s, size, color)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.6,
             color: tuple = BLACK, dashes: str | None = None) -> None:
        self._shape.draw_line((x0, y0), (x1, y1))
        self._shape.finish(color=color, width=width, dashes=dashes)

    def rect(self, r: tuple, color: tuple | None = BLACK, fill: tuple | None = None,
             width: float = 0.6) -> None:
        self._shape.draw_rect(pymupdf.Rect(r))
        self._shape.finish(color=color, fill=fill, width=width)

    def polyline(self, points: list[tuple[float, float]], color: tuple, width: float = 0.8) -> None:
        self._shape.draw_polyline(points)
        self._shape.finish(color=color, width=width, closePath=False)

    def image(self, r: tuple, png: bytes, marks: tuple[Mark, ...] = (), where: str = "image") -> None:
        self.page.insert_image(pymupdf.Rect(r), stream=png)
        self.records[self._index].marks.extend((c, v, where) for c, v in marks)

    def stamp(self, r: tuple, png: bytes, marks: tuple[Mark, ...] = ()) -> None:
        """A seal: an image whose ink a person reads (the hospital's name round its rim)."""
        self.image(r, png, marks=marks)
        self.records[self._index].stamps.append(tuple(r))

    def signature(self, x: float, y_base: float, name: str, height: float = 22) -> float:
        """A handwritten signature of `name` whose bottom sits near the baseline y; returns width."""
        if self.pen is None:
            return self.text(x, y_base, name, marks=())
        png = self.pen(name)
        w_px, h_px = _png_size(png)
        w = height * w_px / h_px
        rect = (x, y_base - height * 0.8, x + w, y_base + height * 0.2)
        self.image(rect, png, marks=(("医护人员", name),), where="signature")
        self.records[self._index].signatures.append(rect)
        return w

    # -- flowing text ----------------------------------------------------------------------
    def wrap(self, s: str, width: float, size: float | None = None,
             keep: tuple[str, ...] = ()) -> list[str]:
        """Break `s` into lines no wider than `width`, never inside a `keep` string or a number."""
        size = size or self.size
        glue = set()                                # indices a line may not start at
        for m in _UNBREAKABLE.finditer(s):
            glue.update(range(m.start() + 1, m.end()))
        for k in (*self.keep, *keep):
            at = s.find(k) if k else -1
            while at >= 0:
                glue.update(range(at + 1, at + len(k)))
                at = s.find(k, at + 1)
        glue.update(i for i, c in enumerate(s) if c in _NO_LINE_START)
        lines, start, used = [], 0, 0.0
        for i, ch in enumerate(s):
            w = self._advance(ch) * size
            if used + w > width and i > start:
                cut = i
                while cut > start + 1 and cut in glue:
                    cut -= 1
                lines.append(s[start:cut])
                start = cut
                used = self.text_width(s[start:i], size)
            used += w
        lines.append(s[start:])
        return [ln for ln in lines if ln]

    def para(self, s: str, *, x: float | None = None, width: float | None = None,
             size: float | None = None, indent: bool = True, keep: tuple[str, ...] = (),
             leading: float = 1.65, color: tuple = BLACK, marks: tuple[Mark, ...] = ()) -> bool:
        """A wrapped paragraph at the cursor; False when it ran out of pages."""
        size = size or self.size
        x = self.left if x is None else x
        width = (self.x1 - x) if width is None else width
        pad = size * 2 if indent else 0
        lines = self.wrap(s, width - pad, size, keep)
        step = size * leading
        for i, ln in enumerate(lines):
            if not self.ensure(step):
                return False
            self.y += step
            self.text(x + (pad if i == 0 else 0), self.y - size * 0.35, ln, size, color,
                      marks=tuple(m for m in marks if m[1] in ln))
        return True


def _png_size(png: bytes) -> tuple[int, int]:
    # PNG IHDR: width and height are big-endian at bytes 16..24.
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
