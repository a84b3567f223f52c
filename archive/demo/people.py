"""Synthetic identities for one visit: patient, family, staff, hospitals, numbers (Faker zh_CN)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

# GB 11643-1999: weights of the first 17 digits and the check character for (sum mod 11).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Real-looking administrative division codes (province, city, district) with their names.
_AREAS = [
    ("330106", "浙江省", "杭州市", "西湖区", "0571"), ("330205", "浙江省", "宁波市", "江北区", "0574"),
    ("320102", "江苏省", "南京市", "玄武区", "025"), ("320506", "江苏省", "苏州市", "吴中区", "0512"),
    ("440305", "广东省", "深圳市", "南山区", "0755"), ("440104", "广东省", "广州市", "越秀区", "020"),
    ("510107", "四川省", "成都市", "武侯区", "028"), ("420106", "湖北省", "武汉市", "武昌区", "027"),
    ("430104", "湖南省", "长沙市", "岳麓区", "0731"), ("370202", "山东省", "青岛市", "市南区", "0532"),
    ("410105", "河南省", "郑州市", "金水区", "0371"), ("350203", "福建省", "厦门市", "思明区", "0592"),
    ("130102", "河北省", "石家庄市", "长安区", "0311"), ("610113", "陕西省", "西安市", "雁塔区", "029"),
    ("340104", "安徽省", "合肥市", "蜀山区", "0551"), ("360102", "江西省", "南昌市", "东湖区", "0791"),
    ("530102", "云南省", "昆明市", "五华区", "0871"), ("450103", "广西壮族自治区", "南宁市", "青秀区", "0771"),
]
_EXTRA_GIVEN = "子涵梓萱浩宇欣怡俊杰雨桐嘉怡宇轩思远佳琪诗涵一诺明哲若曦晨阳可馨文博家豪雅婷"
_HOSPITAL_KINDS = ["妇幼保健院", "人民医院", "第一人民医院", "第二人民医院", "中心医院",
                   "妇女儿童医院", "儿童医院", "中医院", "妇产科医院", "第三人民医院"]
_COUNTIES = ["临安", "富阳", "桐庐", "建德", "余姚", "慈溪", "溧水", "昆山", "常熟", "龙岗",
             "番禺", "双流", "郫都", "黄陂", "浏阳", "即墨", "新郑", "同安", "正定", "长丰"]
_WORK_KINDS = ["市第三中学", "区人民政府", "纺织厂", "供电公司", "实验小学", "物流有限公司",
               "农商银行", "建筑工程有限公司", "食品有限公司", "区卫生健康局", "街道办事处"]
_DOCTOR_TITLES = ["主任医师", "副主任医师", "主治医师", "住院医师"]
_NURSE_TITLES = ["护士长", "主管护师", "护师", "护士"]


@dataclass(frozen=True)
class Person:
    """Someone named in the record; `relation` is empty for the patient."""

    name: str
    sex: str                      # "男" / "女"
    birth: date
    id_number: str
    phone: str
    relation: str = ""
    workplace: str = ""


@dataclass(frozen=True)
class Staff:
    """A doctor or nurse with a professional title (titles are not PHI)."""

    name: str
    title: str
    nurse: bool = False


@dataclass
class Cast:
    """Everyone and every number one visit's documents may show."""

    patient: Person
    family: list[Person]
    doctors: list[Staff]
    nurses: list[Staff]
    hospital: str
    other_hospital: str
    address: str
    hospital_phone: str
    inpatient_no: str
    outpatient_no: str
    record_no: str
    bed_no: str
    area_code: str
    extra: dict[str, str] = field(default_factory=dict)

    def staff(self) -> list[Staff]:
        return self.doctors + self.nurses


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def is_valid_resident_id(value: str) -> bool:
    """True for an 18-character ID with a correct check digit, or a 15-digit old-style ID,
    either with a real birth date."""
    if len(value) == 15 and value.isdigit():
        birth = "19" + value[6:12]
    elif len(value) == 18 and value[:17].isdigit() and value[17].upper() == id_check_digit(value[:17]):
        birth = value[6:14]
    else:
        return False
    try:
        date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return False
    return True


def resident_id(rng: random.Random, area: str, birth: date, sex: str, old: bool = False) -> str:
    """A resident ID number: 18 digits with check digit, or the 15-digit form (old=True)."""
    seq = rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
    if old:
        return f"{area}{birth:%y%m%d}{seq:03d}"
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def mobile(rng: random.Random) -> str:
    """A mobile number in one of the forms people write: plain, dashed or spaced."""
    digits = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    style = rng.random()
    if style < 0.6:
        return digits
    sep = "-" if style < 0.85 else " "
    return f"{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}"


def landline(rng: random.Random, city_code: str) -> str:
    """A landline with area code, as '0571-88123456' or '(0571)88123456'."""
    local = f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
    return f"({city_code}){local}" if rng.random() < 0.3 else f"{city_code}-{local}"


