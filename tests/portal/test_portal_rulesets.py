"""The policy admins' pages: versions, the draft editor and its live check, publishing, purpose
defaults, trying a version on an archived document; and that nobody else gets in."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_portal_rulesets_fixtures import (  # noqa: F401 (rsapp, demo_archive: fixtures)
    PASSWORD,
    TOKEN,
    admin_client,
    audit_entries,
    broken_text,
    changed_text,
    client_for,
    demo_archive,
    page_text,
    rsapp,
    seed_shipped,
    start_draft,
    version_of,
)

from portal.extensions import db
from portal.models import PurposeDefault, RulesetVersion, User
from portal.rulesets.seed import SHIPPED_NOTE, shipped_text

# ---------------------------------------------------------------- the list of rulesets


def test_before_seeding_the_page_says_how_to_store_the_shipped_ruleset(rsapp) -> None:
    page = page_text(admin_client(rsapp).get("/rulesets/"))
    assert "No ruleset is stored yet" in page
    assert "flask rulesets seed" in page
    assert page.count("none: the policy shipped with the program is used") == 3


def test_after_seed_the_index_lists_the_shipped_ruleset_and_every_purposes_default(rsapp) -> None:
    assert "Stored the shipped ruleset" in seed_shipped(rsapp)
    client = admin_client(rsapp)
    page = page_text(client.get("/rulesets/"))
    assert "Ruleset “default”" in page
    assert "published" in page and SHIPPED_NOTE in page and "the program" in page
    assert "Start a draft from version 1" in page
    for label in ("儿童死亡评审", "孕产妇危重症评审", "Other (give the reason)"):
        assert label in page
    assert page.count(">default version 1</a>") == 3          # each purpose's default
    assert page.count('name="version_id"') == 3               # and a form to choose another
    # the menu leads here
    assert 'href="/rulesets/"' in page_text(client.get("/"))


def test_a_published_version_is_shown_read_only_with_line_numbers(rsapp) -> None:
    seed_shipped(rsapp)
    v1 = version_of(rsapp, 1)
    page = page_text(admin_client(rsapp).get(f"/rulesets/{v1.id}"))
    assert "<textarea" not in page
    assert 'id="L1"' in page and f'id="L{len(v1.text.splitlines())}"' in page
    assert v1.digest in page
    assert "Start a draft from this version" in page


# ---------------------------------------------------------------- drafts and the live check


def test_saving_broken_text_keeps_it_and_shows_line_and_column(rsapp) -> None:
    seed_shipped(rsapp)
    client = admin_client(rsapp)
    draft = start_draft(rsapp, client)
    page = page_text(client.get(f"/rulesets/{draft.id}"))
    assert '<textarea id="rs-text" name="text"' in page
    assert 'data-validate-url="/rulesets/validate"' in page
    assert "It compiles" in page

    broken, line = broken_text()
    page = page_text(client.post(f"/rulesets/{draft.id}/save", data={"text": broken},
                             follow_redirects=True))
    assert f"line {line}, column 1: unknown keyword" in page            # the flash
    assert f'data-line="{line}" data-column="1"' in page                 # the problem list
    assert f"Line {line}, column 1" in page and "did you mean" in page
    assert "<mark>fnd</mark> idcard as" in page                          # the excerpt, marked
    assert version_of(rsapp, 2).text == broken                             # saved all the same

    page = page_text(client.post(f"/rulesets/{draft.id}/save", data={"text": changed_text()},
                             follow_redirects=True))
    assert "Draft saved. It compiles" in page


def test_only_one_draft_at_a_time_and_a_draft_can_be_discarded(rsapp) -> None:
    seed_shipped(rsapp)
    client = admin_client(rsapp)
    draft = start_draft(rsapp, client)
    v1 = version_of(rsapp, 1)
    page = page_text(client.post(f"/rulesets/{v1.id}/draft", follow_redirects=True))
    assert "already has a draft" in page
    assert "Open the draft of version 2" in page_text(client.get("/rulesets/"))

    page = page_text(client.post(f"/rulesets/{draft.id}/discard", follow_redirects=True))
    assert "Draft discarded." in page
    assert "Start a draft from version 1" in page
    with rsapp.app_context():
        assert db.session.get(RulesetVersion, draft.id) is None
        assert db.session.get(RulesetVersion, v1.id) is not None


def test_validate_endpoint_gives_line_and_column_or_ok(rsapp) -> None:
    client = admin_client(rsapp)
    broken, line = broken_text()
    answer = client.post("/rulesets/validate", json={"text": broken})
    assert answer.status_code == 200
    assert answer.json["ok"] is False
    (problem,) = answer.json["problems"]
    assert (problem["line"], problem["column"], problem["width"]) == (line, 1, 3)
    assert problem["message"] == "unknown keyword 'fnd'"
    assert problem["excerpt"].startswith("fnd idcard as") and "find" in problem["hint"]

    bad_regex = 'policy "x" version 1\nfind pattern /(/ as 名\n'
    (problem,) = client.post("/rulesets/validate", json={"text": bad_regex}).json["problems"]
    assert problem["line"] == 2 and problem["column"] == 15   # the "(" after the slash

    good = client.post("/rulesets/validate", json={"text": shipped_text()})
    assert good.json == {"ok": True, "problems": []}

    refused = client.post("/rulesets/validate", data="text=x")
    assert refused.status_code == 400 and refused.json["error"]


def test_validate_needs_the_csrf_header_the_editor_sends(build, app, make_user) -> None:
    csrf_app = build(WTF_CSRF_ENABLED=True)
    make_user("pol.admin", "policy_admin")
    client = csrf_app.test_client()
    login_page = page_text(client.get("/auth/login"))
    client.post("/auth/login", data={"username": "pol.admin", "password": PASSWORD,
                                     "csrf_token": TOKEN.search(login_page).group(1)})
    token = TOKEN.search(page_text(client.get("/rulesets/"))).group(1)
    assert client.post("/rulesets/validate", json={"text": "x"}).status_code == 400
    answer = client.post("/rulesets/validate", json={"text": shipped_text()},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.json["ok"] is True


def test_editor_script_posts_json_with_the_csrf_header(client) -> None:
    script = page_text(client.get("/static/rulesets.js"))
    assert "JSON.stringify" in script and "data-validate-url" in script
    assert "emrFetch" in script and "X-CSRFToken" in script   # app.js adds the header
    assert "400" in script                                   # the debounce delay (ms)


# ---------------------------------------------------------------- publishing


def test_publishing_needs_a_note_shows_the_diff_and_freezes_the_version(rsapp) -> None:
    seed_shipped(rsapp)
    client = admin_client(rsapp)
    draft = start_draft(rsapp, client)
    client.post(f"/rulesets/{draft.id}/save", data={"text": changed_text()})

    page = page_text(client.get(f"/rulesets/{draft.id}/publish"))
    assert "Changes since version 1" in page
    assert "2 lines added" in page and "1 line removed" in page   # the comment, the header
    assert re.search(r'<tr class="rs-added">\s*<td class="rs-no"></td>\s*<td class="rs-no">\d+'
                     r'</td>.*?# Reviewed with the committee\.', page, re.DOTALL)
    assert re.search(r'<tr class="rs-removed">.*?version 1</code>', page, re.DOTALL)
    assert 'class="rs-skip"' in page and "unchanged lines" in page
    assert '<textarea id="note" name="note"' in page

    page = page_text(client.post(f"/rulesets/{draft.id}/publish", data={"note": "  "},
                             follow_redirects=True))
    assert "Write a note saying what changed and why" in page
    assert version_of(rsapp, 2).published_at is None

    page = page_text(client.post(f"/rulesets/{draft.id}/publish",
                             data={"note": "Comment for the committee."}, follow_redirects=True))
    assert "Version 2 of default is published" in page
    v2 = version_of(rsapp, 2)
    assert v2.published_at is not None and v2.note == "Comment for the committee."
    assert 'policy "外送评审" version 2' in v2.text
    with rsapp.app_context():
        admin = db.session.scalars(select(User).where(User.username == "pol.admin")).one()
        assert v2.published_by_id == admin.id

    # Published means immutable: saving, discarding and publishing again are refused.
    page = page_text(client.post(f"/rulesets/{v2.id}/save", data={"text": "policy x"},
                             follow_redirects=True))
    assert "is published and can never be changed" in page
    client.post(f"/rulesets/{v2.id}/discard")
    assert "already published" in page_text(client.get(f"/rulesets/{v2.id}/publish",
                                                   follow_redirects=True))
    after = version_of(rsapp, 2)
    assert (after.text, after.digest, after.note) == (v2.text, v2.digest, v2.note)
    assert "<textarea" not in page_text(client.get(f"/rulesets/{v2.id}"))

    # The audit log says who published what.
    (entry,) = audit_entries(rsapp, "policy.publish")
    assert entry.user_id == admin.id and entry.obj_id == str(v2.id)
    assert entry.details["version"] == 2 and entry.details["previous_version"] == 1
    assert entry.details["digest"] == v2.digest


def test_a_draft_that_does_not_compile_cannot_be_published(rsapp) -> None:
    seed_shipped(rsapp)
    client = admin_client(rsapp)
    draft = start_draft(rsapp, client)
    broken, line = broken_text()
    client.post(f"/rulesets/{draft.id}/save", data={"text": broken})
    page = page_text(client.get(f"/rulesets/{draft.id}/publish"))
    assert "This draft cannot be published yet" in page
    assert f"Line {line}, column 1" in page
    assert 'name="note"' not in page
    page = page_text(client.post(f"/rulesets/{draft.id}/publish", data={"note": "try anyway"},
                             follow_redirects=True))
    assert "does not compile, so it cannot be published" in page
    assert version_of(rsapp, 2).published_at is None
    assert audit_entries(rsapp, "policy.publish") == []


# ---------------------------------------------------------------- purpose defaults


def test_choosing_a_purposes_default(rsapp) -> None:
    seed_shipped(rsapp)
    client = admin_client(rsapp)
    draft = start_draft(rsapp, client)

    page = page_text(client.post("/rulesets/defaults", data={
        "purpose": "child_death_review", "version_id": draft.id}, follow_redirects=True))
    assert "Only a published version can be a purpose&#39;s default" in page

    client.post(f"/rulesets/{draft.id}/save", data={"text": changed_text()})
    client.post(f"/rulesets/{draft.id}/publish", data={"note": "A comment."})
    page = page_text(client.get("/rulesets/"))
    assert page.count("Version 2 is newer.") == 3   # defaults set by the program stay put

    page = page_text(client.post("/rulesets/defaults", data={
        "purpose": "child_death_review", "version_id": draft.id}, follow_redirects=True))
    assert "now use default version 2 by default" in page
    assert "Set by Pol Admin" in page
    assert page.count("Version 2 is newer.") == 2
    with rsapp.app_context():
        chosen = db.session.get(PurposeDefault, "child_death_review")
        other = db.session.get(PurposeDefault, "maternal_near_miss_review")
        assert chosen.ruleset_version_id == draft.id and chosen.set_by_id is not None
        assert other.ruleset_version_id == version_of(rsapp, 1).id
    (entry,) = audit_entries(rsapp, "policy.default_set")
    assert entry.obj_id == "child_death_review" and entry.details["version"] == 2

    page = page_text(client.post("/rulesets/defaults", data={"purpose": "nonsense",
                                                        "version_id": draft.id},
                             follow_redirects=True))
    assert "Unknown purpose." in page


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("role", ["clinician", "compliance", "admin"])
def test_other_roles_get_403_on_every_rulesets_route(rsapp, role) -> None:
    seed_shipped(rsapp)
    v1 = version_of(rsapp, 1)
    client = client_for(rsapp, f"someone.{role}", role)
    rules = [r for r in rsapp.url_map.iter_rules() if r.endpoint.startswith("rulesets.")]
    assert len({r.endpoint for r in rules}) == 9
    for rule in rules:
        url = rule.rule.replace("<int:version_id>", str(v1.id))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"note": "x", "text": "x"})
            assert response.status_code == 403, f"{method} {url} as {role}"
    assert version_of(rsapp, 1).text == v1.text
    with rsapp.app_context():
        assert len(db.session.scalars(select(RulesetVersion)).all()) == 1
