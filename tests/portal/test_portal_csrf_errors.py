"""CSRF on every state change (forms and fetch), and error pages in words."""
from __future__ import annotations

import re

import pytest

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture
def csrf_app(build):
    return build(WTF_CSRF_ENABLED=True)


def _token(client, path: str = "/auth/login") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def test_form_post_without_token_gets_the_expired_page(csrf_app, make_user) -> None:
    make_user("li.na", "clinician")
    client = csrf_app.test_client()
    response = client.post("/auth/login",
                           data={"username": "li.na", "password": "correct-horse-battery"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "页面已过期，请刷新后重试" in page
    assert "Traceback" not in page
    assert client.get("/").status_code == 302  # not signed in


def test_form_post_with_token_works(csrf_app, make_user) -> None:
    make_user("li.na", "clinician")
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={
        "username": "li.na", "password": "correct-horse-battery", "csrf_token": _token(client),
    })
    assert response.status_code == 302


def test_fetch_posts_carry_the_token_in_a_header(csrf_app) -> None:
    client = csrf_app.test_client()
    token = _token(client)
    refused = client.post("/language", data={"lang": "en"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert refused.is_json and refused.json["error"]  # a fetch caller gets JSON, in words
    accepted = client.post("/language", data={"lang": "en"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 302


def test_a_forged_token_is_refused(csrf_app) -> None:
    client = csrf_app.test_client()
    _token(client)
    response = client.post("/language", data={"lang": "en", "csrf_token": "forged"})
    assert response.status_code == 400


def test_not_found_page_is_in_words(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "找不到页面" in response.get_data(as_text=True)


def test_crash_shows_a_calm_page_without_internals(app, caplog) -> None:
    def boom() -> str:
        raise RuntimeError("患者张三 secret detail")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统出现问题" in page
    assert "Traceback" not in page and "张三" not in page and "RuntimeError" not in page
    assert "张三" not in caplog.text  # the message (may be PHI) stays out of the log


def test_security_headers(client) -> None:
    response = client.get("/auth/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
