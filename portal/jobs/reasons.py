"""Why work failed, in plain words for the requester: no stack trace, no file name, no PHI.

Reasons are stored as msgids and translated when shown (`gettext(reason)`): the engine's own
messages name the file (which may hold a patient's name), so they are mapped, never copied.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for translation; the page translates it when it shows it."""
    return message


MISSING = N_("The document's file was not found in the archive. Ask the archive administrator "
             "to check it, then press Retry.")
EMPTY = N_("The document's file is empty. Export it from the archive system again, then press "
           "Retry.")
NOT_PDF = N_("The document is not a PDF file. Convert it in the archive system, or leave it "
             "out of a new request.")
DAMAGED = N_("The document's PDF is damaged and cannot be read. Export it from the archive "
             "system again, then press Retry.")
PASSWORD = N_("The document's PDF is protected by a password. Remove the password in the "
              "archive system, then press Retry.")
NO_PAGES = N_("The document's PDF has no pages (it may be cut short). Export it from the "
              "archive system again, then press Retry.")
PAGE_UNREADABLE = N_("A page of the document could not be read. Export the document from the "
                     "archive system again, then press Retry.")
NO_OCR = N_("Text recognition (OCR) is not installed on the worker, so scanned pages cannot be "
            "read. Tell the administrator, then press Retry.")
ARCHIVE = N_("The archive could not be reached or no longer lists this document. Try again "
             "later with Retry; if it keeps failing, tell the administrator.")
LOST = N_("The work on this document stopped three times without finishing (the worker was "
          "stopped, ran out of memory or time). Press Retry to try once more; if it fails "
          "again, tell the administrator.")
UNEXPECTED = N_("An unexpected error stopped the work. Press Retry; if it fails again, tell the "
                "administrator (the worker's log names the error).")
NOTHING = N_("None of the documents could be read, so there is nothing to assemble.")
ASSEMBLY = N_("The export could not be assembled. Press Retry; if it fails again, tell the "
              "administrator (the worker's log names the error).")
POLICY = N_("The policy chosen for this export cannot be compiled any more. Tell the policy "
            "administrator.")
DOCUMENTS_FAILED = N_("Some documents could not be analysed; each says why below. Fix the "
                      "cause, then press Retry: work already done is kept.")

# Engine messages (workers.pdfopen, workers.analyse) -> our words; first match wins.
_ENGINE = (
    ("file not found", MISSING),
    ("is empty", EMPTY),
    ("not a PDF", NOT_PDF),
    ("damaged", DAMAGED),
    ("password", PASSWORD),
    ("no pages", NO_PAGES),
    ("could not be read", PAGE_UNREADABLE),
)


def from_engine(message: str | None) -> str:
    """Our reason for an engine error message (which may name the file: never stored)."""
    text = message or ""
    for needle, reason in _ENGINE:
        if needle in text:
            return reason
    return UNEXPECTED
