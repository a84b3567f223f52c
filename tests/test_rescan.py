"""A redacted scan is stored as JPEG again: about its input's size, the blanked pixels blank."""
from __future__ import annotations

import io

import numpy as np
import pymupdf
from pdfmaker import text_page
from PIL import Image

from dsl.model import Action
from workers.pseudonyms import Pseudonyms
from workers.redact import redact_page
from workers.textlayer import Finding

LINES = ["入院记录", "姓名：王秀英    性别：女", "主诉：停经38周，下腹痛2小时。"]
BOX = (100.0, 150.0, 300.0, 200.0)


def noisy_scan(path):
    """A 200 dpi grey scan with paper noise, stored as JPEG, as scanners deliver them."""
    with pymupdf.open() as src:
        text_page(src, LINES, fontsize=12)
        pix = src[0].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
        grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
        noise = np.random.default_rng(1).normal(0, 12, grey.shape)
        buf = io.BytesIO()
        Image.fromarray(np.clip(grey * 0.9 + 10 + noise, 0, 255).astype(np.uint8)).save(
            buf, "JPEG", quality=85)
        with pymupdf.open() as out:
            page = out.new_page(width=src[0].rect.width, height=src[0].rect.height)
            page.insert_image(page.rect, stream=buf.getvalue())
            out.save(path)
    return path


def test_a_redacted_scan_stays_a_jpeg_and_its_box_stays_black(tmp_path):
    src = noisy_scan(tmp_path / "scan.pdf")
    with pymupdf.open(src) as doc:
        redact_page(doc[0], [Finding(0, BOX, "患者姓名", "t", "王秀英", "image")],
                    lambda f: Action("box"), Pseudonyms())
        doc.save(tmp_path / "out.pdf", garbage=4, deflate=True)
    with pymupdf.open(tmp_path / "out.pdf") as out:
        xref = out[0].get_images(full=True)[0][0]
        assert out.xref_get_key(xref, "Filter")[1] == "/DCTDecode"
        pix = out[0].get_pixmap(dpi=72, clip=pymupdf.Rect(BOX) + (4, 4, -4, -4))
        assert max(pix.samples) < 60, "the blanked area is still black after JPEG encoding"
        outside = out[0].get_pixmap(dpi=72, clip=(100, 300, 300, 350))
        assert 150 < np.frombuffer(outside.samples, dtype=np.uint8).mean() < 255
    assert (tmp_path / "out.pdf").stat().st_size < 1.5 * src.stat().st_size
