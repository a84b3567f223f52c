"""The collector: strict schema, no personal data, one row per site and month, limits, purge."""
from __future__ import annotations

import copy
import os
import uuid as uuidlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from portal import migrate
from portal.database import Database, make_engine
from portal.extensions import db
from portal.models import UsageCounter, UsageReport, UsageRollup, utcnow
from portal.usage import collector, counting

SITE = "3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f"
SAMPLE = {"report_period": "202503", "installation_uuid": SITE, "locale": "zh_CN",
          "menu_stats": {"导出申请": 42, "审批": 15, "规则编辑": 8},
          "system_metrics": {"avg_response_time": 235, "error_rate": 0.02}}
PG_URL = os.environ.get("EMR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def capp(build):
    return build(COLLECTOR=True)


def _post(client, body, site=SITE, **kw):
    return client.post(f"/api/usage?SiteID={site}", json=body, **kw)


def _rows(app) -> list[UsageReport]:
    with app.app_context():
        rows = db.session.scalars(select(UsageReport)).all()
        db.session.expunge_all()
        return list(rows)


def test_accepts_the_issue_sample_and_a_repeat_replaces_it(capp) -> None:
    client = capp.test_client()
    first = _post(client, SAMPLE)
    assert first.status_code == 201 and first.get_json()["accepted"] is True
    again = copy.deepcopy(SAMPLE)
    again["menu_stats"]["导出申请"] = 50
    second = _post(client, again)
    assert second.status_code == 200 and second.get_json()["replaced"] is True
    [row] = _rows(capp)
    assert row.payload["menu_stats"]["导出申请"] == 50 and row.processed is False
    assert row.site_id == SITE and row.report_period == "202503"
    assert timedelta(days=89) <= row.expires_at - row.received_at <= timedelta(days=92)


@pytest.mark.parametrize("change, reason", [
    (lambda b: b.update(hospital="协和"), "unknown field"),
    (lambda b: b["system_metrics"].update(cpu=3), "unknown field"),
    (lambda b: b["menu_stats"].update({"张伟": 3}), "name"),
    (lambda b: b["menu_stats"].update({"欧阳娜娜": 1}), "name"),
    (lambda b: b.update(locale="110101199003071234"), "ID number"),
    (lambda b: b.update(region="13800138000"), "phone"),
    (lambda b: b["menu_stats"].update({"menu.x": 13800138000}), "between"),
    (lambda b: b.update(app_version="a@b.cn"), "email"),
    (lambda b: b.pop("locale"), "missing"),
    (lambda b: b.update(installation_uuid="7f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f"), "SiteID"),
    (lambda b: b.update(report_period="2025-03"), "unexpected form"),
])
def test_refuses_unknown_fields_and_personal_data_with_a_reason(capp, change, reason) -> None:
    body = copy.deepcopy(SAMPLE)
    change(body)
    response = _post(capp.test_client(), body)
    assert response.status_code == 422
    problems = " ".join(response.get_json()["problems"])
    assert reason in problems
    # The refused personal datum is not echoed back, and nothing is stored.
    for datum in ("张伟", "欧阳娜娜", "110101199003071234", "13800138000"):
        assert datum not in response.get_data(as_text=True)
    assert _rows(capp) == []


def test_refuses_bad_site_ids_and_non_json(capp) -> None:
    client = capp.test_client()
    assert _post(client, SAMPLE, site="../etc").status_code == 422
    bad = client.post(f"/api/usage?SiteID={SITE}", data=b"\xff{", content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["accepted"] is False


def test_size_limit(capp) -> None:
    body = copy.deepcopy(SAMPLE)
    body["menu_stats"] = {f"menu.{'x' * 20}": 1}
    huge = b'{"pad": "' + b"x" * 70_000 + b'"}'
    response = capp.test_client().post(f"/api/usage?SiteID={SITE}", data=huge,
                                       content_type="application/json")
    assert response.status_code == 413 and "bytes" in response.get_json()["error"]


def test_rate_limit_per_site(build) -> None:
    app = build(COLLECTOR=True, USAGE_RATE_BURST=2)
    client = app.test_client()
    assert [_post(client, SAMPLE).status_code for _ in range(3)] == [201, 200, 429]
    other = str(uuidlib.uuid4())
    body = dict(SAMPLE, installation_uuid=other)
    assert _post(client, body, site=other).status_code == 201  # another site has its own bucket


def test_token_bucket_refills() -> None:
    bucket = collector.TokenBucket(burst=2, per_hour=3600)
    assert [bucket.allow("k", now=0.0) for _ in range(3)] == [True, True, False]
    assert bucket.allow("k", now=1.5) is True


def test_not_a_collector_unless_configured(app) -> None:
    assert _post(app.test_client(), SAMPLE).status_code == 404


def test_purge_after_expiry_keeps_the_monthly_sums(capp) -> None:
    with capp.app_context():
        s = db.session()
        collector.store(s, SITE, SAMPLE, now=utcnow() - timedelta(days=100))
        fresh = dict(SAMPLE, report_period="202504")
        collector.store(s, SITE, fresh)
    result = capp.test_cli_runner().invoke(args=["usage", "purge"])
    assert result.exit_code == 0 and "purged 1" in result.output
    assert [r.report_period for r in _rows(capp)] == ["202504"]
    with capp.app_context():
        sites = db.session.scalar(select(UsageRollup.value).where(
            UsageRollup.period == "202503", UsageRollup.metric == "sites"))
    assert sites == 1


def test_a_replaced_report_is_not_counted_twice(capp) -> None:
    with capp.app_context():
        s = db.session()
        collector.store(s, SITE, SAMPLE)
        collector.process_pending(s)
        again = copy.deepcopy(SAMPLE)
        again["menu_stats"] = {"导出申请": 10}
        collector.store(s, SITE, again)
        collector.process_pending(s)
        rollup = {(r.metric, r.key): r.value for r in s.scalars(select(UsageRollup))}
    assert rollup[("sites", "")] == 1 and rollup[("menu", "menu.exports")] == 10
    assert rollup[("menu", "menu.review")] == 0


def test_dashboard_draws_charts(capp, make_user, login) -> None:
    client = capp.test_client()
    for n, period in enumerate(["202501", "202502", "202503"]):
        for k in range(n + 1):
            site = str(uuidlib.UUID(int=n * 10 + k + 1, version=4))
            body = dict(SAMPLE, report_period=period, installation_uuid=site, region="CN-GD",
                        menu_stats={"menu.exports": 10 * (k + 1), "menu.review": 5})
            assert _post(client, body, site=site).status_code == 201
    make_user("product", "admin")
    make_user("doc", "clinician")
    product, doc = capp.test_client(), capp.test_client()
    login(product, "product")
    login(doc, "doc")
    page = product.get("/usage/dashboard").get_data(as_text=True)
    assert page.count("<svg") >= 9 and "<script" not in page.split("<main")[1]
    assert "导出申请" in page and "广东" in page and "每月活跃装机数" in page
    assert "2025-03" in page and "2025-01" in page
    assert doc.get("/usage/dashboard").status_code == 403


@pytest.mark.postgres
def test_counters_and_reports_upsert_on_postgres() -> None:
    schema = f"usage_test_{uuidlib.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    database = Database()
    try:
        migrate.upgrade(make_engine(url))
        database.configure(url)
        s = database.session()
        for _ in range(3):
            counting.bump(s, "202503", "endpoint", "home", total=100.0, errors=1)
        s.commit()
        row = s.scalars(select(UsageCounter)).one()
        assert (row.count, row.total, row.errors) == (3, 300.0, 3)
        collector.store(s, SITE, SAMPLE, now=utcnow() - timedelta(days=100))
        collector.store(s, SITE, dict(SAMPLE, locale="en"), now=utcnow() - timedelta(days=100))
        assert s.scalar(select(func.count()).select_from(UsageReport)) == 1
        assert collector.purge(s) == 1
        assert s.scalar(select(UsageRollup.value).where(UsageRollup.metric == "sites")) == 1
    finally:
        database.session.remove()
        if database.engine is not None:
            database.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_admins_find_the_dashboard_only_on_a_collector(capp, build, make_user, login) -> None:
    make_user("product", "admin")
    on_collector = capp.test_client()
    login(on_collector, "product")
    assert "/usage/dashboard" in on_collector.get("/usage/admin").get_data(as_text=True)
    plain = build()                      # an ordinary site, same database
    elsewhere = plain.test_client()
    login(elsewhere, "product")
    for page in ("/usage/admin", "/"):
        assert "/usage/dashboard" not in elsewhere.get(page).get_data(as_text=True)
    assert elsewhere.get("/usage/dashboard").status_code == 404