class NameSource:
    """Chinese names, never repeated within one visit, none a part of another."""

    def __init__(self, faker: Faker, rng: random.Random) -> None:
        self.faker, self.rng, self.used = faker, rng, set[str]()

    def _fresh(self, name: str) -> bool:
        return all(name not in u and u not in name for u in self.used)

    def name(self, sex: str, surname: str | None = None) -> str:
        for _ in range(50):
            last = surname or self.faker.last_name()
            if self.rng.random() < 0.35:
                i = self.rng.randrange(0, len(_EXTRA_GIVEN) - 1, 2)
                given = _EXTRA_GIVEN[i:i + 2]
            elif sex == "女":
                given = self.faker.first_name_female()
            else:
                given = self.faker.first_name_male()
            if self._fresh(last + given):
                self.used.add(last + given)
                return last + given
        raise RuntimeError("could not find an unused name")

    def add(self, name: str) -> None:
        self.used.add(name)


def _birth(rng: random.Random, ref: date, min_years: float, max_years: float) -> date:
    days = rng.randint(int(min_years * 365.25), int(max_years * 365.25))
    return ref - timedelta(days=days)


def _address(rng: random.Random, faker: Faker, area: tuple) -> str:
    _, prov, city, district, _ = area
    street = faker.street_name()
    if rng.random() < 0.5:
        return f"{prov}{city}{district}{street}{rng.randint(1, 399)}号{rng.randint(1, 30)}幢{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    village = faker.city_name() + rng.choice(["村", "社区", "新村"])
    return f"{city}{district}{village}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"


def _workplace(rng: random.Random, faker: Faker, area: tuple) -> str:
    if rng.random() < 0.5:
        return faker.company()
    return area[2].rstrip("市") + rng.choice(_WORK_KINDS)


def make_cast(rng: random.Random, faker: Faker, patient_kind: str, admitted: date) -> Cast:
    """People and numbers for one visit; patient_kind is 'mother', 'newborn', 'child' or 'adult'."""
    area = rng.choice(_AREAS)
    names = NameSource(faker, rng)

    def person(sex: str, lo: float, hi: float, relation: str = "", surname: str | None = None,
               work: bool = True) -> Person:
        birth = _birth(rng, admitted, lo, hi)
        old = birth.year < 1985 and rng.random() < 0.4   # some old 15-digit IDs still in files
        return Person(names.name(sex, surname), sex, birth,
                      resident_id(rng, area[0], birth, sex, old=old),
                      mobile(rng) if rng.random() < 0.85 else landline(rng, area[4]),
                      relation, _workplace(rng, faker, area) if work else "")

    family: list[Person] = []
    if patient_kind == "mother":
        patient = person("女", 19, 43)
        family.append(person("男", 22, 48, "丈夫"))
        if rng.random() < 0.5:
            family.append(person("女", 45, 70, "母亲", work=False))
    elif patient_kind in ("newborn", "child"):
        father = person("男", 22, 45, "父亲")
        mother = person("女", 20, 42, "母亲")
        sex = rng.choice("男女")
        if patient_kind == "newborn":
            birth = admitted - timedelta(days=rng.randint(0, 20))
            # Newborns are often filed as "<mother>之子/之女" before they have a name.
            name = mother.name + ("之子" if sex == "男" else "之女") if rng.random() < 0.5 \
                else names.name(sex, father.name[0])
        else:
            birth = _birth(rng, admitted, 1, 14)
            name = names.name(sex, father.name[0])
        names.add(name)
        patient = Person(name, sex, birth, resident_id(rng, area[0], birth, sex),
                         father.phone if rng.random() < 0.5 else mother.phone)
        family = [mother, father] if rng.random() < 0.6 else [father, mother]
    else:
        sex = rng.choice("男女")
        patient = person(sex, 25, 85)
        family.append(person("女" if sex == "男" else "男", 25, 85, "配偶"))
        if rng.random() < 0.6:
            family.append(person(rng.choice("男女"), 20, 50, rng.choice(["儿子", "女儿"])))
    doctors = [Staff(names.name(rng.choice("男女")), t) for t in _DOCTOR_TITLES[: rng.randint(3, 4)]]
    doctors += [Staff(names.name(rng.choice("男女")), rng.choice(_DOCTOR_TITLES[1:]))
                for _ in range(rng.randint(1, 3))]
    nurses = [Staff(names.name("女" if rng.random() < 0.9 else "男"), rng.choice(_NURSE_TITLES), True)
              for _ in range(rng.randint(3, 5))]
    city = area[2].rstrip("市")
    hospital = city + "市" + rng.choice(_HOSPITAL_KINDS)
    other = rng.choice(_COUNTIES) + rng.choice(["县", "区", "市"]) + rng.choice(["人民医院", "妇幼保健院", "中医院"])
    if rng.random() < 0.3:
        other = rng.choice(_COUNTIES) + "镇卫生院"
    year = admitted.year
    return Cast(
        patient=patient, family=family, doctors=doctors, nurses=nurses,
        hospital=hospital, other_hospital=other,
        address=_address(rng, faker, area),
        hospital_phone=landline(rng, area[4]),
        inpatient_no=rng.choice([f"{year}{rng.randrange(10**5):05d}", f"ZY{rng.randrange(10**7):07d}",
                                 f"{rng.randrange(10**7, 10**8)}"]),
        outpatient_no=rng.choice([f"MZ{year % 100}{rng.randrange(10**6):06d}", f"{rng.randrange(10**9, 10**10)}"]),
        record_no=f"{rng.randrange(10**5, 10**7):0{rng.choice([6, 7])}d}",
        bed_no=rng.choice([str(rng.randint(1, 48)), f"+{rng.randint(1, 6)}", f"{rng.randint(1, 30):02d}"]),
        area_code=area[4],
    )
