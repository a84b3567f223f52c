"""A scanned table's vertical rules, found in its pixels: where its columns are and where they stop."""
from __future__ import annotations

import io

import pymupdf
import pytest
from test_scanprep import COLUMNS, ROWS, scanned, table_page

from workers.ruling import ruled_column, vertical_rules, x_at

TOP, BOTTOM = 80, 80 + 24 * len(ROWS)


def scan_pdf(degrees: float) -> pymupdf.Document:
    """The ruled nursing table as a scan put on the glass `degrees` askew, image only."""
    buf = io.BytesIO()
    scanned(table_page(), degrees).save(buf, format="PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=buf.getvalue())
    return doc


@pytest.mark.parametrize("degrees", [0.0, 1.2, -0.8])
def test_each_vertical_rule_is_found_where_it_is_drawn_and_stops_with_the_table(degrees):
    with scan_pdf(degrees) as doc:
        rules = vertical_rules(doc[0], tuple(doc[0].rect))
    middle = (TOP + BOTTOM) / 2
    found = sorted(x_at(r, middle) for r in rules)
    assert len(found) == len(COLUMNS)
    # The scan turned about the page's centre: at mid-table a rule moved by a few points.
    assert found == pytest.approx(COLUMNS, abs=1.5 + 8 * abs(degrees))
    # Each is found whole, from the table's top rule to its bottom one.
    assert all(r[3] - r[1] == pytest.approx(BOTTOM - TOP, abs=3) for r in rules)

def test_a_header_between_two_rules_heads_the_column_down_to_where_they_stop():
    with scan_pdf(0.0) as doc:
        rules = vertical_rules(doc[0], tuple(doc[0].rect))
    head = (424.0, 84.0, 466.0, 97.0)            # "护士签名" in the header row
    area, lean = ruled_column(rules, head, 10.5, 4 * 10.5)
    assert area[0] == pytest.approx(420.5, abs=1.5) and area[2] == pytest.approx(539.5, abs=1.5)
    assert area[3] == pytest.approx(BOTTOM, abs=2) and lean == pytest.approx(0, abs=0.01)
    # The same words in a cell deep in the table head nothing: the rules started far above.
    deep = (180.0, 132.0, 222.0, 145.0)
    assert ruled_column(rules, deep, 10.5, 4 * 10.5) is None


def test_pieces_of_one_rule_are_joined_whole():
    from workers.ruling import _joined
    pieces = [(544.0, 99.0, 543.0, 274.0), (543.2, 270.0, 530.0, 790.0), (487.0, 97.0, 471.0, 788.0)]
    assert sorted(_joined(pieces)) == [(487.0, 97.0, 471.0, 788.0), (544.0, 99.0, 530.0, 790.0)]


def test_a_faint_rule_a_pixel_off_vertical_is_found_whole():
    # Seed 66 V0023-13 (unseen): a nursing sheet's right border, 170-205 on paper 252 at the
    # rules' 100 dpi, stepped between two pixel columns, each lighter than the threshold in
    # turn: the rule seemed to end a row below the header, and the signature column with it.
    from PIL import Image
    grey = Image.new("L", (800, 1100), 252)
    for y in range(100, 1000):
        x = 400 if (y // 10) % 2 else 401
        grey.putpixel((x, y), 185)
        grey.putpixel((801 - x, y), 215)   # the other column of the pair, too light alone
    buf = io.BytesIO()
    grey.save(buf, format="PNG")
    with pymupdf.open() as doc:
        page = doc.new_page(width=800 * 0.72, height=1100 * 0.72)
        page.insert_image(page.rect, stream=buf.getvalue())
        rules = vertical_rules(page, tuple(page.rect))
    assert len(rules) == 1
    top, bottom = rules[0][1], rules[0][3]
    assert top == pytest.approx(100 * 0.72, abs=2) and bottom == pytest.approx(1000 * 0.72, abs=2)
    assert x_at(rules[0], 400) == pytest.approx(400.5 * 0.72, abs=1)
