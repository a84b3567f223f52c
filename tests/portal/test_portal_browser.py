"""The whole flow in a real browser, as three people would use it.

Headless Debian chromium driven by Playwright against a portal served over HTTP, with real RQ
workers on the real Redis: a clinician finds a visit, requests an export, watches it finish,
draws one box and removes one with a reason, submits; a compliance officer approves; the
clinician downloads. The downloaded file must pass the engine's verification and hold none of
the record's identifiers. A failing step leaves a screenshot under the test's folder.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from livesite import CHROMIUM, browser_available, running_site

from archive.demo import generate_archive
from dsl import compile_file, default_ruleset_path
from portal.auth.accounts import create_user
from portal.extensions import db
from workers.analyse import normalise
from workers.detect import ValueHunter
from workers.evaluate import output_texts, readable_in
from workers.verify import verify_export

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not browser_available(), reason=f"no chromium at {CHROMIUM}")]

PASSWORD = "browser-test-password"
WAIT_MS = 240_000     # analysis and assembly of a born-digital record on two busy cores
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def archive_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_archive(tmp_path_factory.mktemp("browser-demo"), records=1, seed=5)


@pytest.fixture
def site(tmp_path: Path, archive_root: Path) -> Iterator:
    with running_site(tmp_path / "site", archive_root, workers=2) as site:
        with site.app.app_context():
            for name, roles in (("dr_wang", ["clinician"]), ("officer_li", ["compliance"])):
                create_user(db.session(), name, PASSWORD, roles,
                            method="pbkdf2:sha256:1000")
            db.session.commit()
            db.session.remove()
        yield site


@pytest.fixture
def browser(tmp_path: Path) -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Person:
    """One signed-in browser context; `shot` keeps a screenshot of each step for failures."""

    def __init__(self, browser, site, username: str, shots: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           accept_downloads=True)
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())   # data-confirm buttons
        self.site, self.username, self.shots = site, username, shots
        self.step = 0

    def shot(self, name: str) -> None:
        self.step += 1
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.shots / f"{self.username}-{self.step:02d}-{name}.png"),
                             full_page=True)

    def sign_in(self) -> None:
        self.page.goto(f"{self.site.url}/auth/login")
        self.page.fill("input[name=username]", self.username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form:has(input[name=password]) button[type=submit]")
        self.page.wait_for_url(re.compile(r"/$"))


def _identifiers(archive_root: Path, visit_id: str) -> list[dict]:
    truth = json.loads((archive_root / "truth" / f"{visit_id}.json").read_text("utf-8"))
    return truth["identifiers"]


def test_request_preview_edit_approve_download(site, browser, archive_root: Path,
                                               tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    visit = json.loads((archive_root / "manifest.json").read_text("utf-8"))["visits"][0]
    scanned = [d["doc_id"] for d in visit["documents"] if d["scanned"]]
    clinician = Person(browser, site, "dr_wang", shots)
    page = clinician.page
    try:
        # --- the clinician finds the visit and requests an export -------------------------
        clinician.sign_in()
        page.goto(f"{site.url}/archive/")
        page.fill("input[name=record_no]", visit["record_no"])
        page.click("button[name=search]")
        page.click(f"a[href$='/archive/visits/{visit['visit_id']}']")
        # is_visible() does not wait: on a busy host the visit's page had not loaded yet.
        page.wait_for_url(re.compile(rf"/archive/visits/{visit['visit_id']}$"))
        page.locator("table").first.wait_for(state="visible", timeout=WAIT_MS)
        page.click("a[href*='/exports/new']")
        # every document is ticked; the scanned ones are left out to keep OCR out of this test
        boxes = page.locator("input[name=documents]")
        assert boxes.count() == len(visit["documents"])
        assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
        for doc_id in scanned:
            page.uncheck(f"input[name=documents][value='{doc_id}']")
        page.locator("input[name=purpose]").first.check()
        page.fill("#watermark", "仅供评审")
        clinician.shot("request")
        page.click("form.export-form button[type=submit]")
        page.wait_for_url(re.compile(r"/exports/\d+$"))
        request_id = int(page.url.rsplit("/", 1)[1])
        assert page.locator("#bar-docs").is_visible()     # progress shown while it runs
        clinician.shot("progress")

        # --- it finishes without a reload; the preview shows the automatic boxes --------
        preview_link = page.locator("a[href*='/preview/']").first
        preview_link.wait_for(state="visible", timeout=WAIT_MS)
        clinician.shot("finished")
        preview_link.click()
        page.wait_for_url(re.compile(rf"/preview/{request_id}"))
        auto = page.locator(".pv-overlay[data-overlay=redacted] .pv-box:not(.manual)")
        auto.first.wait_for(state="visible")
        clinician.shot("preview")

        # remove one automatic box with a reason (a number, so that it is unique on the page)...
        removable = page.locator(".pv-overlay[data-overlay=redacted] "
                                 ".pv-box:not(.manual):not(.removed)[title^='病案编号']")
        count_before = removable.count()
        assert count_before > 0
        sizes = [removable.nth(i).bounding_box() for i in range(count_before)]
        widest = max(range(count_before), key=lambda i: sizes[i]["width"] if sizes[i] else 0)
        target = sizes[widest]
        # a person clicks the spot; where two rules found the same number either box may answer
        page.mouse.click(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
        assert page.locator("#pv-remove").is_visible()
        removable = page.locator(
            ".pv-overlay[data-overlay=redacted] .pv-box:not(.manual):not(.removed)")
        count_before = removable.count()
        page.click("#pv-remove")
        page.click("#pv-dialog button[value=ok]")            # no reason: not removed
        assert page.locator("#pv-dialog").is_visible()
        page.fill("#pv-reason", "编号不含个人信息，另行手工遮盖")
        page.click("#pv-dialog button[value=ok]")
        page.locator(".pv-overlay[data-overlay=redacted] .pv-box.removed").first.wait_for(
            state="attached", timeout=WAIT_MS)          # the page reloads when re-assembled
        page.locator("#pv-busy").wait_for(state="hidden", timeout=WAIT_MS)
        assert removable.count() == count_before - 1
        assert page.locator(".pv-history li").count() == 1

        # ...then cover the same place by hand, generously, by dragging on the page
        overlay = page.locator(".pv-drawable .pv-overlay").bounding_box()
        assert overlay is not None
        x0, y0 = max(overlay["x"] + 1, target["x"] - 6), max(overlay["y"] + 1, target["y"] - 6)
        x1 = min(overlay["x"] + overlay["width"] - 1, target["x"] + target["width"] + 6)
        y1 = min(overlay["y"] + overlay["height"] - 1, target["y"] + target["height"] + 6)
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
        page.mouse.move(x1, y1, steps=4)
        page.mouse.up()
        manual = page.locator(".pv-overlay[data-overlay=redacted] .pv-box.manual")
        manual.first.wait_for(state="attached", timeout=WAIT_MS)
        page.locator("#pv-busy").wait_for(state="hidden", timeout=WAIT_MS)
        assert page.locator(".pv-history li").count() == 2
        assert "编号不含个人信息" in page.locator(".pv-history").inner_text()
        clinician.shot("edited")

        page.click("form[action$='/submit'] button")
        page.wait_for_load_state()
        clinician.shot("submitted")
    except Exception:
        clinician.shot("failure")
        raise

    # --- the compliance officer approves --------------------------------------------------
    officer = Person(browser, site, "officer_li", shots)
    try:
        officer.sign_in()
        officer.page.goto(f"{site.url}/review/")
        officer.page.click(f"a[href$='/review/{request_id}']")
        review_text = officer.page.inner_text("main")
        assert "编号不含个人信息" in review_text                  # every hand edit, with its reason
        assert "儿童死亡评审" in review_text and "child_death_review" not in review_text
        officer.page.fill("#comment", "已核对，同意外送。")
        officer.shot("review")
        officer.page.click("button[formaction$='/approve']")
        officer.page.wait_for_load_state()
        officer.shot("approved")
    except Exception:
        officer.shot("failure")
        raise

    # --- the clinician downloads; the file is clean ---------------------------------------
    try:
        page.goto(f"{site.url}/downloads/{request_id}")
        shown = page.inner_text("main")
        with page.expect_download() as info:
            page.click(f"a[href$='/downloads/{request_id}/file']")
        out = tmp_path / "download.pdf"
        info.value.save_as(out)
        clinician.shot("download")
    except Exception:
        clinician.shot("failure")
        raise

    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() in shown.replace(" ", "").replace("\n", "")
    identifiers = _identifiers(archive_root, visit["visit_id"])
    texts = output_texts(out, None)
    leaked = [i["category"] for i in identifiers
              if readable_in(normalise(i["value"]), texts["text"] + texts["metadata"])]
    assert leaked == []
    hunter = ValueHunter({i["value"]: (i["category"], "truth") for i in identifiers})
    verification = verify_export(out, compile_file(default_ruleset_path()), hunter, None)
    assert [r.category for r in verification.residuals] == []
    assert verification.pages > 0
