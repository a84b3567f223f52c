"""What every document builder gets: the visit's people, dates, diagnoses and house style."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pymupdf

from ..layouts import Field, House, make_footer, make_header
from ..people import Cast, Person, Staff
from ..render import Sheet


@dataclass
class Built:
    """A drawn document: its title, date and sheet (not yet saved)."""

    title: str
    day: date
    sheet: Sheet


@dataclass
class Ctx:
    """One visit as the builders see it."""

    rng: random.Random
    cast: Cast
    house: House
    department: str
    patient_kind: str             # mother | newborn | child | adult
    admitted: date
    discharged: date
    died: bool
    diagnoses: list[str]
    complaint: str
    font: pymupdf.Font
    pen: Callable[[str], bytes]
    stamp: Callable[[], bytes]
    extra: dict = field(default_factory=dict)

    # -- people ------------------------------------------------------------------------------
    @property
    def patient(self) -> Person:
        return self.cast.patient

    @property
    def chief(self) -> Staff:
        return self.cast.doctors[0]

    @property
    def attending(self) -> Staff:
        return self.cast.doctors[min(2, len(self.cast.doctors) - 1)]

    @property
    def resident(self) -> Staff:
        return self.cast.doctors[-1]

    def nurse(self) -> Staff:
        return self.rng.choice(self.cast.nurses)

    def doctor(self) -> Staff:
        return self.rng.choice(self.cast.doctors)

    @property
    def kin(self) -> Person:
        """The family member who speaks for the patient."""
        return self.cast.family[0]

    def who(self) -> str:
        """How narrative text refers to the patient: 患者, 患儿, 产妇."""
        return {"newborn": "患儿", "child": "患儿", "mother": self.rng.choice(["患者", "产妇", "孕妇"])}.get(
            self.patient_kind, "患者")

    def age(self, on: date | None = None) -> str:
        on = on or self.admitted
        days = (on - self.patient.birth).days
        if days < 31:
            return f"{days}天"
        if days < 365:
            return f"{days // 30}月"
        return f"{days // 365}岁"

    # -- dates -------------------------------------------------------------------------------
    def day(self, lo: int = 0, hi: int | None = None) -> date:
        """A day of the stay, lo..hi days after admission (clamped to discharge)."""
        span = (self.discharged - self.admitted).days
        hi = span if hi is None else min(hi, span)
        return self.admitted + timedelta(days=self.rng.randint(min(lo, hi), hi))

    def when(self, d: date, with_time: bool = False) -> str:
        style = self.extra.setdefault("date_style", self.rng.choice(["iso", "cn", "slash"]))
        text = {"iso": f"{d:%Y-%m-%d}", "cn": f"{d.year}年{d.month}月{d.day}日",
                "slash": f"{d:%Y/%m/%d}"}[style]
        if with_time:
            text += f" {self.rng.randint(0, 23):02d}:{self.rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50]):02d}"
        return text

    def stamp_time(self, d: date) -> datetime:
        return datetime(d.year, d.month, d.day, self.rng.randint(7, 22), self.rng.randint(0, 59))

    # -- fields ------------------------------------------------------------------------------
    def bed(self) -> Field:
        return Field("床号", self.cast.bed_no, (("床号", self.cast.bed_no),))

    def band(self, numbers: tuple[str, ...] = ("住院号",)) -> list[Field]:
        """The patient band under a page header: name, sex, age, ward, bed and a number."""
        items = [Field("姓名", self.patient.name), Field("性别", self.patient.sex), Field("年龄", self.age()),
                 Field("科室", self.department), self.bed()]
        items += [self.number(n) for n in numbers]
        if self.rng.random() < 0.3:
            items.remove(items[2])
        return items

    def number(self, key: str) -> Field:
        value = {"住院号": self.cast.inpatient_no, "门诊号": self.cast.outpatient_no,
                 "病案号": self.cast.record_no}[key]
        return Field(key, value)

    def identity_fields(self, full: bool = True) -> list[Field]:
        """The identity block of an admission or outpatient record."""
        p, kin = self.patient, self.kin
        items = [Field("姓名", p.name), Field("性别", p.sex), Field("年龄", self.age()),
                 Field("民族", self.rng.choice(["汉族", "汉族", "回族", "壮族"])), Field("科室", self.department),
                 self.bed(), self.number("住院号"), Field("电话", p.phone)]
        if full:
            items += [Field("婚姻", "已婚" if self.patient_kind in ("mother", "adult") else "未婚"),
                      Field("联系人", kin.name), Field("关系", kin.relation), Field("联系人电话", kin.phone),
                      Field("身份证号", p.id_number, wide=True), Field("住址", self.cast.address, wide=True)]
            if self.patient_kind in ("newborn", "child"):
                items.append(Field("监护人身份证号", kin.id_number, wide=True))
            work = p.workplace or kin.workplace
            if work:
                items.append(Field("工作单位", work, wide=True))
            items.append(Field("入院日期", self.when(self.admitted, True)))
            items.append(Field("病史陈述者", self.rng.choice(["患者本人", kin.relation, kin.name])))
        return items

    # -- sheets ------------------------------------------------------------------------------
    def sheet(self, title: str, band: list[Field] | None = None, max_pages: int = 3,
              margins: tuple | None = None) -> Sheet:
        h = self.house
        sheet = Sheet(self.font, size=h.size, margins=margins or h.margins,
                      header=make_header(h, title, self.band() if band is None else band),
                      footer=make_footer(h), max_pages=max_pages)
        sheet.pen = self.pen
        sheet.new_page()
        return sheet

    def put_stamp(self, sheet: Sheet, x: float | None = None, y: float | None = None) -> None:
        """The hospital's red seal, often half over the signature block."""
        x = sheet.x1 - 130 - self.rng.uniform(0, 60) if x is None else x
        y = min(sheet.y - 40 + self.rng.uniform(-20, 20), sheet.y1 - 100) if y is None else y
        sheet.stamp((x, y, x + 100, y + 100), self.stamp(), marks=(("医院名称", self.cast.hospital),))

    def pick(self, items: list, lo: int, hi: int) -> list:
        return self.rng.sample(items, min(len(items), self.rng.randint(lo, hi)))
