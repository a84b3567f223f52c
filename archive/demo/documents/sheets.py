"""Tabular documents: 医嘱单, 护理记录, 检验报告, 检查报告."""
from __future__ import annotations

from .. import vocab
from ..layouts import Cell, Field, Sig, fields, signature_line, table
from ..render import GRAY
from .base import Built, Ctx
from .prose import lab_value, section


def orders(ctx: Ctx, standing: bool | None = None) -> Built:
    """长期/临时医嘱单: one row per order with doctor's and nurse's signatures in their columns."""
    r = ctx.rng
    standing = r.random() < 0.5 if standing is None else standing
    title = "长期医嘱单" if standing else "临时医嘱单"
    sheet = ctx.sheet(title)
    rows = []
    d = ctx.admitted
    texts = ([*r.sample(vocab.NURSING_LONG, 4)] if standing else [*r.sample(vocab.NURSING_TEMP, 5)])
    texts += [f"{x.name} {x.dose} {x.route} {x.freq}" for x in r.sample(vocab.DRUGS, r.randint(4, 34))]
    r.shuffle(texts)
    doctor, nurse = ctx.resident, ctx.nurse()
    for i, t in enumerate(texts):
        if r.random() < 0.25:
            d = ctx.day((d - ctx.admitted).days, (d - ctx.admitted).days + 2)
            doctor, nurse = ctx.doctor(), ctx.nurse()
        time = f"{r.randint(7, 22):02d}:{r.randint(0, 59):02d}"
        row = [ctx.when(d)[-5:] if r.random() < 0.5 else ctx.when(d), time, t, Sig(doctor.name), Sig(nurse.name)]
        if standing:
            row += ["" if r.random() < 0.6 else ctx.when(ctx.day((d - ctx.admitted).days)), ""]
        rows.append(row)
    headers = ["日期", "时间", "医嘱内容", "医师签名", "护士签名"]
    widths = [1.3, 0.8, 4.2, 1.4, 1.4]
    if standing:
        headers += ["停止日期", "停止医师"]
        widths += [1.2, 1.0]
    table(sheet, ctx.house, headers, rows, widths, wrap_cols=(2,), header_fill=r.random() < 0.6)
    return Built(title, ctx.admitted, sheet)


def nursing(ctx: Ctx) -> Built:
    """护理记录: vital signs and observations per time, nurse signature in the last column."""
    r = ctx.rng
    title = r.choice(["护理记录单", "一般护理记录单", "危重患者护理记录单", "产科护理记录单"])
    sheet = ctx.sheet(title)
    span = (ctx.discharged - ctx.admitted).days
    stamps = sorted(ctx.stamp_time(ctx.day(0, min(span, 4))) for _ in range(r.randint(8, 60)))
    rows = []
    for t in stamps:
        note = "，".join(r.sample(vocab.NURSING_OBS, 2)) + "，" + r.choice(vocab.NURSING_ACTIONS)
        if r.random() < 0.12:
            note += f"，{ctx.kin.relation}{ctx.kin.name}陪护"
        rows.append([ctx.when(t.date())[-5:], f"{t:%H:%M}",
                     f"{r.uniform(36, 39.5):.1f}", str(r.randint(70, 170)), str(r.randint(16, 60)),
                     f"{r.randint(90, 170)}/{r.randint(50, 110)}", str(r.randint(85, 100)), note,
                     Sig(ctx.nurse().name) if r.random() < 0.85 else ctx.nurse().name])
    table(sheet, ctx.house, ["日期", "时间", "体温℃", "脉搏", "呼吸", "血压mmHg", "SpO₂%", "病情观察及护理措施", "护士签名"],
          rows, [0.9, 0.8, 0.8, 0.7, 0.7, 1.2, 0.8, 4.0, 1.4], size=sheet.size - 1.5, wrap_cols=(7,))
    if r.random() < 0.3:
        signature_line(sheet, ctx.house, "护士长", next(n.name for n in ctx.cast.nurses))
    return Built(title, ctx.admitted, sheet)


