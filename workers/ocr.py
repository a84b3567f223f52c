"""OCR with Tesseract (chi_sim), boxes fitted to the ink, results in PDF coordinates.

The only module that imports pytesseract. Pages are rendered in the calling thread (PyMuPDF is
not thread-safe); each Tesseract runs in its own subprocess with OMP_THREAD_LIMIT=1, driven
from a thread pool, so `workers` threads keep `workers` cores busy. Recognised text is patient
data: it never goes into a log line or an exception message. What a job is, how it is
prepared and keyed for the cache, is `ocrjob`.
"""
from __future__ import annotations

import math
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Self

import pymupdf

from . import edges, scanprep, stamps, strips
from .cells import paper_tone
from .extract import OcrModeName, OcrRegion, ocr_plan, page_rect
from .hocr import fitted_lines, in_rows, lines_from_hocr, parse_hocr
from .lazy import LazyModule
from .ocrcache import OcrCache
from .ocrjob import CONFIG, LANG, OcrJob, ready
from .textlayer import HANDWRITING, PageLayer, Rect, TextLine

np = LazyModule("numpy", globals())
pytesseract = LazyModule("pytesseract", globals())
Image = LazyModule("PIL.Image", globals())

DPI = 300
NATIVE_DPI = (190.0, 310.0)    # a scan in this range is read as it is: no resampling
MAX_PIXELS = 40_000_000        # a huge image is read at a lower dpi rather than not at all
MAX_SIDE = 32_767              # Tesseract refuses an image longer than this ("Image too large")
TIMEOUT_S = 300
INSTALL_HINT = ("Install it with: apt-get install tesseract-ocr tesseract-ocr-chi-sim "
                "(or run scripts/install-system-deps), then run the job again.")


class OcrUnavailable(RuntimeError):
    """Tesseract or its chi_sim model is missing. The message says how to install it."""


class OcrFailed(RuntimeError):
    """Tesseract ran but failed on an image. The message never holds recognised text."""


# --- rendering (calling thread only) -------------------------------------------------------

def region_dpi(page: pymupdf.Page, region: OcrRegion, dpi: float | None = None) -> float:
    """Read a scan at its own resolution when that is 200-300 dpi; otherwise at `dpi` (300)."""
    chosen = float(dpi or DPI)
    if dpi is None:
        sizes = {x[0]: (x[2], x[3]) for x in page.get_images(full=True)} if region.xrefs else {}
        native = [max(sizes[x]) * 72.0 / max(region.rect[2] - region.rect[0],
                                             region.rect[3] - region.rect[1], 1e-6)
                  for x in region.xrefs if x in sizes]
        if native and NATIVE_DPI[0] <= max(native) <= NATIVE_DPI[1]:
            chosen = max(native)
    w, h = region.rect[2] - region.rect[0], region.rect[3] - region.rect[1]
    pixels = w * h * (chosen / 72.0) ** 2
    if pixels > MAX_PIXELS:
        chosen *= (MAX_PIXELS / pixels) ** 0.5
    # A long narrow strip (a rhythm strip scanned whole) stays under Tesseract's limit too.
    return min(chosen, (MAX_SIDE - 4) * 72.0 / max(w, h, 1e-6))


def render_region(page: pymupdf.Page, rect: Rect, dpi: float, colour: bool = False,
                  seals: bool = False) -> OcrJob:
    """Render part of the page (unrotated coordinates) in grey, as the reader sees it.
    `colour`: the region holds a colour scan, whose red stamps are taken out (`stamps`);
    `seals`: so are a grey scan's light grey ones (for OCR, not for a look at the pixels)."""
    scale = dpi / 72.0
    clip = pymupdf.Rect(rect) * page.rotation_matrix
    if colour:
        colour = stamps.any_red(page.get_pixmap(dpi=stamps.PROBE_DPI, clip=clip,
                                                colorspace=pymupdf.csRGB, alpha=False,
                                                annots=False))
    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), clip=clip,
                          colorspace=pymupdf.csRGB if colour else pymupdf.csGRAY, alpha=False,
                          annots=False)
    # Pixel (px, py) lies at ((pix.x + px) / scale, (pix.y + py) / scale) on the displayed page.
    m = pymupdf.Matrix(1 / scale, 0, 0, 1 / scale, pix.x / scale, pix.y / scale)
    m = m * page.derotation_matrix
    transform = (m.a, m.b, m.c, m.d, m.e, m.f)
    if colour:
        rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
        grey, boxes = stamps.drop_red(rgb, dpi)
    else:
        boxes = []
        if seals:
            grey, boxes = stamps.drop_grey(
                np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width), dpi)
        if not boxes:
            return OcrJob(Image.frombytes("L", (pix.width, pix.height), pix.samples), transform)
    marks = tuple(tuple(round(v, 2) for v in pymupdf.Rect(b) * m) for b in boxes)
    return OcrJob(Image.fromarray(grey, "L"), transform, marks=marks)


