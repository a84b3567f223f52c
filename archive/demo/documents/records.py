"""入院记录, 出院记录 (or 死亡记录) and 门诊病历."""
from __future__ import annotations

from datetime import timedelta

from .. import vocab
from ..layouts import Field, fields, heading, signature_line, table
from .base import Built, Ctx
from .prose import (
    complaint,
    family_talk,
    lab_value,
    present_illness,
    section,
    treatment_course,
    vitals,
)


def _numbered(items: list[str]) -> str:
    return " ".join(f"{i + 1}.{t}" for i, t in enumerate(items))


def admission(ctx: Ctx) -> Built:
    """入院记录: identity block, history, examination, first diagnoses, two signatures."""
    r, p = ctx.rng, ctx.patient
    title = r.choice(["入院记录", "入 院 记 录", "住院病历"])
    band = ctx.band() if r.random() < 0.6 else [Field("姓名", p.name), ctx.number("住院号")]
    sheet = ctx.sheet(title, band)
    fields(sheet, ctx.house, ctx.identity_fields(full=True))
    style = r.choice(["bracket", "colon", "heading"])
    section(sheet, ctx, "主诉", complaint(ctx), style)
    section(sheet, ctx, "现病史", present_illness(ctx), style)
    section(sheet, ctx, "既往史", r.choice(["既往体健，否认高血压、糖尿病病史，否认药物过敏史。",
                                            "有青霉素过敏史，否认手术外伤史。", "否认肝炎、结核等传染病史。"]), style)
    if ctx.patient_kind == "mother":
        section(sheet, ctx, "婚育史", f"G{r.randint(1, 5)}P{r.randint(0, 2)}，末次月经"
                f"{ctx.when(ctx.admitted - timedelta(days=r.randint(200, 280)))}，配偶{ctx.kin.name}体健。", style)
    elif ctx.patient_kind in ("newborn", "child"):
        mother = next(f for f in ctx.cast.family if f.relation == "母亲")
        section(sheet, ctx, "出生史", f"G{r.randint(1, 3)}P{r.randint(1, 3)}，胎龄{r.randint(28, 41)}周，"
                f"出生体重{r.randint(900, 4200)}g，母亲{mother.name}孕期{r.choice(vocab.DIAGNOSES['产科'])}。", style)
    section(sheet, ctx, "家族史", r.choice(["否认家族遗传病史。", "父母体健，否认近亲结婚。"]), style)
    section(sheet, ctx, "体格检查", vitals(ctx) + "，".join(ctx.pick(vocab.FINDINGS, 3, 6)) + "。", style)
    section(sheet, ctx, "辅助检查", "；".join(f"{e}：{r.choice(vocab.EXAMS[e])}"
                                            for e in r.sample(sorted(vocab.EXAMS), 2)) + "。", style)
    if r.random() < 0.5:      # admission labs listed in full make the record run to a second page
        labs = r.sample(vocab.LABS, r.randint(6, 16))
        sheet.para("入院检验：" + "，".join(f"{x.name}{lab_value(r, x)}{x.unit}" for x in labs) + "。",
                   indent=style == "heading")
        sheet.para(family_talk(ctx), indent=style == "heading")
    if ctx.patient_kind == "mother":
        section(sheet, ctx, "专科检查", "，".join(r.sample(vocab.FINDINGS[14:24], 4)) + "。", style)
    heading(sheet, r.choice(["初步诊断", "入院诊断"]) + ("：" if style != "heading" else ""))
    sheet.para(_numbered(ctx.diagnoses), indent=style == "heading")
    if r.random() < 0.7:
        plan = ctx.pick(vocab.NURSING_LONG, 1, 3) + ctx.pick(vocab.NURSING_TEMP, 2, 6)
        section(sheet, ctx, "诊疗计划", "；".join(f"{i + 1}.{t}" for i, t in enumerate(plan)) + "。", style)
    signature_line(sheet, ctx.house, r.choice(["医师签名", "住院医师", "记录者"]), ctx.resident.name,
                   ctx.when(ctx.admitted))
    if r.random() < 0.7:
        signature_line(sheet, ctx.house, r.choice(["上级医师", "主治医师签名", "审核医师"]), ctx.attending.name)
    return Built(title.replace(" ", ""), ctx.admitted, sheet)


