"""The reporter against a real HTTP server on loopback: 2xx only counts, retries, restarts."""
from __future__ import annotations

import html
import json
import re
import ssl
import subprocess
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import UsageCounter, UsageOutbox, utcnow
from portal.usage import counting, hooks, reporter, site
from portal.usage.schema import validate


class Collector:
    """A loopback HTTP server answering with the queued statuses (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[str, dict]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((self.path, json.loads(body)))
                code = owner.statuses.pop(0) if owner.statuses else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _config(url: str) -> dict:
    return {"USAGE_COLLECTOR_URL": url, "USAGE_ALLOW_HTTP_LOOPBACK": True}


def _prepare(app, period: str = "202501") -> str:
    """Site switched on, counts in a closed period, report time already passed."""
    with app.app_context():
        s = db.session()
        state = site.decide(s, True, app.config)
        state.next_report_at = utcnow() - timedelta(minutes=1)
        counting.bump(s, period, "menu", "menu.exports", count=42)
        counting.bump(s, period, "endpoint", "home", count=10, total=2350.0, errors=1)
        counting.bump(s, period, "login", count=3)
        s.commit()
        uuid = state.installation_uuid
    hooks.forget_state(app)
    return uuid


def _outbox(app) -> list[UsageOutbox]:
    with app.app_context():
        rows = db.session.scalars(select(UsageOutbox)).all()
        db.session.expunge_all()
        return list(rows)


def _periods_counted(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(UsageCounter.period)))


def test_sent_only_after_2xx_retried_after_failure_and_kept_across_restart(build) -> None:
    with Collector([500]) as server:
        app = build(**_config(server.url))
        uuid = _prepare(app)
        now = utcnow()
        with app.app_context():
            first = reporter.run(db.session(), app.config, now=now)
        assert first.queued == ["202501"] and first.failed == ["202501"] and not first.sent
        [row] = _outbox(app)
        assert row.status == "pending" and row.attempts == 1 and row.last_status == 500
        assert now + timedelta(minutes=4) < row.next_try_at < now + timedelta(minutes=6)
        assert _periods_counted(app) == {"202501"}  # nothing cleared before a 2xx

        # Before the back-off ends nothing is tried again.
        with app.app_context():
            assert reporter.run(db.session(), app.config, now=now + timedelta(minutes=1)).failed == []
        assert len(server.received) == 1

        # "Restart": a new app instance on the same database, after the back-off.
        db.session.remove()
        restarted = build(**_config(server.url))
        with restarted.app_context():
            second = reporter.run(db.session(), restarted.config, now=now + timedelta(hours=1))
        assert second.sent == ["202501"]
        [row] = _outbox(restarted)
        assert row.status == "sent" and row.attempts == 2 and row.sent_at is not None
        assert "202501" not in _periods_counted(restarted)

    assert len(server.received) == 2
    path, body = server.received[1]
    assert urlsplit(path).path == "/api/usage" and parse_qs(urlsplit(path).query) == {"SiteID": [uuid]}
    assert body == server.received[0][1]  # the frozen report, byte for byte the same
    assert validate(body) == []
    assert body["menu_stats"] == {"menu.exports": 42} and body["report_period"] == "202501"
    assert body["system_metrics"] == {"avg_response_time": 235.0, "error_rate": 0.1,
                                      "requests": 10}


def test_back_off_doubles_and_is_capped() -> None:
    cfg = {"USAGE_RETRY_BASE_SECONDS": 300, "USAGE_RETRY_MAX_SECONDS": 3600}
    waits = [reporter.backoff(n, cfg).total_seconds() for n in (1, 2, 3, 10)]
    assert 270 <= waits[0] <= 330 and 540 <= waits[1] <= 660 and 1080 <= waits[2] <= 1320
    assert waits[3] <= 3600 * 1.1


def test_reports_go_only_at_the_sites_own_time_and_not_the_open_month(build) -> None:
    with Collector([]) as server:
        app = build(**_config(server.url))
        _prepare(app)
        with app.app_context():
            state = site.get_site(db.session(), app.config)
            due = state.next_report_at = utcnow() + timedelta(days=3)
            counting.bump(db.session(), counting.period_of(utcnow()), "login")
            db.session.commit()
            assert reporter.run(db.session(), app.config).queued == []
            summary = reporter.run(db.session(), app.config, now=utcnow() + timedelta(days=4))
            assert summary.sent == ["202501"]  # the current month waits until it is over
            nxt = site.get_site(db.session(), app.config).next_report_at
        assert nxt == due + timedelta(days=33)  # the same offset, 33 days on
    assert [b["report_period"] for _, b in server.received] == ["202501"]


def test_each_site_draws_its_uuid_and_offset_once(build) -> None:
    values = []
    for _ in range(2):  # a second app instance (a restart) reads the same row
        app = build()
        with app.app_context():
            first = site.get_site(db.session(), app.config)
            values.append((first.installation_uuid, first.offset_seconds, first.subnet_key))
            assert 0 <= first.offset_seconds < 33 * 86400
        db.session.remove()
    assert values[0] == values[1]


@pytest.mark.parametrize("url, flag", [
    ("http://collector.example.cn", True),   # http only on loopback
    ("http://127.0.0.1:9", False),           # and only when explicitly allowed
    ("ftp://collector.example.cn", False),
])
def test_plain_http_is_refused(url: str, flag: bool) -> None:
    with pytest.raises(reporter.CollectorAddressError):
        reporter.report_url({"USAGE_COLLECTOR_URL": url, "USAGE_ALLOW_HTTP_LOOPBACK": flag},
                            "0" * 8 + "-0000-4000-8000-" + "0" * 12)


def test_https_checks_the_certificate(tmp_path) -> None:
    # A TLS server whose self-signed certificate nobody trusts: the send fails in words.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(tmp_path / "c.pem")], check=True, capture_output=True)
    with Collector([]) as server:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
        server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
        url = server.url.replace("http://", "https://")
        status, error = reporter.post(f"{url}/api/usage?SiteID=x", {"a": 1}, timeout=5)
    assert status is None and "CERTIFICATE_VERIFY_FAILED" in (error or "")
    assert server.received == []


def test_switched_off_or_no_collector_sends_nothing(app) -> None:
    with app.app_context():
        assert reporter.run(db.session(), app.config).skipped == "off"
    _prepare(app)
    with app.app_context():
        assert reporter.run(db.session(), app.config).skipped == "no_collector"


def test_rq_cron_registers_the_jobs() -> None:
    from redis import Redis
    from rq.cron import CronScheduler

    from portal.usage import jobs

    scheduler = CronScheduler(connection=Redis.from_url("redis://127.0.0.1:6379/13"))
    jobs.schedule(scheduler, "usage-test", 600)
    registered = {j.func_name: j.interval for j in scheduler.get_jobs()}
    assert registered == {"portal.usage.jobs.report_tick": 600,
                          "portal.usage.jobs.purge_expired": 86400}
    from_file = CronScheduler(connection=Redis.from_url("redis://127.0.0.1:6379/13"))
    from_file.load_config_from_file("portal.usage.cron")
    assert {j.func_name for j in from_file.get_jobs()} == set(registered)


def test_report_tick_job_runs_in_the_app(build) -> None:
    from portal.usage import jobs

    with Collector([]) as server:
        app = build(**_config(server.url))
        _prepare(app)
        with app.app_context():
            assert jobs.report_tick()["sent"] == ["202501"]


def test_admin_page_shows_exactly_the_json_that_is_sent(build, make_user, login) -> None:
    with Collector([503]) as server:
        app = build(**_config(server.url))
        _prepare(app)
        with app.app_context():
            assert reporter.run(db.session(), app.config).failed == ["202501"]
        make_user("root", "admin")
        client = app.test_client()
        login(client, "root")
        page = client.get("/usage/admin").get_data(as_text=True)
    shown = re.search(r'<pre class="usage-json">(.*?)</pre>', page, re.DOTALL).group(1)
    assert json.loads(html.unescape(shown)) == server.received[0][1]
    assert "503" in page and "等待中" in page  # the last answer, and still waiting