def lab(ctx: Ctx) -> Built:
    """检验报告: a panel of results with reference ranges, specimen number, tester and checker."""
    r, p = ctx.rng, ctx.patient
    panel = r.choice(sorted(vocab.LAB_PANELS))
    day = ctx.day()
    title = r.choice([f"{panel}检验报告单", "检验报告单", "临床检验报告"])
    sheet = ctx.sheet(title, [] if r.random() < 0.6 else ctx.band(("病案号",)))
    specimen_no = f"{day:%y%m%d}{r.randint(1, 9999):04d}"
    items = [Field("姓名", p.name), Field("性别", p.sex), Field("年龄", ctx.age()), Field("科室", ctx.department),
             ctx.bed(), ctx.number(r.choice(["住院号", "病案号"])), Field("标本类型", vocab.SPECIMENS[panel]),
             Field("标本号", specimen_no), Field("送检医师", ctx.doctor().name), Field("临床诊断", ctx.diagnoses[0])]
    fields(sheet, ctx.house, items, cols=r.choice([3, 4]))
    labs = {x.name: x for x in vocab.LABS}
    rows = []
    for name in vocab.LAB_PANELS[panel]:
        x = labs[name]
        v = lab_value(r, x)
        flag = "↑" if float(v) > x.high else ("↓" if float(v) < x.low else "")
        rows.append([name, v, flag, x.unit, f"{x.low:.{x.decimals}f}-{x.high:.{x.decimals}f}"])
    if len(rows) > 8 and r.random() < 0.5:
        # Two result columns side by side, as many analysers print them.
        half = (len(rows) + 1) // 2
        left, right = rows[:half], rows[half:] + [[""] * 5]
        rows = [a[:3] + [a[4]] + b[:3] + [b[4]] for a, b in zip(left, right)]
        table(sheet, ctx.house, ["项目", "结果", "", "参考范围"] * 2, rows, [2.2, 1, 0.3, 1.5] * 2,
              grid=r.random() < 0.5)
    else:
        table(sheet, ctx.house, ["检验项目", "结果", "提示", "单位", "参考区间"], rows, [3, 1.3, 0.6, 1.3, 2],
              grid=r.random() < 0.5)
    sheet.y += 8
    y = sheet.y + sheet.size * 1.5
    sheet.text(sheet.left, y, f"采集时间：{ctx.when(day, True)}   报告时间：{ctx.when(day, True)}", sheet.size - 1, GRAY)
    sheet.y = y
    tester, checker = r.sample(ctx.cast.doctors, 2)
    signature_line(sheet, ctx.house, "检验者", tester.name, right=False)
    if r.random() < 0.6:
        signature_line(sheet, ctx.house, "审核者", checker.name)
    else:
        sheet.para(f"审核者：{checker.name}", indent=False)
    sheet.para("本报告仅对所检标本负责。", size=sheet.size - 2, indent=False, color=GRAY)
    if r.random() < 0.4:
        ctx.put_stamp(sheet)
    return Built(title, day, sheet)


def exam(ctx: Ctx) -> Built:
    """检查报告 (ultrasound, X-ray, CT): findings and impression, reported and checked by doctors."""
    r, p = ctx.rng, ctx.patient
    kind = r.choice(sorted(vocab.EXAMS))
    day = ctx.day()
    title = f"{kind}检查报告单" if r.random() < 0.6 else f"{kind}报告"
    sheet = ctx.sheet(title, [] if r.random() < 0.5 else ctx.band())
    items = [Field("姓名", p.name), Field("性别", p.sex), Field("年龄", ctx.age()), Field("科室", ctx.department),
             ctx.bed(), ctx.number("住院号"), Field("检查号", f"{kind[:1]}{r.randint(10**6, 10**7)}"),
             Field("检查日期", ctx.when(day))]
    fields(sheet, ctx.house, items)
    style = r.choice(["bracket", "colon", "heading"])
    seen = ctx.pick(vocab.EXAMS[kind], 3, len(vocab.EXAMS[kind]))
    section(sheet, ctx, "检查所见", "，".join(seen) + "。", style)
    section(sheet, ctx, "检查提示", f"{r.choice(ctx.diagnoses)}？" + r.choice(seen) + "，请结合临床。", style)
    if r.random() < 0.5:
        table(sheet, ctx.house, ["测量项目", "数值"], [[Cell(s)] + [str(r.randint(2, 90))] for s in
                                                     r.sample(["右室内径", "左室内径", "室间隔厚度", "羊水深度", "肝右叶斜径"], 3)],
              [3, 1])
    signature_line(sheet, ctx.house, "报告医师", ctx.doctor().name, ctx.when(day))
    if r.random() < 0.5:
        signature_line(sheet, ctx.house, "审核医师", ctx.chief.name)
    return Built(title, day, sheet)
