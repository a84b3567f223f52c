"""病程记录, 死亡病例讨论 and the obstetric 分娩记录 / 产程记录."""
from __future__ import annotations

from datetime import timedelta

from .. import vocab
from ..layouts import Field, fields, heading, signature_line, table
from .base import Built, Ctx
from .prose import course_entry, section


def progress(ctx: Ctx) -> Built:
    """病程记录: dated entries, each closed by a doctor's handwritten signature."""
    r = ctx.rng
    title = r.choice(["病程记录", "病 程 记 录", "日常病程记录"])
    sheet = ctx.sheet(title)
    target = r.randint(1, 3)
    day_index = 0
    while sheet.page_count < target or sheet.room() > sheet.height * 0.35:
        d = min(ctx.admitted + timedelta(days=day_index), ctx.discharged)
        head = ctx.when(d, with_time=True)
        kind = "首次病程记录" if day_index == 0 else r.choice(["", "主治医师查房记录", "主任医师查房记录", "日常病程"])
        if not heading(sheet, f"{head}  {kind}".strip(), size=sheet.size):
            break
        if not sheet.para(course_entry(ctx, day_index)):
            break
        signer = ctx.resident if kind != "主任医师查房记录" else ctx.chief
        signature_line(sheet, ctx.house, r.choice(["医师签名", "签名", "记录医师"]), signer.name,
                       right=r.random() < 0.7)
        day_index += r.randint(1, 2)
        if sheet.page_count >= target and sheet.room() < sheet.height * 0.3:
            break
    return Built(title.replace(" ", ""), ctx.admitted, sheet)


def death_discussion(ctx: Ctx) -> Built:
    """死亡病例讨论: meeting minutes with host, attendees and a narrative naming the family."""
    r, p, kin = ctx.rng, ctx.patient, ctx.kin
    day = ctx.discharged + timedelta(days=r.randint(1, 10))
    title = r.choice(["死亡病例讨论记录", "死亡病例讨论", "危重孕产妇死亡病例讨论"
                      if ctx.patient_kind == "mother" else "儿童死亡病例讨论记录"])
    sheet = ctx.sheet(title, [] if r.random() < 0.5 else ctx.band())
    host = ctx.chief
    attendees = ctx.cast.doctors[1:] + r.sample(ctx.cast.nurses, 2)
    att_text = "、".join(f"{s.name}（{s.title}）" if r.random() < 0.7 else f"{s.name}{s.title}" for s in attendees)
    items = [Field("讨论时间", ctx.when(day, True)), Field("讨论地点", f"{ctx.department}示教室"),
             Field("主持人", f"{host.name}{r.choice(['', ' '])}{host.title}"), Field("记录人", ctx.resident.name),
             Field("参加人员", att_text, wide=True)]
    if r.random() < 0.5:
        fields(sheet, ctx.house, items[:4], cols=2)
        sheet.para(f"参加人员：{att_text}", indent=False)
    else:
        for f in items:
            sheet.para(f"{f.key}：{f.value}", indent=False)
    sheet.para(f"患者{'' if r.random() < 0.5 else '姓名'}{p.name}，{p.sex}，{ctx.age()}，住院号{ctx.cast.inpatient_no}。",
               indent=False)
    heading(sheet, "病历摘要")
    rel = {"newborn": "患儿母亲", "child": "患儿母亲"}.get(ctx.patient_kind, f"患者{kin.relation}")
    mother = next((f for f in ctx.cast.family if f.relation == "母亲"), kin)
    sheet.para(f"{rel}{mother.name}于{ctx.when(ctx.admitted)}{r.choice(['携患儿', '陪同患者', ''])}来院，"
               f"诉“{ctx.complaint.format(w='38', d=r.randint(1, 5), h=r.randint(2, 30))}”。"
               f"外院（{ctx.cast.other_hospital}）曾诊断为{ctx.diagnoses[0]}。入院后予"
               f"{'、'.join(d.name for d in r.sample(vocab.DRUGS, 3))}等治疗。")
    sheet.para(f"{ctx.when(ctx.discharged, True)}病情突然加重，{r.choice(vocab.FINDINGS)}，"
               f"值班医师{ctx.resident.name}立即组织抢救，{'、'.join(r.sample(vocab.DEATH_TERMS[:3], 2))}，"
               f"经抢救无效死亡。{kin.name}在场，已告知死亡原因。")
    heading(sheet, "讨论意见")
    speakers = [host] + r.sample(ctx.cast.doctors[1:], min(r.randint(2, 5), len(ctx.cast.doctors) - 1))
    speakers += r.sample(ctx.cast.nurses, r.randint(0, 2))
    for s in speakers:
        view = (f"{r.choice(vocab.DEATH_TERMS)}：考虑{r.choice(ctx.diagnoses)}，"
                f"{r.choice(['病情进展迅速', '存在可避免因素', '转运时机偏晚', '家属对病情认识不足'])}，"
                f"{r.choice(['建议加强产前保健', '需加强危重症早期识别', '建议完善多学科会诊流程'])}。")
        if r.random() < 0.4:
            view += f"另据{kin.relation}{kin.name}反映，{r.choice(['曾延迟就医', '在家观察两天', '外院转运途中病情恶化'])}。"
        if not sheet.para(f"{s.name}{s.title}：{view}", indent=False):
            break
    heading(sheet, "结论")
    sheet.para(f"死亡诊断：{'；'.join(ctx.diagnoses)}。{r.choice(['评审结论：可避免死亡', '评审结论：不可避免死亡', '评审结论：创造条件可避免'])}。")
    signature_line(sheet, ctx.house, "主持人签名", host.name, ctx.when(day))
    signature_line(sheet, ctx.house, "记录人", ctx.resident.name, right=r.random() < 0.5)
    if r.random() < 0.4:
        ctx.put_stamp(sheet)
    return Built(title, day, sheet)


