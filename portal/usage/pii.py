"""Screens for text that looks like personal data: ID numbers, phones, emails, Chinese names.

Used on every key and string value of a usage report, on both sides (the reporter refuses to
send such a report; the collector refuses to store it). No Flask here.
"""
from __future__ import annotations

import re

# 18-digit resident ID (last may be X) or the old 15-digit one, not inside a longer digit run.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")
# Mainland mobile (optionally +86), or a landline with area code.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Any run of 7+ digits: record, admission and bed numbers are digit runs too.
_LONG_DIGITS = re.compile(r"\d{7,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")

# The most common single surnames (together about 85% of people) and common compound ones.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳"
)
COMPOUND_SURNAMES = frozenset(
    ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐",
     "宇文", "司徒", "夏侯", "西门", "南宫"]
)


def looks_like_name(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """True when a run of 2-4 Chinese characters reads as surname + given name.

    `allowed` lists known words (feature labels) that start with a surname character by chance.
    """
    for run in _CJK_RUN.findall(text):
        if run in allowed or not 2 <= len(run) <= 4:
            continue
        if run[:2] in COMPOUND_SURNAMES and len(run) >= 3:
            return True
        if run[0] in SURNAMES:
            return True
    return False


def personal_data_reason(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """Why `text` looks like personal data (a short phrase), or None when it does not."""
    if _ID_NUMBER.search(text):
        return "looks like an ID number"
    if _PHONE.search(text):
        return "looks like a phone number"
    if _EMAIL.search(text):
        return "looks like an email address"
    if _LONG_DIGITS.search(text):
        return "holds a long number (record, admission or bed numbers are not allowed)"
    if looks_like_name(text, allowed):
        return "looks like a person's name"
    return None