def _in_colour(page: pymupdf.Page, xrefs: tuple[int, ...]) -> bool:
    """Whether one of the images `xrefs` is in colour (three or four components)."""
    doc = page.parent
    for xref in xrefs:
        try:
            kind, value = doc.xref_get_key(xref, "ColorSpace")
            if kind == "xref":   # the colour space is an object of its own
                value = doc.xref_object(int(value.split()[0]), compressed=True)
            value = " ".join(value.replace("[", " ").replace("]", " ").split())
            if value.startswith("/ICCBased"):
                if doc.xref_get_key(int(value.split()[1]), "N")[1] in ("3", "4"):
                    return True
            elif value.split()[:1] in (["/DeviceRGB"], ["/DeviceCMYK"], ["/CalRGB"]):
                return True
        except (ValueError, IndexError, RuntimeError):
            continue   # an odd colour space: read in grey, as before
    return False


def region_job(page: pymupdf.Page, region: OcrRegion, dpi: float,
               level: float | None = None) -> OcrJob:
    """A region rendered for OCR; when it is most of the page, marked to be prepared as
    `scanprep` says (in the pool, see `ready`).

    A scan's tilt is `level`, or measured here (cheap, and part of the key); a page drawn in
    vectors (an ECG read with OCR) is never tilted: its curves would only mislead the measure.
    """
    rect = region.rect
    job = render_region(page, rect, dpi, colour=_in_colour(page, region.xrefs), seals=True)
    page_area = max(page.rect.width * page.rect.height, 1.0)
    if (rect[2] - rect[0]) * (rect[3] - rect[1]) < scanprep.MIN_PAGE_SHARE * page_area:
        return job    # a signature or a stamp: too little text to measure a tilt on
    if level is None:
        level = scanprep.tilt(job.image) if region.xrefs else 0.0
    return replace(job, level=level)


def page_jobs(page: pymupdf.Page, layer: PageLayer, mode: OcrModeName,
              dpi: float | None = None) -> list[OcrJob]:
    """The images to OCR on this page, rendered, with their transforms (keys not yet set)."""
    return [region_job(page, region, region_dpi(page, region, dpi))
            for region in ocr_plan(page, layer, mode).regions]


# --- recognition (worker threads) ---------------------------------------------------------

def recognise_image(image: Image.Image, lang: str = LANG, config: str = CONFIG) -> str:
    """Run Tesseract on one image; its hOCR output."""
    _single_threaded()
    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    image.format = "PPM"   # pytesseract writes PNG otherwise: slower to encode, same pixels
    try:
        out = pytesseract.image_to_pdf_or_hocr(image, lang=lang, extension="hocr",
                                               config=config, timeout=TIMEOUT_S)
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable(f"Tesseract was not found. {INSTALL_HINT}") from None
    except pytesseract.TesseractError as exc:
        # Tesseract's stderr says why ("Image too large: ..."); it never holds what it read.
        why = " ".join(str(exc.message).split())[:200]
        raise OcrFailed(f"Tesseract failed on an image (exit status {exc.status}"
                        + (f": {why}" if why else "") + ").") from None
    except RuntimeError:   # pytesseract's timeout
        raise OcrFailed(f"Tesseract took longer than {TIMEOUT_S} s on one image.") from None
    return out.decode("utf-8")


