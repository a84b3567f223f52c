"""Drawn charts: 胎心监护 (CTG trace) and 心电图 (ECG grid and waveforms)."""
from __future__ import annotations

import math
import random

from .. import vocab
from ..layouts import Field, fields, signature_line
from ..render import BLACK, Sheet
from .base import Built, Ctx

_PINK = (0.95, 0.6, 0.6)
_PALE = (0.99, 0.85, 0.85)
_GREEN = (0.55, 0.8, 0.6)


def _panel(sheet: Sheet, x0: float, y0: float, x1: float, y1: float, lo: int, hi: int, step: int,
           major: int, minutes: int, color: tuple) -> None:
    """A chart panel with horizontal value lines, one vertical line per minute, and axis labels."""
    sheet.rect((x0, y0, x1, y1), color, None, 0.8)
    for v in range(lo, hi + 1, step):
        y = y1 - (v - lo) / (hi - lo) * (y1 - y0)
        sheet.line(x0, y, x1, y, 0.6 if v % major == 0 else 0.25, color)
        if v % major == 0:
            sheet.text(x0 - 16, y + 2.5, str(v), 6.5, color)
    for m in range(minutes + 1):
        x = x0 + m / minutes * (x1 - x0)
        sheet.line(x, y0, x, y1, 0.6 if m % 5 == 0 else 0.25, color)


def _fhr_trace(r: random.Random, n: int, base: int) -> list[float]:
    vals, v, accel = [], float(base), 0
    for i in range(n):
        v += r.gauss(0, 1.6) + (base - v) * 0.08
        if accel == 0 and r.random() < 0.01:
            accel = 40
        bump = 18 * math.sin(math.pi * (40 - accel) / 40) if accel else 0
        accel = max(0, accel - 1)
        vals.append(v + bump)
    return vals


def ctg(ctx: Ctx) -> Built:
    """胎心监护: header fields, FHR and contraction traces on a printed grid, interpretation."""
    r, p = ctx.rng, ctx.patient
    day = ctx.day(0, 2)
    title = r.choice(["胎心监护报告", "胎儿电子监护记录", "NST胎心监护"])
    sheet = ctx.sheet(title, [] if r.random() < 0.5 else ctx.band(), max_pages=2)
    fields(sheet, ctx.house, [Field("姓名", p.name), Field("年龄", ctx.age()), ctx.number("住院号"), ctx.bed(),
                              Field("孕周", f"{r.randint(30, 41)}+{r.randint(0, 6)}周"),
                              Field("监护日期", ctx.when(day, True)), Field("监护时长", "20分钟")], cols=4)
    base = r.randint(120, 155)
    for page in range(r.randint(1, 2)):
        if page and not sheet.break_page():
            break
        x0, x1 = sheet.left + 20, sheet.x1
        y0 = sheet.y + 14
        fy1 = y0 + min(260, sheet.room() * 0.55)
        _panel(sheet, x0, y0, x1, fy1, 50, 210, 10, 30, 20, _PINK)
        uy0, uy1 = fy1 + 22, fy1 + 22 + (fy1 - y0) * 0.45
        _panel(sheet, x0, uy0, x1, uy1, 0, 100, 20, 20, 20, _GREEN)
        sheet.text(x0, y0 - 3, "FHR bpm", 7)
        sheet.text(x0, uy0 - 3, "宫缩压力 UC", 7)
        n = 480
        fhr = _fhr_trace(r, n, base)
        pts = [(x0 + i / (n - 1) * (x1 - x0), fy1 - (v - 50) / 160 * (fy1 - y0)) for i, v in enumerate(fhr)]
        sheet.polyline(pts, BLACK, 0.7)
        period, phase = r.uniform(2.5, 5) * 24, r.uniform(0, 100)
        uc = [8 + 55 * max(0.0, math.sin(2 * math.pi * (i + phase) / period)) ** 3 + r.gauss(0, 1.2) for i in range(n)]
        pts = [(x0 + i / (n - 1) * (x1 - x0), uy1 - max(0.0, v) / 100 * (uy1 - uy0)) for i, v in enumerate(uc)]
        sheet.polyline(pts, BLACK, 0.6)
        for k in range(r.randint(2, 6)):      # fetal movement marks
            xm = x0 + r.uniform(0.05, 0.95) * (x1 - x0)
            sheet.text(xm, fy1 + 14, "▲", 6)
        sheet.y = uy1 + 8
    terms = [f"基线率{base}bpm", f"变异{r.choice(['6-25bpm', '<5bpm', '中度'])}",
             f"加速{r.randint(0, 4)}次", r.choice(["无减速", "早期减速", "晚期减速", "变异减速"])]
    sheet.para("结果：" + "，".join(terms) + f"。结论：{r.choice(vocab.CTG_TERMS[6:8] + vocab.CTG_TERMS[11:])}。"
               f"{r.choice(['胎动', '宫缩压力'])}记录良好。", indent=False)
    signature_line(sheet, ctx.house, r.choice(["判读医师", "监护者", "报告医师"]), ctx.doctor().name, ctx.when(day))
    return Built(title, day, sheet)


