"""Role x route matrix: every route refuses every role that must not use it."""
from __future__ import annotations

import pytest

from portal.models import Role

ALL_ROLES = [r.value for r in Role]
SIGNED_IN = "signed-in"  # any signed-in user, whatever the roles
PUBLIC = "public"

# Who may use each route. A new route fails test_every_route_is_in_the_matrix until it is
# added here: deciding who may use a page is part of adding it.
EXPECTED: dict[str, str | set[str]] = {
    "home.index": SIGNED_IN,
    "home.language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "admin.users": {"admin"},
    "admin.create": {"admin"},
    "admin.edit": {"admin"},
    "admin.roles": {"admin"},
    "admin.unlock_user": {"admin"},
    "admin.deactivate": {"admin"},
    "admin.activate": {"admin"},
    "audit.index": {"compliance"},
    "audit.export_csv": {"compliance"},
    "usage.click": SIGNED_IN,
    "usage.settings": SIGNED_IN,
    "usage.consent": {"admin"},
    "usage.decide": {"admin"},
    "usage.admin": {"admin"},
    "usage.send_now": {"admin"},
    "collector.receive": PUBLIC,
    "collector.dashboard": {"admin"},
    # preview / review / downloads (object checks on top: see test_portal_preview_access.py)
    "preview.show": {"clinician", "compliance"},
    "preview.original_image": {"clinician", "compliance"},
    "preview.redacted_image": {"clinician", "compliance"},
    "preview.status": {"clinician", "compliance"},
    "preview.edit": {"clinician"},
    "preview.undo": {"clinician"},
    "preview.submit": {"clinician"},
    "review.queue": {"compliance"},
    "review.detail": {"compliance"},
    "review.approve": {"compliance"},
    "review.reject": {"compliance"},
    "downloads.show": {"clinician", "compliance"},
    "downloads.file": {"clinician", "compliance"},
    # export requests (object checks on top: see test_portal_exports.py)
    "exports.index": {"clinician", "compliance"},
    "exports.new": {"clinician"},
    "exports.detail": {"clinician", "compliance"},
    "exports.progress": {"clinician", "compliance"},
    "exports.retry": {"clinician"},
    # archive: treating clinicians only (reviewers see records through the export preview)
    "archive.search": {"clinician"},
    "archive.visit": {"clinician"},
    "archive.thumbnail": {"clinician"},
    # rulesets: policy admins only (editing, trying and publishing policies, purpose defaults)
    "rulesets.index": {"policy_admin"},
    "rulesets.set_default": {"policy_admin"},
    "rulesets.show": {"policy_admin"},
    "rulesets.new_draft": {"policy_admin"},
    "rulesets.save": {"policy_admin"},
    "rulesets.discard": {"policy_admin"},
    "rulesets.validate": {"policy_admin"},
    "rulesets.publish": {"policy_admin"},
    "rulesets.trial": {"policy_admin"},
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        method = "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        yield rule, method


def _url(rule, target_id: int) -> str:
    url = rule.rule.replace("<int:user_id>", str(target_id))
    # Ids of objects that do not exist: the role check comes first, then a 404.
    return (url.replace("<int:request_id>", "999999").replace("<int:page_no>", "1")
            .replace("<int:version_id>", "999999"))


def test_every_route_is_in_the_matrix(app) -> None:
    missing = sorted({rule.endpoint for rule, _ in _routes(app)} - EXPECTED.keys())
    assert not missing, f"routes without an access rule in the matrix: {missing}"


@pytest.mark.parametrize("role", [*ALL_ROLES, "no-role"])
def test_each_role_reaches_exactly_its_routes(app, make_user, login, role) -> None:
    target = make_user("target.user", "clinician")
    roles = [] if role == "no-role" else [role]
    make_user("tester", *roles)
    for rule, method in _routes(app):
        allowed = EXPECTED[rule.endpoint]
        if allowed == PUBLIC:
            continue
        client = app.test_client()
        login(client, "tester")
        response = client.open(_url(rule, target.id), method=method)
        # Read and close: a streamed body (CSV, files) otherwise keeps its transaction open.
        response.get_data()
        response.close()
        where = f"{method} {rule.rule} as {role}"
        if allowed == SIGNED_IN or role in allowed:
            assert response.status_code not in (401, 403), where
            # Sign-in required would redirect with ?next=; sign-out's own redirect has none.
            assert "/auth/login?next=" not in (response.location or ""), where
        else:
            assert response.status_code == 403, where
            assert "您无权访问此页面" in response.get_data(as_text=True), where


def test_anonymous_visitors_are_sent_to_sign_in(app, make_user) -> None:
    target = make_user("target.user", "clinician")
    client = app.test_client()
    for rule, method in _routes(app):
        if EXPECTED[rule.endpoint] == PUBLIC:
            continue
        response = client.open(_url(rule, target.id), method=method)
        assert response.status_code == 302, rule.rule
        assert response.location.startswith("/auth/login"), rule.rule


def test_forbidden_page_names_the_role_needed(signed_in) -> None:
    page = signed_in("doc", "clinician").get("/audit/").get_data(as_text=True)
    assert "合规专员" in page and "联系管理员" in page