def _single_threaded() -> None:
    # pytesseract passes our environment to each Tesseract. Several OpenMP threads per process
    # fight over the cores (2-3.5x the CPU time measured); one process per core is the fast shape.
    os.environ["OMP_THREAD_LIMIT"] = "1"


# --- the engine ------------------------------------------------------------------------------

class OcrEngine:
    """A pool of Tesseract processes behind a content cache."""

    def __init__(self, cache: OcrCache | None = None, workers: int | None = None, *,
                 lang: str = LANG, config: str = CONFIG, tesseract_cmd: str | None = None):
        self.cache = cache if cache is not None else OcrCache(None)
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.lang, self.config = lang, config
        self.calls = 0          # Tesseract runs started (cache misses)
        self._tesseract_cmd = tesseract_cmd
        self._checked = False
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        # Jobs under way by key: a logo repeated on every page is read once, not once per
        # page that was submitted before the first reading finished.
        self._inflight: dict[str, Future] = {}

    def check(self) -> None:
        """Raise OcrUnavailable unless Tesseract and its chi_sim model are installed."""
        if self._checked:
            return
        _single_threaded()
        previous = pytesseract.pytesseract.tesseract_cmd
        if self._tesseract_cmd:
            # pytesseract keeps the command in a module global; set it only once it works.
            pytesseract.pytesseract.tesseract_cmd = self._tesseract_cmd
        try:
            try:
                langs = set(pytesseract.get_languages(config=""))
            except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
                raise OcrUnavailable("Tesseract OCR is not installed or cannot run. "
                                     f"{INSTALL_HINT}") from None
            missing = [lang for lang in self.lang.split("+") if lang not in langs]
            if missing:
                raise OcrUnavailable(f"Tesseract has no '{'+'.join(missing)}' language model. "
                                     f"{INSTALL_HINT}")
        except OcrUnavailable:
            pytesseract.pytesseract.tesseract_cmd = previous
            raise
        self._checked = True

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ocr")
            return self._pool

    def submit(self, job: OcrJob) -> Future:
        """OCR one job in the pool; the future gives list[TextLine] (source 'ocr')."""
        job = job if job.key else job.with_key(self.lang, self.config)
        cached = self.cache.get(job.key)
        if cached is not None:
            return done_future([line for line, _ in cached])
        self.check()
        with self._lock:
            running = self._inflight.get(job.key)
        if running is not None:
            return running
        future = self._executor().submit(lambda: [line for line, _ in self._run(job)])
        with self._lock:
            self._inflight[job.key] = future
        future.add_done_callback(lambda _f: self._forget(job.key))
        return future

    def _forget(self, key: str) -> None:
        with self._lock:
            self._inflight.pop(key, None)

    def recognise(self, job: OcrJob) -> list[tuple[TextLine, float]]:
        """OCR one job here and now: lines with their mean word confidence (0-100)."""
        job = job if job.key else job.with_key(self.lang, self.config)
        cached = self.cache.get(job.key)
        if cached is not None:
            return cached
        self.check()
        return self._run(job)

    def _run(self, job: OcrJob) -> list[tuple[TextLine, float]]:
        with self._lock:
            self.calls += 1
        read = ready(job)
        hocr = recognise_image(read.image, self.lang, self.config)
        grey = np.asarray(read.image.convert("L"))
        parsed = parse_hocr(hocr)
        whole_page = job.edges and job.level is not None and job.keep is None and read.rows is None
        dropped = [] if whole_page else None
        lines = fitted_lines(parsed, grey, read.transform, read.rows, rejoin=read.unrolled,
                             dropped=dropped)
        if whole_page:
            lines.extend(self._edges_again(read, grey, [ln.bbox[1::2] for ln in parsed]))
        # Pass 1 on a scan, not verification, also reads again the lines it garbled (`reread`).
        pieces = strips.second_look(parsed, grey, _dpi(read), dropped, whole_page=whole_page,
                                    garbled=job.edges and job.level is not None)
        if pieces:
            lines.extend(self._strips_again(read, grey, pieces))
        lines.extend((TextLine(HANDWRITING, [mark], "ocr"), 0.0) for mark in job.marks)
        self.cache.put(job.key, lines)
        return lines

    def _edges_again(self, read: OcrJob, grey: np.ndarray, read_rows: list[tuple[int, int]],
                     ) -> list[tuple[TextLine, float]]:
        """The header and footer lines the page's reading skipped (`read_rows`: the pixel rows
        of the lines it read), each read on its own (`edges`): a reading that stopped at a
        chart missed the hospital's name below it."""
        found = []
        for top, bottom in edges.unread_lines(grey, read_rows, _dpi(read)):
            with self._lock:
                self.calls += 1
            crop = read.image.crop((0, top, read.image.width, bottom))
            m = pymupdf.Matrix(1, 0, 0, 1, 0, top) * pymupdf.Matrix(*read.transform)
            found.extend(item for item in lines_from_hocr(
                recognise_image(crop, self.lang, self.config), grey[top:bottom],
                (m.a, m.b, m.c, m.d, m.e, m.f)) if item[0].text != HANDWRITING)
        return found

    def _strips_again(self, read: OcrJob, grey: np.ndarray, pieces: list
                      ) -> list[tuple[TextLine, float]]:
        """Strips of pieces cut out of the page (`unread.strip`, `reread.strip`: image, slots,
        `place`) read again, stacked in one image so a page costs one more Tesseract call,
        not one a strip; each reading put back where its piece stood, in the page's points."""
        with self._lock:
            self.calls += 1
        image, tops = strips.stacked([p[0] for p in pieces], paper_tone(grey))
        read_back = lines_from_hocr(recognise_image(Image.fromarray(image, "L"), self.lang,
                                                    self.config), image, (1, 0, 0, 1, 0, 0))
        m = pymupdf.Matrix(*read.transform)
        out = []
        for (_image, slots, place), lines in zip(pieces, strips.split(read_back, tops)):
            out.extend((TextLine(text, [tuple(pymupdf.Rect(b) * m) for b in in_rows(px, read.rows)],
                                 "ocr", unsure=unsure), conf)
                       for text, px, unsure, conf in place(lines, slots))
        return out

    def submit_page(self, page: pymupdf.Page, layer: PageLayer, mode: OcrModeName,
                    dpi: float | None = None) -> Future:
        """Render what the page needs OCR'd (here), read it in the pool: Future[list[TextLine]]."""
        futures = [self.submit(job) for job in page_jobs(page, layer, mode, dpi)]
        return gather(futures)

    def ocr_page(self, page: pymupdf.Page, layer: PageLayer, mode: OcrModeName = "auto",
                 dpi: float | None = None) -> list[TextLine]:
        """The OCR lines of one page, in PDF coordinates (waits for them)."""
        return self.submit_page(page, layer, mode, dpi).result()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _dpi(read: OcrJob) -> float:
    return 72.0 / max(math.hypot(read.transform[0], read.transform[1]), 1e-9)


def done_future(value) -> Future:
    f: Future = Future()
    f.set_result(value)
    return f


def gather(futures: list[Future]) -> Future:
    """One future for all: the lines of every job in order, or the first error."""
    if not futures:
        return done_future([])
    if len(futures) == 1:
        return futures[0]
    out: Future = Future()
    remaining = [len(futures)]
    lock = threading.Lock()

    def settle(_f: Future) -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0] or out.done():
                return
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            out.set_exception(errors[0])
        else:
            out.set_result([line for f in futures for line in f.result()])

    for f in futures:
        f.add_done_callback(settle)
    return out


def ocr_text_of_page(page: pymupdf.Page, dpi: float = DPI,
                     engine: OcrEngine | None = None) -> str:
    """Plain OCR text of the whole rendered page, one line per text line (for verification)."""
    engine = engine or OcrEngine(workers=1)
    region = OcrRegion(tuple(page_rect(page)), tuple(x[0] for x in page.get_images()), True)
    job = region_job(page, region, dpi)
    return "\n".join(line.text for line, _ in engine.recognise(job))
