"""Sign-in, lockout, idle timeout, sign-out, and the account commands."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, User, utcnow

WRONG = "not-the-password"


def _audit(action: str) -> list[AuditEntry]:
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
    db.session.remove()
    return list(entries)


def test_sign_in_lands_on_the_home_page_and_is_audited(app, make_user, login) -> None:
    user = make_user("li.na", "clinician")
    client = app.test_client()
    response = login(client, "li.na")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert "导出申请" in home  # the clinician's next step is offered
    assert [e.user_id for e in _audit("auth.login")] == [user.id]


def test_wrong_password_is_refused_in_words_and_audited(app, make_user, login) -> None:
    user = make_user("li.na", "clinician")
    client = app.test_client()
    response = login(client, "li.na", WRONG)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "用户名或密码不正确" in page
    assert client.get("/").status_code == 302  # still signed out
    failed = _audit("auth.login_failed")
    assert failed[0].user_id == user.id and failed[0].details["username"] == "li.na"
    assert WRONG not in str(failed[0].details)  # the password typed is never kept


def test_unknown_user_gets_the_same_message(app, login) -> None:
    page = login(app.test_client(), "nobody", WRONG).get_data(as_text=True)
    assert "用户名或密码不正确" in page
    assert _audit("auth.login_failed")[0].details["username"] == "nobody"


def test_five_failures_lock_the_account_even_against_the_right_password(
    app, make_user, login
) -> None:
    make_user("li.na", "clinician")
    client = app.test_client()
    for _ in range(4):
        assert "用户名或密码不正确" in login(client, "li.na", WRONG).get_data(as_text=True)
    fifth = login(client, "li.na", WRONG).get_data(as_text=True)
    assert "账户已被锁定" in fifth and "15 分钟" in fifth
    right = login(client, "li.na")
    assert right.status_code == 401 and "账户已被锁定" in right.get_data(as_text=True)
    assert len(_audit("auth.lockout")) == 1

    # When the lockout has run out, the right password works again and the count resets.
    user = db.session.scalar(select(User).where(User.username == "li.na"))
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, "li.na").status_code == 302
    user = db.session.scalar(select(User).where(User.username == "li.na"))
    assert user.failed_logins == 0 and user.locked_until is None


def test_idle_session_is_signed_out_with_a_notice(app, make_user, login) -> None:
    make_user("li.na", "clinician")
    client = app.test_client()
    login(client, "li.na")
    with client.session_transaction() as sess:
        sess["last_seen"] = time.time() - 29 * 60  # active 29 minutes ago: still fine
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        sess["last_seen"] = time.time() - 31 * 60
    response = client.get("/audit/?user=1")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")
    page = client.get(response.location).get_data(as_text=True)
    assert "长时间未操作" in page
    assert client.get("/").status_code == 302  # really signed out
    assert len(_audit("auth.timeout")) == 1


def test_sign_out_needs_a_post_and_ends_the_session(app, make_user, login) -> None:
    make_user("li.na", "clinician")
    client = app.test_client()
    login(client, "li.na")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/").status_code == 302
    assert len(_audit("auth.logout")) == 1


def test_next_only_leads_within_the_site(app, make_user) -> None:
    make_user("li.na", "clinician")
    client = app.test_client()
    data = {"username": "li.na", "password": "correct-horse-battery"}
    evil = client.post("/auth/login?next=https://evil.example/x", data=data)
    assert evil.location == "/"
    client.post("/auth/logout")
    assert client.post("/auth/login?next=//evil.example", data=data).location == "/"
    client.post("/auth/logout")
    assert client.post("/auth/login?next=/audit/", data=data).location == "/audit/"


def test_deactivated_user_is_signed_out_on_the_next_page(app, make_user, login) -> None:
    make_user("li.na", "clinician")
    client = app.test_client()
    login(client, "li.na")
    user = db.session.scalar(select(User).where(User.username == "li.na"))
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302
    assert "已停用" in login(client, "li.na").get_data(as_text=True)


def test_create_admin_and_create_user_commands(app, login, monkeypatch) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "root", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    assert "a-long-password" not in result.output
    # Asked interactively, twice, not echoed.
    result = runner.invoke(args=["create-admin", "root2"], input="another-password\n" * 2)
    assert result.exit_code == 0 and "another-password" not in result.output
    monkeypatch.setenv("EMR_USER_PASSWORD", "third-password")
    result = runner.invoke(args=["create-user", "zhao", "--roles", "clinician,compliance"])
    assert result.exit_code == 0, result.output
    zhao = db.session.scalar(select(User).where(User.username == "zhao"))
    assert zhao.roles == {"clinician", "compliance"}
    assert login(app.test_client(), "zhao", "third-password").status_code == 302

    bad = runner.invoke(args=["create-user", "qian", "--roles", "doctor", "--password", "x" * 12])
    assert bad.exit_code != 0 and "unknown role" in bad.output
    short = runner.invoke(args=["create-admin", "sun", "--password", "short"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    dup = runner.invoke(args=["create-admin", "root", "--password", "a-long-password"])
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_seed_demo_users_once_per_role_fixed_passwords(app, login, monkeypatch) -> None:
    monkeypatch.setenv("EMR_DEMO_PASSWORDS", "fixed")
    app.config["DEMO_PASSWORDS"] = "fixed"
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo-users"])
    assert first.exit_code == 0 and "demo-clinician-2026" in first.output
    again = runner.invoke(args=["seed-demo-users"])
    assert again.exit_code == 0 and "demo-clinician-2026" not in again.output
    users = {u.username: u.roles for u in db.session.scalars(select(User))}
    assert users == {
        "admin": {"admin"}, "policy": {"policy_admin"}, "clinician": {"clinician"},
        "clinician2": {"clinician"}, "compliance": {"compliance"},
    }
    assert login(app.test_client(), "compliance", "demo-compliance-2026").status_code == 302


def test_seed_demo_users_random_passwords_are_shown_once_and_work(app, login) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo-users", "--random"])
    line = next(x for x in first.output.splitlines() if x.split()[:1] == ["clinician2"])
    password = line.split()[-1]
    assert "demo-" not in password and len(password) >= 12
    assert password not in runner.invoke(args=["seed-demo-users", "--random"]).output
    assert login(app.test_client(), "clinician2", password).status_code == 302


def test_production_password_hash_is_scrypt(app) -> None:
    from portal.auth.accounts import create_user

    user = create_user(db.session(), "hash.check", "long-enough-pw", ["clinician"])
    assert user.password_hash.startswith("scrypt:")
    assert "long-enough-pw" not in user.password_hash
    db.session.rollback()
