"""Narrative sentences: history, course, family talks; names appear without labels."""
from __future__ import annotations

from datetime import timedelta

from .. import vocab
from ..layouts import heading
from ..render import Sheet
from .base import Ctx


def section(sheet: Sheet, ctx: Ctx, name: str, text: str, style: str) -> bool:
    """A titled paragraph in one of three styles: 【主诉】text, 主诉：text, or a heading line."""
    if style == "bracket":
        return sheet.para(f"【{name}】{text}", indent=False)
    if style == "colon":
        return sheet.para(f"{name}：{text}", indent=False)
    return heading(sheet, name, rule=ctx.rng.random() < 0.3) and sheet.para(text)


def complaint(ctx: Ctx) -> str:
    r = ctx.rng
    return ctx.complaint.format(w=ctx.extra.setdefault("weeks", f"{r.randint(28, 40)}+{r.randint(0, 6)}"),
                                d=r.randint(1, 7), h=r.randint(2, 48))


def vitals(ctx: Ctx) -> str:
    r = ctx.rng
    bp = f"{r.randint(95, 175)}/{r.randint(55, 115)}mmHg"
    return (f"T {r.uniform(36.2, 39.4):.1f}℃，P {r.randint(70, 160)}次/分，R {r.randint(16, 60)}次/分，"
            f"BP {bp}，SpO₂ {r.randint(85, 99)}%。")


def present_illness(ctx: Ctx) -> str:
    r, who, kin = ctx.rng, ctx.who(), ctx.kin
    before = ctx.admitted - timedelta(days=r.randint(1, 20))
    dx = ctx.diagnoses[0]
    parts = [(f"{who}于{ctx.when(before)}在{ctx.cast.other_hospital}就诊，"
              f"诊断为“{dx}”，予{r.choice(vocab.DRUGS).name}等治疗，效果欠佳。")]
    if ctx.patient_kind == "mother":
        parts.append(f"孕期于{ctx.cast.other_hospital}定期产检{r.randint(4, 11)}次，"
                     f"{r.choice(['唐氏筛查低风险', 'OGTT提示妊娠期糖尿病', '孕中期B超未见明显异常'])}。")
    parts.append(f"今日由{kin.relation}{kin.name}陪同来我院，门诊拟“{dx}”收入{ctx.department}。")
    parts.append(f"病程中{r.choice(['精神差', '食欲欠佳', '睡眠可', '尿量减少'])}，"
                 f"{r.choice(['无抽搐', '无咯血', '无腹泻', '大小便正常'])}。")
    return "".join(parts)


def family_talk(ctx: Ctx) -> str:
    """A sentence about informing the family, naming them without any label."""
    r, kin = ctx.rng, ctx.kin
    other = ctx.cast.family[-1]
    options = [
        f"已向{ctx.who()}{kin.relation}{kin.name}详细交代病情及预后，其表示理解并签字。",
        f"{kin.name}（{kin.relation}）要求积极治疗，告知相关风险后签署知情同意书。",
        f"与家属{kin.name}、{other.name}沟通，家属同意进一步检查。",
        f"{kin.relation}{kin.name}诉{r.choice(['患儿昨夜哭闹', '患者夜间胸闷', '产妇头痛加重'])}，已告知值班医师。",
    ]
    return r.choice(options)


def course_entry(ctx: Ctx, day_index: int) -> str:
    """One day's progress note: findings, labs, plan, and often the family."""
    r = ctx.rng
    lab = r.choice(vocab.LABS)
    drug = r.choice(vocab.DRUGS)
    finding = r.choice(vocab.FINDINGS)
    text = (f"{ctx.who()}今日{r.choice(['一般情况可', '病情较前加重', '病情平稳', '精神反应稍差'])}，{finding}。"
            f"复查{lab.name}{_value(r, lab)}{lab.unit}。{r.choice(vocab.PROGRESS_TERMS)}：考虑{r.choice(ctx.diagnoses)}，"
            f"继续予{drug.name}{drug.dose} {drug.route} {drug.freq}，{r.choice(vocab.NURSING_LONG)}。")
    if r.random() < 0.55:
        text += family_talk(ctx)
    if r.random() < 0.3:
        text += f"{ctx.attending.name}主治医师查房后指示：{r.choice(vocab.NURSING_TEMP)}，密切观察。"
    return text


def treatment_course(ctx: Ctx, final: bool = True) -> str:
    r = ctx.rng
    drugs = r.sample(vocab.DRUGS, 4)
    labs = r.sample(vocab.LABS, 3)
    text = (f"入院后完善相关检查，{labs[0].name}{_value(r, labs[0])}{labs[0].unit}，"
            f"{labs[1].name}{_value(r, labs[1])}{labs[1].unit}。予{drugs[0].name}、{drugs[1].name}治疗，"
            f"{r.choice(vocab.NURSING_LONG)}。")
    if ctx.patient_kind == "mother":
        text += f"于{ctx.when(ctx.day(0, 2))}行{r.choice(['剖宫产术', '阴道分娩'])}，{r.choice(vocab.DELIVERY_TERMS)}。"
    text += f"期间{r.choice(vocab.FINDINGS)}，加用{drugs[2].name}，复查{labs[2].name}较前{r.choice(['好转', '升高', '下降'])}。"
    if not final:
        return text.replace("入院后完善相关检查，", f"{ctx.when(ctx.day(1))}复查：")
    if ctx.died:
        text += (f"于{ctx.when(ctx.discharged)}病情突然恶化，{r.choice(vocab.FINDINGS)}，立即予"
                 f"{r.choice(['气管插管', '胸外按压', '心肺复苏'])}及肾上腺素抢救，经抢救无效，宣告临床死亡。")
    else:
        text += f"经治疗后病情好转，{r.choice(vocab.FINDINGS)}，准予出院。"
    return text


def _value(r, lab: vocab.Lab) -> str:
    span = lab.high - lab.low
    v = r.uniform(lab.low - span * 0.4, lab.high + span * 0.8)
    if lab.low >= 0:
        v = max(v, lab.low * 0.5)
    return f"{v:.{lab.decimals}f}"


lab_value = _value