def _beat(t: float) -> float:
    """One heartbeat's voltage at t (0..1 of the RR interval): P, QRS and T as Gaussians."""
    g = lambda c, w, a: a * math.exp(-((t - c) / w) ** 2)
    return g(0.18, 0.03, 0.12) + g(0.3, 0.008, -0.1) + g(0.32, 0.01, 1.0) + g(0.34, 0.01, -0.25) + g(0.58, 0.05, 0.3)


def ecg(ctx: Ctx) -> Built:
    """心电图: header and measurements, 12 leads on 1 mm / 5 mm grid, diagnosis, doctor."""
    r, p = ctx.rng, ctx.patient
    day = ctx.day()
    title = r.choice(["心电图报告", "十二导联心电图", "常规心电图检查报告"])
    sheet = ctx.sheet(title, [] if r.random() < 0.6 else ctx.band(), max_pages=1)
    hr = r.randint(55, 170)
    fields(sheet, ctx.house, [Field("姓名", p.name), Field("性别", p.sex), Field("年龄", ctx.age()),
                              ctx.number(r.choice(["住院号", "门诊号"])), Field("科室", ctx.department), ctx.bed(),
                              Field("检查时间", ctx.when(day, True))], cols=4, style=r.choice(["inline", "grid"]))
    sheet.para(f"心率 {hr}bpm  PR间期 {r.randint(110, 200)}ms  QRS时限 {r.randint(70, 120)}ms  "
               f"QT/QTc {r.randint(300, 420)}/{r.randint(380, 480)}ms  心电轴 {r.randint(-30, 120)}°", indent=False)
    mm = 72 / 25.4
    x0, x1 = sheet.left, sheet.x1
    y0 = sheet.y + 10
    y1 = y0 + 60 * mm * (1 if sheet.room() < 75 * mm else 1.2)
    k = 0
    while x0 + k * mm <= x1:
        sheet.line(x0 + k * mm, y0, x0 + k * mm, y1, 0.6 if k % 5 == 0 else 0.15, _PINK if k % 5 == 0 else _PALE)
        k += 1
    k = 0
    while y0 + k * mm <= y1:
        sheet.line(x0, y0 + k * mm, x1, y0 + k * mm, 0.6 if k % 5 == 0 else 0.15, _PINK if k % 5 == 0 else _PALE)
        k += 1
    leads = ["I", "aVR", "V1", "V4", "II", "aVL", "V2", "V5", "III", "aVF", "V3", "V6"]
    rr = 60 / hr * 25 * mm       # 25 mm/s
    col_w, row_h = (x1 - x0) / 4, (y1 - y0) / 3
    for i, lead in enumerate(leads):
        cx, cy = x0 + (i % 4) * col_w, y0 + (i // 4 + 0.6) * row_h
        amp = row_h * 0.45 * (-0.7 if lead == "aVR" else r.uniform(0.5, 1.0))
        pts = []
        for s in range(0, int(col_w) - 4, 1):
            t = ((s + r.uniform(-0.2, 0.2)) % rr) / rr
            pts.append((cx + 4 + s, cy - amp * _beat(t) + r.gauss(0, 0.25)))
        sheet.polyline(pts, BLACK, 0.6)
        sheet.text(cx + 3, cy - row_h * 0.45, lead, 7)
    sheet.text(x0 + 2, y1 - 3, "25mm/s  10mm/mV", 6.5)
    sheet.y = y1 + 6
    rhythm = "窦性心动过速" if hr > 100 else "窦性心动过缓" if hr < 60 else "窦性心律"
    others = [f for f in vocab.ECG_FINDINGS if not f.startswith("窦性")]
    sheet.para("诊断意见：" + "，".join([rhythm] + r.sample(others, r.randint(0, 2))) + "。", indent=False)
    signature_line(sheet, ctx.house, "诊断医师", ctx.doctor().name, ctx.when(day))
    return Built(title, day, sheet)