def delivery(ctx: Ctx) -> Built:
    """分娩记录 or 产程记录: labour stages, newborn data, a timed observation table."""
    r, p = ctx.rng, ctx.patient
    day = ctx.day(0, 2)
    title = r.choice(["分娩记录", "产程记录", "阴道分娩记录", "剖宫产手术记录"])
    sheet = ctx.sheet(title)
    items = [Field("姓名", p.name), Field("年龄", ctx.age()), ctx.bed(), ctx.number("住院号"),
             Field("孕产次", f"G{r.randint(1, 5)}P{r.randint(1, 3)}"), Field("孕周", f"{r.randint(30, 41)}+{r.randint(0, 6)}周"),
             Field("丈夫姓名", ctx.kin.name), Field("丈夫电话", ctx.kin.phone)]
    if r.random() < 0.4:
        items.append(Field("丈夫身份证号", ctx.kin.id_number, wide=True))
    fields(sheet, ctx.house, items)
    style = r.choice(["bracket", "colon", "heading"])
    stages = [f"第一产程{r.randint(2, 14)}小时{r.randint(0, 59)}分", f"第二产程{r.randint(10, 120)}分",
              f"第三产程{r.randint(5, 30)}分"]
    section(sheet, ctx, "产程经过", "，".join(stages) + f"。{r.choice(vocab.DELIVERY_TERMS)}，"
            f"{r.choice(vocab.DELIVERY_TERMS)}，产后出血{r.randint(200, 2500)}ml。", style)
    section(sheet, ctx, "新生儿情况", f"{r.choice(['男', '女'])}婴，新生儿体重{r.randint(1200, 4200)}g，"
            f"Apgar评分1分钟{r.randint(3, 10)}分、5分钟{r.randint(5, 10)}分，{r.choice(['羊水清', '羊水Ⅲ度污染'])}。", style)
    section(sheet, ctx, "产时用药", "，".join(f"{d.name}{d.dose}" for d in r.sample(vocab.DRUGS[8:16], 3)) + "。", style)
    heading(sheet, "产程观察")
    rows = []
    t0 = r.randint(0, 20)
    for k in range(r.randint(5, 14)):
        rows.append([f"{(t0 + k) % 24:02d}:{r.choice(['00', '30'])}", f"{r.randint(110, 165)}",
                     f"{r.randint(20, 45)}″/{r.randint(2, 6)}′", f"{min(10, k + r.randint(1, 3))}cm",
                     f"S{r.choice(['-2', '-1', '0', '+1', '+2'])}", r.choice(vocab.FINDINGS[16:26]),
                     ctx.nurse().name if r.random() < 0.7 else ctx.resident.name])
    table(sheet, ctx.house, ["时间", "胎心", "宫缩", "宫口", "先露", "处理及记录", "检查者"], rows,
          [1, 0.8, 1.1, 0.8, 0.8, 3, 1.1])
    signature_line(sheet, ctx.house, "接产者", ctx.nurse().name, ctx.when(day))
    signature_line(sheet, ctx.house, "产科医师", ctx.attending.name, right=r.random() < 0.5)
    return Built(title, day, sheet)
