"""Checks and arithmetic for page regions (bands and boxes in % or mm)."""
from __future__ import annotations

from dataclasses import dataclass

from lark import Token

from dsl.model import Region

# A sheet larger than A0 (841 x 1189 mm) is a typo, not a medical record.
MAX_MM = 1200.0


class RegionError(Exception):
    """A region off the page or empty; carries the token to point at."""

    def __init__(self, message: str, token: Token, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.token, self.hint = message, token, hint


@dataclass(frozen=True)
class Measure:
    """One coordinate as written: value, unit and the number token (for error positions)."""

    value: float
    unit: str
    token: Token


def _fmt(v: float) -> str:
    return f"{v:g}"


def _check_units(measures: list[Measure]) -> str:
    unit = measures[0].unit
    for m in measures:
        if m.unit != unit:
            raise RegionError(f"mixed units in one region: {_fmt(m.value)}{m.unit} after {unit}",
                              m.token, f"write every coordinate of the region in {unit}")
        if m.value < 0 or (unit == "%" and m.value > 100) or (unit == "mm" and m.value > MAX_MM):
            limit = "0% to 100%" if unit == "%" else f"0mm to {MAX_MM:g}mm"
            raise RegionError(f"region outside the page: {_fmt(m.value)}{unit}", m.token,
                              f"coordinates run from {limit}")
    return unit


def _ordered(lo: Measure, hi: Measure, axis: str) -> None:
    if lo.value >= hi.value:
        raise RegionError(
            f"empty region: {axis} runs from {_fmt(lo.value)}{lo.unit} to {_fmt(hi.value)}{hi.unit}",
            lo.token, "the first value must be smaller than the second (measured from the top-left)")


def band(edge: str, measures: list[Measure], pages: str) -> Region:
    """A full-width band; `top A to B` and `bottom A to B` both measure from the top edge."""
    unit = _check_units(measures)
    if len(measures) == 1:
        (m,) = measures
        if m.value <= 0:
            raise RegionError(f"empty region: a {edge} band of {_fmt(m.value)}{unit}", m.token,
                              f"give the band's height, e.g. '{edge} 10%'")
        if edge == "top":
            return Region(0.0, 0.0, 100.0, m.value, unit, pages)
        if unit != "%":
            raise RegionError("a bottom band in mm needs the page height", m.token,
                              "write it in %, or as 'bottom A to B' measured from the top edge")
        return Region(0.0, 100.0 - m.value, 100.0, 100.0, unit, pages)
    lo, hi = measures
    _ordered(lo, hi, "the band")
    if unit == "%" and edge == "bottom" and hi.value <= 50:
        raise RegionError(
            f"'bottom {_fmt(lo.value)}% to {_fmt(hi.value)}%' lies in the top half of the page",
            lo.token, f"bands measure from the top edge: did you mean "
                      f"'bottom {_fmt(100 - hi.value)}% to {_fmt(100 - lo.value)}%'?")
    if unit == "%" and edge == "top" and lo.value >= 50:
        raise RegionError(
            f"'top {_fmt(lo.value)}% to {_fmt(hi.value)}%' lies in the bottom half of the page",
            lo.token, f"write it as 'bottom {_fmt(lo.value)}% to {_fmt(hi.value)}%'")
    return Region(0.0, lo.value, 100.0, hi.value, unit, pages)


def box(measures: list[Measure], pages: str) -> Region:
    """A box from its top-left corner (x0 y0) to its bottom-right corner (x1 y1)."""
    unit = _check_units(measures)
    x0, y0, x1, y1 = measures
    _ordered(x0, x1, "x")
    _ordered(y0, y1, "y")
    return Region(x0.value, y0.value, x1.value, y1.value, unit, pages)
