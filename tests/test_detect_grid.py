"""Builds PageLayers by hand: characters laid out on a grid, as extraction would give them."""
from __future__ import annotations

from dsl.model import Rule
from workers.textlayer import ImageBox, PageLayer, TextLine

SIZE = 10.0
A4 = (595.0, 842.0)


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def line(*segments, y: float = 100.0, size: float = SIZE, x: float = 50.0) -> TextLine:
    """One text line. Segments are strings laid end to end, or (x, text) pairs placed at x.

    CJK and full-width characters are `size` wide, others half; no space is inserted between
    placed segments, so a table gap is a gap in the boxes only (as PyMuPDF gives it).
    """
    text, boxes = [], []
    for seg in segments:
        if isinstance(seg, tuple):
            x, seg = seg
        for ch in seg:
            w = size if _wide(ch) else size / 2
            text.append(ch)
            boxes.append((x, y, x + w, y + size))
            x += w
    return TextLine("".join(text), boxes)


def rows(*texts: str, y: float = 100.0, pitch: float = 16.0, x: float = 50.0) -> list[TextLine]:
    """Plain lines of running text, one under the other."""
    return [line(t, y=y + i * pitch, x=x) for i, t in enumerate(texts)]


def page(*lines: TextLine, images: tuple = (), number: int = 0,
         size: tuple[float, float] = A4) -> PageLayer:
    flat: list[TextLine] = []
    for item in lines:
        flat.extend(item if isinstance(item, list) else [item])
    return PageLayer(number, size[0], size[1], flat,
                     [ImageBox(r) if not isinstance(r, ImageBox) else r for r in images])


def rule(detector, category: str = "cat", scope=None, rid: str = "t:1") -> Rule:
    return Rule(rid, detector, category, None, scope)


def values(findings) -> list[str]:
    return [f.value for f in findings]


def covered_text(pg: PageLayer, findings) -> str:
    """The characters whose box centre lies under any text/region finding, in page order."""
    out = []
    for ln in pg.lines:
        for ch, b in zip(ln.text, ln.boxes):
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            if not ch.isspace() and any(f.rect[0] <= cx <= f.rect[2] and f.rect[1] <= cy <= f.rect[3]
                                        for f in findings):
                out.append(ch)
    return "".join(out)
