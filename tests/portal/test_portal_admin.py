"""Administrators manage accounts; each change is audited and guarded against lock-outs."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, User, utcnow


def _user(name: str) -> User:
    user = db.session.scalar(select(User).where(User.username == name))
    db.session.remove()
    return user


def _actions() -> list[str]:
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    db.session.remove()
    return actions


def test_admin_creates_a_user_who_can_then_sign_in(signed_in, app, login) -> None:
    admin = signed_in("boss", "admin")
    response = admin.post("/admin/users/new", data={
        "username": "zhou", "display_name": "周医生", "password": "first-password",
        "roles": ["clinician", "compliance"],
    })
    assert response.status_code == 302
    assert _user("zhou").roles == {"clinician", "compliance"}
    assert "admin.user_create" in _actions()
    assert login(app.test_client(), "zhou", "first-password").status_code == 302
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert "周医生" in listing and "合规专员" in listing


def test_bad_new_account_is_explained(signed_in) -> None:
    admin = signed_in("boss", "admin")
    page = admin.post("/admin/users/new", data={
        "username": "zhou", "password": "short", "roles": ["clinician"],
    }).get_data(as_text=True)
    assert "账户未创建" in page and "10" in page
    assert _user("zhou") is None


def test_roles_change_is_audited_with_before_and_after(signed_in, make_user) -> None:
    admin = signed_in("boss", "admin")
    target = make_user("zhou", "clinician")
    admin.post(f"/admin/users/{target.id}/roles", data={"roles": ["compliance", "policy_admin"]})
    assert _user("zhou").roles == {"compliance", "policy_admin"}
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "admin.roles_change")).one()
    assert entry.details == {"before": ["clinician"], "after": ["compliance", "policy_admin"]}
    assert entry.obj_type == "user" and entry.obj_id == str(target.id)


def test_unlock_lifts_a_lockout(signed_in, make_user, app, login) -> None:
    admin = signed_in("boss", "admin")
    target = make_user("zhou", "clinician")
    user = db.session.get(User, target.id)
    user.failed_logins, user.locked_until = 5, utcnow() + timedelta(minutes=10)
    db.session.commit()
    assert "已锁定" in admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{target.id}/unlock")
    assert login(app.test_client(), "zhou").status_code == 302
    assert "admin.user_unlock" in _actions()


def test_deactivate_and_reactivate(signed_in, make_user, app, login) -> None:
    admin = signed_in("boss", "admin")
    target = make_user("zhou", "clinician")
    admin.post(f"/admin/users/{target.id}/deactivate")
    assert login(app.test_client(), "zhou").status_code == 401
    admin.post(f"/admin/users/{target.id}/activate")
    assert login(app.test_client(), "zhou").status_code == 302
    assert {"admin.user_deactivate", "admin.user_activate"} <= set(_actions())


def test_admin_cannot_lock_everyone_out(signed_in) -> None:
    admin = signed_in("boss", "admin")
    me = _user("boss")
    page = admin.post(f"/admin/users/{me.id}/deactivate", follow_redirects=True)
    assert "不能停用您自己的账户" in page.get_data(as_text=True)
    page = admin.post(f"/admin/users/{me.id}/roles", data={"roles": ["clinician"]},
                      follow_redirects=True)
    assert "必须至少保留一名有效的系统管理员" in page.get_data(as_text=True)
    assert _user("boss").active and "admin" in _user("boss").roles
