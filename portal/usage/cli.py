"""`flask usage status | send | purge | cron`."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from portal.dbcli import require_schema
from portal.extensions import db
from portal.usage import collector, reporter, site

usage_cli = AppGroup("usage", help="Non-PHI usage statistics: reports and the collector.")


@usage_cli.command("status")
def status_cmd() -> None:
    """Show this site's decision, next report time and the last reports."""
    require_schema()
    cfg = current_app.config
    state = site.get_site(db.session(), cfg)
    decided = {None: "undecided (off)", True: "on", False: "off"}[state.enabled]
    click.echo(f"installation {state.installation_uuid}: {decided}"
               + (" — DO_NOT_TRACK set" if site.do_not_track(cfg) else ""))
    click.echo(f"next report at {state.next_report_at:%Y-%m-%d %H:%M} UTC; collector "
               f"{cfg.get('USAGE_COLLECTOR_URL') or '(none configured)'}")
    for row in reporter.recent(db.session()):
        click.echo(f"  {row.period} {row.status} attempts={row.attempts} "
                   f"last={row.last_status or row.last_error or '-'}")


@usage_cli.command("send")
@click.option("--force", is_flag=True, help="Do not wait for the scheduled report time.")
def send_cmd(force: bool) -> None:
    """Run the reporter once: freeze due periods and try to send them."""
    require_schema()
    summary = reporter.run(db.session(), current_app.config, force=force)
    if summary.skipped:
        click.echo(f"nothing sent: {reporter.SKIP_REASONS[summary.skipped]}")
    click.echo(json.dumps({"queued": summary.queued, "sent": summary.sent,
                           "failed": summary.failed}))


@usage_cli.command("purge")
def purge_cmd() -> None:
    """Collector: delete reports older than their expiry (3 months after receipt)."""
    require_schema()
    click.echo(f"purged {collector.purge(db.session())} expired reports")


@usage_cli.command("cron")
@click.option("--queue", default="usage", show_default=True)
@click.option("--tick", default=600, show_default=True, help="Seconds between reporter checks.")
def cron_cmd(queue: str, tick: int) -> None:
    """Run RQ's cron scheduler for the usage jobs (run `rq worker QUEUE` beside it)."""
    from redis import Redis
    from rq.cron import CronScheduler

    from portal.usage.jobs import schedule

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Set EMR_REDIS_URL: the cron scheduler needs a Redis server.")
    scheduler = CronScheduler(connection=Redis.from_url(url))
    schedule(scheduler, queue, tick)
    scheduler.start()
