"""The policy admins' pages: versions, the draft editor and its live check, publishing, purpose
defaults, trying a version on an archived document; and that nobody else gets in."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.demo import generate_archive
from portal.auth.accounts import create_user
from portal.extensions import db
from portal.models import AuditEntry, PurposeDefault, RulesetVersion, User
from portal.rulesets import trialrun
from portal.rulesets.seed import SHIPPED_NOTE, shipped_text

PASSWORD = "correct-horse-battery"
FAST_HASH = "pbkdf2:sha256:1000"
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
BROKEN_RULE = "find idcard as"


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One visit of the demo archive (born-digital and scanned documents); only read."""
    return generate_archive(tmp_path_factory.mktemp("rulesets-demo"), records=1, seed=3)


@pytest.fixture
def rsapp(app: Flask, build, demo_archive: Path) -> Flask:  # type: ignore[no-untyped-def]
    """The portal on this test's database, the demo archive, OCR off (fast, born-digital)."""
    return build(ARCHIVE=str(demo_archive), JOBS_USE_OCR=False)


def _seed(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["rulesets", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def _user(app: Flask, username: str, *roles: str) -> FlaskClient:
    """A client signed in as a new user with `roles`, the interface in English."""
    with app.app_context():
        create_user(db.session(), username, PASSWORD, list(roles), method=FAST_HASH,
                    display_name=username.replace(".", " ").title())
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.data
    client.post("/language", data={"lang": "en"})
    return client


def _admin(app: Flask, username: str = "pol.admin") -> FlaskClient:
    return _user(app, username, "policy_admin")


def _version(app: Flask, number: int, name: str = "default") -> RulesetVersion:
    with app.app_context():
        v = db.session.scalars(select(RulesetVersion).where(
            RulesetVersion.name == name, RulesetVersion.version == number)).one()
        db.session.expunge(v)
        db.session.remove()
        return v


def _audit(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                       .order_by(AuditEntry.id)))
        for r in rows:
            db.session.expunge(r)
        db.session.remove()
        return rows


def _start_draft(app: Flask, client: FlaskClient) -> RulesetVersion:
    v1 = _version(app, 1)
    response = client.post(f"/rulesets/{v1.id}/draft")
    assert response.status_code == 302
    draft = _version(app, 2)
    assert response.location.endswith(f"/rulesets/{draft.id}")
    assert draft.published_at is None
    return draft


def _broken_text() -> tuple[str, int]:
    """The shipped text with `find` misspelt on one rule; the line it is on."""
    text = shipped_text()
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(BROKEN_RULE))
    return text.replace(BROKEN_RULE, "fnd idcard as", 1), line


def _changed_text() -> str:
    return shipped_text().replace(
        "# --- the patient ---", "# Reviewed with the committee.\n# --- the patient ---", 1)


def _page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- the list of rulesets


def test_before_seeding_the_page_says_how_to_store_the_shipped_ruleset(rsapp) -> None:
    page = _page(_admin(rsapp).get("/rulesets/"))
    assert "No ruleset is stored yet" in page
    assert "flask rulesets seed" in page
    assert page.count("none: the policy shipped with the program is used") == 3


def test_after_seed_the_index_lists_the_shipped_ruleset_and_every_purposes_default(rsapp) -> None:
    assert "Stored the shipped ruleset" in _seed(rsapp)
    client = _admin(rsapp)
    page = _page(client.get("/rulesets/"))
    assert "Ruleset “default”" in page
    assert "published" in page and SHIPPED_NOTE in page and "the program" in page
    assert "Start a draft from version 1" in page
    for label in ("儿童死亡评审", "孕产妇危重症评审", "Other (give the reason)"):
        assert label in page
    assert page.count(">default version 1</a>") == 3          # each purpose's default
    assert page.count('name="version_id"') == 3               # and a form to choose another
    # the menu leads here
    assert 'href="/rulesets/"' in _page(client.get("/"))


def test_a_published_version_is_shown_read_only_with_line_numbers(rsapp) -> None:
    _seed(rsapp)
    v1 = _version(rsapp, 1)
    page = _page(_admin(rsapp).get(f"/rulesets/{v1.id}"))
    assert "<textarea" not in page
    assert 'id="L1"' in page and f'id="L{len(v1.text.splitlines())}"' in page
    assert v1.digest in page
    assert "Start a draft from this version" in page


