"""RQ 3 cron configuration for `rq cron portal.usage.cron` (same jobs as `flask usage cron`).

RQ's cron loads this module and reads the jobs registered through `rq.cron.register`; that is
why registering here happens at import. The tick is short on purpose: the real schedule (every
33 days from this site's own random offset, and each retry's back-off) is kept in the database,
so a restarted scheduler neither forgets a due report nor sends one early.
"""
from __future__ import annotations

import os

from rq import cron

from portal.usage.jobs import purge_expired, report_tick

QUEUE = os.environ.get("EMR_USAGE_QUEUE", "usage")
TICK_SECONDS = int(os.environ.get("EMR_USAGE_TICK_SECONDS", "600"))

cron.register(report_tick, QUEUE, interval=TICK_SECONDS, job_timeout=120, result_ttl=86400)
cron.register(purge_expired, QUEUE, interval=24 * 3600, job_timeout=600, result_ttl=86400)
