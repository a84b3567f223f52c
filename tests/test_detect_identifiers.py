"""Resident ID numbers and phone numbers: what must be found, and what must survive."""
from __future__ import annotations

import pytest
from test_detect_grid import line, page, rule, values

from dsl.model import IdCard, Phone
from workers.detect import is_mobile, is_phone, run_rule, valid_resident_id

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check(body: str) -> str:
    """The 18-digit ID for a 17-digit body, check digit computed here from GB 11643."""
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def wrong_check(body: str) -> str:
    good = with_check(body)[-1]
    return body + ("0" if good != "0" else "1")


GOOD = with_check("11010119900307123")
X_ID = next(with_check(f"4403051985061{n:03d}1") for n in range(200)
            if with_check(f"4403051985061{n:03d}1").endswith("X"))


def ids(text: str) -> list[str]:
    return values(run_rule(rule(IdCard()), page(line(text))))


def phones(text: str) -> list[str]:
    return values(run_rule(rule(Phone()), page(line(text))))


def test_check_digit_is_verified():
    assert valid_resident_id(GOOD)
    assert not valid_resident_id(wrong_check("11010119900307123"))
    assert valid_resident_id(X_ID) and valid_resident_id(X_ID.lower())
    assert not valid_resident_id(GOOD[:17] + "Y")


def test_fifteen_digit_ids_need_a_real_date():
    assert valid_resident_id("110101900307123")
    assert not valid_resident_id("110101901307123")   # month 13
    assert ids("旧证号110101900307123。") == ["110101900307123"]
    assert ids("编号110101901307123") == []


def test_id_found_in_a_line_and_its_box_covers_only_the_number():
    pg = page(line(f"身份证号：{GOOD} 性别女"))
    [f] = run_rule(rule(IdCard(), "患者身份证号"), pg)
    assert f.value == GOOD and f.category == "患者身份证号" and f.kind == "text"
    first, last = pg.lines[0].boxes[5], pg.lines[0].boxes[5 + 17]
    assert f.rect == (first[0], first[1], last[2], last[3])


def test_invalid_check_digit_is_not_an_id():
    assert ids(f"身份证号：{wrong_check('11010119900307123')}") == []


def test_x_check_digit_and_full_width_digits():
    full = X_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert ids(f"证件:{X_ID.lower()}") == [X_ID]
    assert ids(f"证件：{full}") == [X_ID]


def test_ids_with_spaces_inside():
    spaced = f"{GOOD[:6]} {GOOD[6:14]} {GOOD[14:]}"
    assert ids(f"身份证 {spaced} 电话") == [GOOD]
    assert ids(" ".join(GOOD[i:i + 4] for i in range(0, 18, 4))) == [GOOD]


def test_id_inside_a_longer_digit_run_is_not_taken():
    assert ids("条码9" + GOOD) == []
    assert ids(GOOD + "7") == []


def test_id_next_to_a_phone_still_found():
    assert ids(f"13812345678 {GOOD}") == [GOOD]


@pytest.mark.parametrize("text, number", [
    ("电话13812345678", "13812345678"),
    ("手机：138-1234-5678", "13812345678"),
    ("手机 138 1234 5678。", "13812345678"),
    ("+86 13912345678", "13912345678"),
    ("8613912345678", "13912345678"),
    ("（+86）159-0000-1111", "15900001111"),
    ("联系电话：０１０－８８８８６６６６", "01088886666"),
    ("010-88886666转123", "01088886666"),
    ("(020)87654321", "02087654321"),
    ("0755-1234567", "07551234567"),
    ("0571 8765 4321", "057187654321"),
    ("客服 400-820-8820", "4008208820"),
    # A speck in a scan's gap read as a mark (seed 70 V0006-01, unseen).
    ("联系电话 187.5593 1499 王涛", "18755931499"),
    ("187 5593,1499", "18755931499"),
])
def test_phone_forms(text, number):
    assert phones(text) == [number]


@pytest.mark.parametrize("text", [
    "入院日期：2024-03-15 10:30",
    "血钾 12.345 mmol/L，白细胞 13.81234567",
    "住院号 1234567890",            # 10 digits: neither a mobile nor a landline
    "病案号 0412345678",
    "检查时间 08:30-12:00",
    "条码 138123456789",            # 12 digits: not a mobile inside
    "比值 138.1234.56789",          # 5 digits after the last mark: no mobile's grouping
    "流水 213812345678",
    "体重 65.5kg 身高 170cm 血压 120/80mmHg",
])
def test_not_phones(text):
    assert phones(text) == []


def test_phone_helpers():
    assert is_mobile("138 1234 5678") and is_mobile("+8613812345678")
    assert not is_mobile("010-88886666") and is_phone("010-88886666")
    assert not is_phone("2024-03-15") and not is_phone("12345678901")