# ---------------------------------------------------------------- drafts and the live check


def test_saving_broken_text_keeps_it_and_shows_line_and_column(rsapp) -> None:
    _seed(rsapp)
    client = _admin(rsapp)
    draft = _start_draft(rsapp, client)
    page = _page(client.get(f"/rulesets/{draft.id}"))
    assert '<textarea id="rs-text" name="text"' in page
    assert 'data-validate-url="/rulesets/validate"' in page
    assert "It compiles" in page

    broken, line = _broken_text()
    page = _page(client.post(f"/rulesets/{draft.id}/save", data={"text": broken},
                             follow_redirects=True))
    assert f"line {line}, column 1: unknown keyword" in page            # the flash
    assert f'data-line="{line}" data-column="1"' in page                 # the problem list
    assert f"Line {line}, column 1" in page and "did you mean" in page
    assert "<mark>fnd</mark> idcard as" in page                          # the excerpt, marked
    assert _version(rsapp, 2).text == broken                             # saved all the same

    page = _page(client.post(f"/rulesets/{draft.id}/save", data={"text": _changed_text()},
                             follow_redirects=True))
    assert "Draft saved. It compiles" in page


def test_only_one_draft_at_a_time_and_a_draft_can_be_discarded(rsapp) -> None:
    _seed(rsapp)
    client = _admin(rsapp)
    draft = _start_draft(rsapp, client)
    v1 = _version(rsapp, 1)
    page = _page(client.post(f"/rulesets/{v1.id}/draft", follow_redirects=True))
    assert "already has a draft" in page
    assert "Open the draft of version 2" in _page(client.get("/rulesets/"))

    page = _page(client.post(f"/rulesets/{draft.id}/discard", follow_redirects=True))
    assert "Draft discarded." in page
    assert "Start a draft from version 1" in page
    with rsapp.app_context():
        assert db.session.get(RulesetVersion, draft.id) is None
        assert db.session.get(RulesetVersion, v1.id) is not None


