"""Usage counting on this site: what is counted, consent, opt-out, the switch, DO_NOT_TRACK."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, UsageCounter, UsageSite, utcnow
from portal.usage import hooks, payload, site
from portal.usage.counting import browser_family, os_family, period_of, subnet_hash
from portal.usage.schema import REPORT, Map, Obj, fields, validate

CHROME_WIN = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0 Safari/537.36")


def _switch(app, on: bool) -> None:
    with app.app_context():
        site.decide(db.session(), on, app.config)
        db.session.commit()
    hooks.forget_state(app)


def _counters(app) -> dict[tuple[str, str], int]:
    with app.app_context():
        rows = db.session.scalars(select(UsageCounter)).all()
        return {(r.kind, r.key): r.count for r in rows}


def _payload(app) -> dict:
    with app.app_context():
        s = db.session()
        return payload.build(s, site.get_site(s, app.config), period_of(utcnow()), app.config)


def _paths(value, spec=REPORT, path=""):
    """Every key path in a payload, map keys written as '*' like `schema.fields` does."""
    if isinstance(spec, Obj):
        for key, sub in value.items():
            p = f"{path}.{key}" if path else key
            yield p
            if key in spec.fields:
                yield from _paths(sub, spec.fields[key], p)
    elif isinstance(spec, Map):
        for sub in value.values():
            yield from _paths(sub, spec.value, f"{path}.*")


def test_user_agent_families_and_subnet_hash() -> None:
    assert (browser_family(CHROME_WIN), os_family(CHROME_WIN)) == ("chrome", "windows")
    edge = CHROME_WIN + " Edg/120.0"
    assert browser_family(edge) == "edge"
    ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1"
    assert (browser_family(ipad), os_family(ipad)) == ("safari", "ios")
    assert browser_family("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)") == "ie"
    assert browser_family("curl/8") == "other" and os_family("") == "other"
    # Same /24 -> same hash; another network or another site key -> different.
    assert subnet_hash("10.1.2.3", "k") == subnet_hash("10.1.2.200", "k")
    assert subnet_hash("10.1.3.3", "k") != subnet_hash("10.1.2.3", "k")
    assert subnet_hash("10.1.2.3", "other") != subnet_hash("10.1.2.3", "k")
    assert subnet_hash("2001:db8:1::5", "k") == subnet_hash("2001:db8:1:ff::9", "k")
    assert "10.1.2" not in (subnet_hash("10.1.2.3", "k") or "") and subnet_hash("x", "k") is None


def test_every_counter_lands_in_a_payload_that_only_holds_schema_fields(
        app, signed_in, make_user, login) -> None:
    _switch(app, True)

    @app.route("/boom")
    def boom():  # a server error, to count one
        raise RuntimeError("boom")

    make_user("wang.fang", "clinician", "admin")
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=CHROME_WIN, REMOTE_ADDR="10.20.30.40")
    assert login(client, "wang.fang").status_code == 302
    client.get("/")
    client.get("/admin/users")
    assert client.get("/boom").status_code == 500
    assert client.post("/usage/click", data={"item": "menu.exports"}).status_code == 204
    client.post("/auth/logout")

    body = _payload(app)
    assert validate(body) == []
    allowed = {path for path, _ in fields()}
    assert set(_paths(body)) <= allowed
    # Every kind of counter was exercised and shows up.
    assert body["menu_stats"] == {"menu.exports": 1}
    assert {"home", "admin", "app"} <= body["endpoint_groups"].keys()
    assert body["endpoint_groups"]["app"]["error_rate"] == 1.0
    assert body["system_metrics"]["requests"] >= 4 and body["system_metrics"]["error_rate"] > 0
    assert body["sessions"]["logins"] == 1 and body["sessions"]["completed"] == 1
    assert body["sessions"]["durations"] == {"under_5m": 1}
    assert body["locales"] == {"zh_CN": 1} and body["browsers"] == {"chrome": 1}
    assert body["os"] == {"windows": 1} and body["networks"] == 1
    # No name, username, user id or address anywhere in the counters or the report.
    text = json.dumps(body, ensure_ascii=False) + json.dumps(
        [list(k) for k in _counters(app)], ensure_ascii=False)
    for needle in ("wang.fang", "10.20.30", "/boom", "/admin/users"):
        assert needle not in text


def test_clicks_only_count_known_menu_items(app, signed_in) -> None:
    _switch(app, True)
    client = signed_in("doc", "clinician")
    assert client.post("/usage/click", data={"item": "menu.archive"}).status_code == 204
    assert client.post("/usage/click", data={"item": "张三 110101199003071234"}).status_code == 400
    assert client.post("/usage/click", data={"item": "menu.nothing"}).status_code == 400
    menu = {k: v for (kind, k), v in _counters(app).items() if kind == "menu"}
    assert menu == {"menu.archive": 1}


def test_nothing_is_counted_until_an_admin_switches_it_on(app, signed_in) -> None:
    client = signed_in("doc", "clinician")
    client.get("/")
    assert _counters(app) == {}
    page = client.get("/").get_data(as_text=True)
    assert "usage.js" not in page  # the click script is not even sent


def test_opt_out_stops_counting_for_that_user_only(app, signed_in) -> None:
    _switch(app, True)
    client = signed_in("doc", "clinician")
    assert "usage.js" in client.get("/").get_data(as_text=True)
    assert "不统计我的使用" in client.get("/usage/settings").get_data(as_text=True)
    client.post("/usage/settings", data={"choice": "out"})
    before = _counters(app)
    for _ in range(3):
        client.get("/")
    client.post("/usage/click", data={"item": "menu.archive"})
    assert _counters(app) == before
    assert "usage.js" not in client.get("/").get_data(as_text=True)
    other = signed_in("nurse", "clinician")
    other.get("/")
    assert _counters(app)[("endpoint", "home")] > before.get(("endpoint", "home"), 0)
    client.post("/usage/settings", data={"choice": "in"})
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "usage.opt_out" in actions and "usage.opt_in" in actions


def test_switching_off_stops_counting_and_deletes_unsent_counts(app, signed_in) -> None:
    _switch(app, True)
    client = signed_in("doc", "clinician")
    client.get("/")
    assert _counters(app)
    _switch(app, False)
    client.get("/")
    client.post("/usage/click", data={"item": "menu.archive"})
    assert _counters(app) == {}


def test_do_not_track_disables_everything(app, signed_in, login, make_user,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _switch(app, True)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    hooks.forget_state(app)
    client = signed_in("doc", "clinician")
    client.get("/")
    client.post("/usage/click", data={"item": "menu.archive"})
    assert _counters(app) == {}
    make_user("root", "admin")
    admin = app.test_client()
    assert login(admin, "root").location == "/"  # not even asked
    assert "DO_NOT_TRACK" in admin.get("/usage/admin").get_data(as_text=True)


def test_first_admin_sign_in_asks_with_the_exact_sample(app, make_user, login) -> None:
    make_user("root", "admin")
    make_user("doc", "clinician")
    assert login(app.test_client(), "doc").location == "/"
    admin = app.test_client()
    response = login(admin, "root")
    assert response.location.startswith("/usage/consent?next=")
    page = admin.get(response.location).get_data(as_text=True)
    assert "installation_uuid" in page and "menu_stats" in page and "绝不收集" in page
    with app.app_context():
        uuid = db.session.get(UsageSite, 1).installation_uuid
    assert uuid in page
    # Deciding later keeps it off; deciding "on" is recorded and audited.
    admin.post("/usage/decide", data={"choice": "later", "next": "/"})
    with app.app_context():
        assert db.session.get(UsageSite, 1).enabled is None
    admin.post("/usage/decide", data={"choice": "on", "next": "/"})
    with app.app_context():
        assert db.session.get(UsageSite, 1).enabled is True
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "usage.site_on")) == 1
    admin.post("/auth/logout")
    assert login(admin, "root").location == "/"  # decided: not asked again


def test_admin_page_shows_the_next_report_json(app, signed_in) -> None:
    _switch(app, True)
    admin = signed_in("root", "admin")
    admin.get("/")
    page = admin.get("/usage/admin").get_data(as_text=True)
    assert "report_period" in page and "endpoint_groups" in page and "尚未生成任何报告" in page
