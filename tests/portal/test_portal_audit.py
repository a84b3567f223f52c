"""The audit chain, `flask audit verify`, the compliance page and its CSV export."""
from __future__ import annotations

import csv
import io
import threading
from datetime import datetime

from sqlalchemy import select, text

from portal.audit import record, verify
from portal.database import Database
from portal.extensions import db
from portal.models import AuditEntry


def _write(n: int, user_id: int | None = None) -> None:
    for i in range(n):
        record("export.create", user_id, "export", 100 + i, purpose="other")
    db.session.commit()


def test_chain_verifies_and_cli_says_ok(app) -> None:
    _write(5)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert result.output.startswith("OK: 5 entries")


def test_changed_entry_is_named_by_verify(app) -> None:
    _write(5)
    with db.engine.begin() as conn:  # someone edits the table behind the portal's back
        conn.execute(text("UPDATE audit_entries SET details = '{\"purpose\": \"x\"}' WHERE id = 3"))
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry 3" in result.output and "content changed" in result.output


def test_deleted_entries_are_noticed_in_the_middle_and_at_the_end(app) -> None:
    _write(5)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE id = 5"))
    assert verify(db.session()).broken_id == 5
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE id = 2"))
    result = verify(db.session())
    assert not result.ok and result.broken_id == 2 and "missing" in result.reason


def test_a_rewritten_chain_from_one_entry_on_still_breaks_at_the_head(app) -> None:
    _write(3)
    # Recomputing an edited entry's hash is not enough: the next one no longer links to it.
    from portal.audit.chain import entry_hash

    entry = db.session.get(AuditEntry, 2)
    entry.details = {"purpose": "forged"}
    entry.hash = entry_hash(entry.prev_hash, entry)
    db.session.commit()
    result = verify(db.session())
    assert result.broken_id == 3 and "link" in result.reason


def test_concurrent_writers_keep_one_unbroken_chain(app) -> None:
    def writer() -> None:
        local = Database()  # each thread its own engine and session, like separate workers
        local.configure(app.config["DATABASE_URL"])
        for _ in range(10):
            record("doc.view", None, "visit", "V1", session=local.session())
            local.session.commit()
        local.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = verify(db.session())
    assert result.ok and result.checked == 40


def _filled_log(make_user) -> tuple[int, int]:
    alice = make_user("alice", "compliance")
    bob = make_user("bob", "clinician")
    record("export.create", bob, "export", 7)
    record("export.create", bob, "export", 8)
    record("export.approve", alice, "export", 7, comment_len=12)
    record("record.view", bob, "visit", "V0001")
    db.session.commit()
    return alice.id, bob.id


def test_audit_page_filters_by_user_action_export_and_date(signed_in, make_user) -> None:
    client = signed_in("auditor", "compliance")
    _alice_id, bob_id = _filled_log(make_user)

    body = client.get(f"/audit/?user={bob_id}").get_data(as_text=True).split("<tbody>")[1]
    assert body.count(">export.create</code>") == 2 and "export.approve" not in body
    assert "申请导出" in body  # actions read as words, code underneath
    page = client.get("/audit/?export=7").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    assert "export.approve" in body and "export 8" not in body
    today = datetime.now().date().isoformat()
    assert "record.view" in client.get(f"/audit/?from={today}").get_data(as_text=True)
    empty = client.get("/audit/?to=2000-01-01").get_data(as_text=True)
    assert "没有符合筛选条件的记录" in empty
    bad = client.get("/audit/?from=yesterday").get_data(as_text=True)
    assert "已忽略筛选条件" in bad  # a malformed date is explained, not a crash


def test_audit_page_paginates(signed_in, app) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 3
    client = signed_in("auditor", "compliance")
    _write(7)
    first = client.get("/audit/").get_data(as_text=True)
    assert "第 1 页，共 3 页" in first
    last = client.get("/audit/?page=3").get_data(as_text=True)
    assert "第 3 页，共 3 页" in last and "较早" not in last


def test_csv_export_holds_the_filtered_entries_and_is_audited(signed_in, make_user) -> None:
    client = signed_in("auditor", "compliance")
    _filled_log(make_user)
    response = client.get("/audit/export.csv?action=export.create")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["action"], r["obj_id"], r["username"]) for r in rows] == [
        ("export.create", "7", "bob"), ("export.create", "8", "bob")]
    assert all(len(r["hash"]) == 64 for r in rows)
    exported = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "audit.export_csv")).one()
    assert exported.details == {"filters": {"action": "export.create"}}


def test_csv_cells_cannot_become_spreadsheet_formulas(signed_in) -> None:
    client = signed_in("auditor", "compliance")
    record("export.create", None, "export", "=HYPERLINK(1)")
    db.session.commit()
    body = client.get("/audit/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body