def test_validate_endpoint_gives_line_and_column_or_ok(rsapp) -> None:
    client = _admin(rsapp)
    broken, line = _broken_text()
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
    login_page = _page(client.get("/auth/login"))
    client.post("/auth/login", data={"username": "pol.admin", "password": PASSWORD,
                                     "csrf_token": TOKEN.search(login_page).group(1)})
    token = TOKEN.search(_page(client.get("/rulesets/"))).group(1)
    assert client.post("/rulesets/validate", json={"text": "x"}).status_code == 400
    answer = client.post("/rulesets/validate", json={"text": shipped_text()},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.json["ok"] is True


def test_editor_script_posts_json_with_the_csrf_header(client) -> None:
    script = _page(client.get("/static/rulesets.js"))
    assert "JSON.stringify" in script and "data-validate-url" in script
    assert "emrFetch" in script and "X-CSRFToken" in script   # app.js adds the header
    assert "400" in script                                   # the debounce delay (ms)


# ---------------------------------------------------------------- publishing


def test_publishing_needs_a_note_shows_the_diff_and_freezes_the_version(rsapp) -> None:
    _seed(rsapp)
    client = _admin(rsapp)
    draft = _start_draft(rsapp, client)
    client.post(f"/rulesets/{draft.id}/save", data={"text": _changed_text()})

    page = _page(client.get(f"/rulesets/{draft.id}/publish"))
    assert "Changes since version 1" in page
    assert "2 lines added" in page and "1 line removed" in page   # the comment, the header
    assert re.search(r'<tr class="rs-added">\s*<td class="rs-no"></td>\s*<td class="rs-no">\d+'
                     r'</td>.*?# Reviewed with the committee\.', page, re.DOTALL)
    assert re.search(r'<tr class="rs-removed">.*?version 1</code>', page, re.DOTALL)
    assert 'class="rs-skip"' in page and "unchanged lines" in page
    assert '<textarea id="note" name="note"' in page

    page = _page(client.post(f"/rulesets/{draft.id}/publish", data={"note": "  "},
                             follow_redirects=True))
    assert "Write a note saying what changed and why" in page
    assert _version(rsapp, 2).published_at is None

    page = _page(client.post(f"/rulesets/{draft.id}/publish",
                             data={"note": "Comment for the committee."}, follow_redirects=True))
    assert "Version 2 of default is published" in page
    v2 = _version(rsapp, 2)
    assert v2.published_at is not None and v2.note == "Comment for the committee."
    assert 'policy "外送评审" version 2' in v2.text
    with rsapp.app_context():
        admin = db.session.scalars(select(User).where(User.username == "pol.admin")).one()
        assert v2.published_by_id == admin.id

    # Published means immutable: saving, discarding and publishing again are refused.
    page = _page(client.post(f"/rulesets/{v2.id}/save", data={"text": "policy x"},
                             follow_redirects=True))
    assert "is published and can never be changed" in page
    client.post(f"/rulesets/{v2.id}/discard")
    assert "already published" in _page(client.get(f"/rulesets/{v2.id}/publish",
                                                   follow_redirects=True))
    after = _version(rsapp, 2)
    assert (after.text, after.digest, after.note) == (v2.text, v2.digest, v2.note)
    assert "<textarea" not in _page(client.get(f"/rulesets/{v2.id}"))

    # The audit log says who published what.
    (entry,) = _audit(rsapp, "policy.publish")
    assert entry.user_id == admin.id and entry.obj_id == str(v2.id)
    assert entry.details["version"] == 2 and entry.details["previous_version"] == 1
    assert entry.details["digest"] == v2.digest


def test_a_draft_that_does_not_compile_cannot_be_published(rsapp) -> None:
    _seed(rsapp)
    client = _admin(rsapp)
    draft = _start_draft(rsapp, client)
    broken, line = _broken_text()
    client.post(f"/rulesets/{draft.id}/save", data={"text": broken})
    page = _page(client.get(f"/rulesets/{draft.id}/publish"))
    assert "This draft cannot be published yet" in page
    assert f"Line {line}, column 1" in page
    assert 'name="note"' not in page
    page = _page(client.post(f"/rulesets/{draft.id}/publish", data={"note": "try anyway"},
                             follow_redirects=True))
    assert "does not compile, so it cannot be published" in page
    assert _version(rsapp, 2).published_at is None
    assert _audit(rsapp, "policy.publish") == []


# ---------------------------------------------------------------- purpose defaults


def test_choosing_a_purposes_default(rsapp) -> None:
    _seed(rsapp)
    client = _admin(rsapp)
    draft = _start_draft(rsapp, client)

    page = _page(client.post("/rulesets/defaults", data={
        "purpose": "child_death_review", "version_id": draft.id}, follow_redirects=True))
    assert "Only a published version can be a purpose&#39;s default" in page

    client.post(f"/rulesets/{draft.id}/save", data={"text": _changed_text()})
    client.post(f"/rulesets/{draft.id}/publish", data={"note": "A comment."})
    page = _page(client.get("/rulesets/"))
    assert page.count("Version 2 is newer.") == 3   # defaults set by the program stay put

    page = _page(client.post("/rulesets/defaults", data={
        "purpose": "child_death_review", "version_id": draft.id}, follow_redirects=True))
    assert "now use default version 2 by default" in page
    assert "Set by Pol Admin" in page
    assert page.count("Version 2 is newer.") == 2
    with rsapp.app_context():
        chosen = db.session.get(PurposeDefault, "child_death_review")
        other = db.session.get(PurposeDefault, "maternal_near_miss_review")
        assert chosen.ruleset_version_id == draft.id and chosen.set_by_id is not None
        assert other.ruleset_version_id == _version(rsapp, 1).id
    (entry,) = _audit(rsapp, "policy.default_set")
    assert entry.obj_id == "child_death_review" and entry.details["version"] == 2

    page = _page(client.post("/rulesets/defaults", data={"purpose": "nonsense",
                                                        "version_id": draft.id},
                             follow_redirects=True))
    assert "Unknown purpose." in page


# ---------------------------------------------------------------- trying a version


def _visit(demo_archive: Path) -> dict:
    return json.loads((demo_archive / "manifest.json").read_text(encoding="utf-8"))["visits"][0]


def test_trying_a_draft_on_a_born_digital_document_shows_findings_and_the_page(
        rsapp, demo_archive) -> None:
    _seed(rsapp)
    client = _admin(rsapp)
    draft = _start_draft(rsapp, client)
    visit = _visit(demo_archive)
    doc = next(d for d in visit["documents"] if not d["scanned"])

    page = _page(client.get(f"/rulesets/{draft.id}/try"))
    assert visit["record_no"] in page and f"visit={visit['visit_id']}" in page
    page = _page(client.get(f"/rulesets/{draft.id}/try?record_no={visit['record_no']}"))
    assert f"visit={visit['visit_id']}" in page
    page = _page(client.get(f"/rulesets/{draft.id}/try?record_no=no-such-number"))
    assert "No visit has this record number" in page

    page = _page(client.get(f"/rulesets/{draft.id}/try?visit={visit['visit_id']}"))
    assert page.count('name="doc"') == len(visit["documents"])
    assert "Born-digital" in page and "Scanned" in page

    response = client.post(f"/rulesets/{draft.id}/try?visit={visit['visit_id']}",
                           data={"visit": visit["visit_id"], "doc": doc["doc_id"]})
    assert response.status_code == 200
    page = _page(response)
    assert "Findings by rule" in page and "The rules found nothing" not in page
    assert "患者姓名" in page                                     # a category
    assert re.search(rf'href="/rulesets/{draft.id}#L\d+">line \d+</a>', page)
    image = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert image and base64.b64decode(image.group(1)).startswith(b"\x89PNG")
    assert 'class="swatch" data-colour="#' in page
    # Categories, rules and boxes only: never a value the rules found.
    for value in (visit["patient_name"], visit["patient_id_number"]):
        assert value not in page

    (entry,) = _audit(rsapp, "policy.try")
    assert entry.details["document"] == doc["doc_id"] and entry.details["version"] == 2


def test_trying_a_document_not_in_the_visit_says_so(rsapp, demo_archive) -> None:
    _seed(rsapp)
    client = _admin(rsapp)
    v1 = _version(rsapp, 1)
    visit = _visit(demo_archive)
    page = _page(client.post(f"/rulesets/{v1.id}/try?visit={visit['visit_id']}",
                             data={"visit": visit["visit_id"], "doc": "nope"},
                             follow_redirects=True))
    assert "That document is not in this visit" in page
    page = _page(client.get(f"/rulesets/{v1.id}/try?visit=NO-SUCH-VISIT", follow_redirects=True))
    assert "The archive could not be read" in page


def test_try_out_ocr_engine_is_off_unavailable_or_sealed_in_its_own_folder(
        build, app, monkeypatch) -> None:
    from workers.ocr import OcrEngine, OcrUnavailable

    off = build(JOBS_USE_OCR=False)
    with trialrun.ocr_engine(off) as engine:
        assert engine is None

    on = build(JOBS_USE_OCR=True)
    closed = []
    monkeypatch.setattr(OcrEngine, "close", lambda self: closed.append(self))
    monkeypatch.setattr(OcrEngine, "check", lambda self: None)
    with trialrun.ocr_engine(on) as engine:
        assert isinstance(engine, OcrEngine)
        folder = Path(on.config["DATA_DIR"]) / "rulesets" / "ocr"
        assert engine.cache.directory == folder
        assert (folder.parent.stat().st_mode & 0o777) == 0o700
    assert closed == [engine]

    def missing(self):  # type: ignore[no-untyped-def]
        raise OcrUnavailable("no tesseract")

    monkeypatch.setattr(OcrEngine, "check", missing)
    with trialrun.ocr_engine(on) as engine:
        assert engine is None
    assert len(closed) == 2


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("role", ["clinician", "compliance", "admin"])
def test_other_roles_get_403_on_every_rulesets_route(rsapp, role) -> None:
    _seed(rsapp)
    v1 = _version(rsapp, 1)
    client = _user(rsapp, f"someone.{role}", role)
    rules = [r for r in rsapp.url_map.iter_rules() if r.endpoint.startswith("rulesets.")]
    assert len({r.endpoint for r in rules}) == 9
    for rule in rules:
        url = rule.rule.replace("<int:version_id>", str(v1.id))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"note": "x", "text": "x"})
            assert response.status_code == 403, f"{method} {url} as {role}"
    assert _version(rsapp, 1).text == v1.text
    with rsapp.app_context():
        assert len(db.session.scalars(select(RulesetVersion)).all()) == 1
