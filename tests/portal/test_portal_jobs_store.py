"""Per-page results kept between the analyse jobs and the assembly: sealed, and whole."""
from __future__ import annotations

from pathlib import Path

from dsl import compile_file, default_ruleset_path
from portal.crypto import file_key
from portal.extensions import db
from portal.jobs import store
from portal.models import ExportDocument, ExportRequest, PageSecret
from workers.analyse import DocumentAnalysis, DocumentInput
from workers.textlayer import Finding


def test_a_pages_values_and_its_edge_rows_come_back_for_the_assembly(app, make_user, tmp_path):
    # The rows a page break may split a name across (`pagebreak`) are the page's own text:
    # stored sealed with its values, and back for the hunt across pages at assembly.
    user = make_user("doc.wang", "clinician")
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")   # opened only for its metadata, which may fail
    with app.app_context():
        req = ExportRequest(requester_id=user.id, visit_id="V1", purpose="review")
        doc = ExportDocument(doc_id="D1", page_count=2)
        req.documents.append(doc)
        db.session.add(req)
        db.session.flush()
        analysis = DocumentAnalysis(input=DocumentInput(pdf, "D1"), page_count=2)
        analysis.findings[0] = [Finding(0, (1, 2, 3, 4), "家属姓名", "r:1", "平亮")]
        analysis.edges = {0: (("病程记录",), ("与家属平",)), 1: (("亮、李小红沟通",), ())}
        key = file_key(app)
        store.save_pages(db.session, doc, analysis, range(2), key, set())
        db.session.commit()
        for secret in db.session.query(PageSecret):
            assert "李小红".encode() not in secret.sealed_values
            assert "与家属平".encode() not in secret.sealed_values
        policy = compile_file(default_ruleset_path())
        back = store.load_analysis(db.session, policy, doc, Path(pdf), {}, key)
        assert back.edges == analysis.edges
        assert [f.value for f in back.findings[0]] == ["平亮"]
        assert back.around(1) == (("与家属平",), ())
