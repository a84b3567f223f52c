"""Document kinds: what each is called in the archive, its file name, and its builder."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .base import Built, Ctx
from .charts import ctg, ecg
from .notes import death_discussion, delivery, progress
from .records import admission, discharge, outpatient
from .sheets import exam, lab, nursing, orders


@dataclass(frozen=True)
class Kind:
    """A document kind: archive doc_type, ASCII file slug, builder, and how often it is scanned."""

    doc_type: str
    slug: str
    build: Callable[[Ctx], Built]
    scan_rate: float


KINDS: dict[str, Kind] = {
    "outpatient": Kind("门诊病历", "outpatient", outpatient, 0.4),
    "admission": Kind("入院记录", "admission", admission, 0.3),
    "delivery": Kind("产科记录", "delivery", delivery, 0.4),
    "ctg": Kind("胎心监护", "ctg", ctg, 0.4),
    "progress": Kind("病程记录", "progress", progress, 0.25),
    "orders-long": Kind("医嘱单", "orders-long", lambda c: orders(c, True), 0.3),
    "orders-temp": Kind("医嘱单", "orders-temp", lambda c: orders(c, False), 0.3),
    "lab": Kind("检验报告", "lab", lab, 0.3),
    "exam": Kind("检查报告", "exam", exam, 0.35),
    "ecg": Kind("心电图", "ecg", ecg, 0.7),
    "nursing": Kind("护理记录", "nursing", nursing, 0.4),
    "discharge": Kind("出院记录", "discharge", discharge, 0.25),
    "death-discussion": Kind("死亡病例讨论", "death-discussion", death_discussion, 0.3),
}

__all__ = ["KINDS", "Built", "Ctx", "Kind"]