def discharge(ctx: Ctx) -> Built:
    """出院记录, or 死亡记录 when the patient died: stay summary, course and advice."""
    r, p = ctx.rng, ctx.patient
    title = ("死亡记录" if ctx.died else r.choice(["出院记录", "出院小结"]))
    sheet = ctx.sheet(title, [] if r.random() < 0.4 else ctx.band())
    days = (ctx.discharged - ctx.admitted).days or 1
    items = [Field("姓名", p.name), Field("性别", p.sex), Field("年龄", ctx.age()), Field("科室", ctx.department),
             ctx.bed(), ctx.number("住院号"), Field("入院日期", ctx.when(ctx.admitted)),
             Field("死亡时间" if ctx.died else "出院日期", ctx.when(ctx.discharged, ctx.died)),
             Field("住院天数", f"{days}天")]
    if r.random() < 0.5:
        items.append(Field("住址", ctx.cast.address, wide=True))
    fields(sheet, ctx.house, items)
    style = r.choice(["bracket", "colon", "heading"])
    section(sheet, ctx, "入院情况", complaint(ctx) + "。" + vitals(ctx), style)
    section(sheet, ctx, "入院诊断", _numbered(ctx.diagnoses[:2]), style)
    section(sheet, ctx, "诊疗经过", treatment_course(ctx, final=False), style)
    for _ in range(r.randint(0, 3)):         # long stays have long courses
        sheet.para(treatment_course(ctx, final=False))
    sheet.para(treatment_course(ctx))
    if ctx.died:
        section(sheet, ctx, "死亡原因", f"{r.choice(ctx.diagnoses)}，{r.choice(['多器官功能衰竭', '呼吸循环衰竭'])}", style)
        section(sheet, ctx, "死亡诊断", _numbered(ctx.diagnoses), style)
    else:
        section(sheet, ctx, "出院诊断", _numbered(ctx.diagnoses), style)
        section(sheet, ctx, "出院情况", "，".join(ctx.pick(vocab.FINDINGS, 2, 3)) + "。", style)
        drugs = ctx.pick(vocab.DRUGS, 2, 4)
        section(sheet, ctx, "出院医嘱", "；".join(f"{d.name} {d.dose} {d.route} {d.freq}" for d in drugs)
                + f"。{r.randint(1, 2)}周后门诊复查，不适随诊。", style)
    signature_line(sheet, ctx.house, "医师签名", ctx.resident.name, ctx.when(ctx.discharged))
    if r.random() < 0.6:
        signature_line(sheet, ctx.house, "上级医师签名", ctx.chief.name)
    if r.random() < 0.5:
        ctx.put_stamp(sheet)
    return Built(title, ctx.discharged, sheet)


def outpatient(ctx: Ctx) -> Built:
    """门诊病历: short identity block, brief history, diagnosis, prescription, signature."""
    r, p = ctx.rng, ctx.patient
    seen = ctx.admitted - timedelta(days=r.choice([0, 0, 1, 2, 5]))
    title = r.choice(["门诊病历", "门诊病历记录", "急诊病历"])
    band = [ctx.number("门诊号"), Field("就诊日期", ctx.when(seen))]
    sheet = ctx.sheet(title, band, max_pages=2)
    items = [Field("姓名", p.name), Field("性别", p.sex), Field("年龄", ctx.age(seen)), Field("科室", ctx.department),
             Field("电话", p.phone), Field("身份证号", p.id_number, wide=True)]
    if r.random() < 0.6:
        items.append(Field("住址", ctx.cast.address, wide=True))
    if ctx.patient_kind in ("newborn", "child"):
        items.append(Field("联系人", ctx.kin.name))
    fields(sheet, ctx.house, items)
    style = r.choice(["bracket", "colon"])
    section(sheet, ctx, "主诉", complaint(ctx), style)
    section(sheet, ctx, "现病史", present_illness(ctx), style)
    section(sheet, ctx, "查体", vitals(ctx) + "，".join(ctx.pick(vocab.FINDINGS, 2, 4)) + "。", style)
    section(sheet, ctx, "诊断", _numbered(ctx.diagnoses[:2]), style)
    drugs = ctx.pick(vocab.DRUGS, 2, 4)
    if r.random() < 0.5:
        heading(sheet, "处理")
        table(sheet, ctx.house, ["药品", "剂量", "用法", "频次"],
              [[d.name, d.dose, d.route, d.freq] for d in drugs], [3, 1.2, 1.2, 1])
        sheet.para(f"建议收入{ctx.department}住院治疗。")
    else:
        section(sheet, ctx, "处理", "；".join(f"{d.name} {d.dose} {d.route}" for d in drugs) + "。收住院。", style)
    signature_line(sheet, ctx.house, r.choice(["医师", "接诊医师", "医师签名"]), ctx.doctor().name, ctx.when(seen))
    return Built(title, seen, sheet)
