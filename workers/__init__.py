"""The pipeline: extract, OCR, detect, redact, assemble, verify. Knows nothing of Flask."""
import sys

# PyMuPDF 2 imports its optional layout analyser (onnxruntime, 0.3-0.7 s) when it is imported,
# in every CLI run and job. We never call `Page.get_layout`; PyMuPDF treats the module as absent.
sys.modules.setdefault("pymupdf.layout", None)
