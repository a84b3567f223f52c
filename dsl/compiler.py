"""Policy text -> dsl.model.Policy: parse with Lark, transform to frozen dataclasses, check meaning."""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from lark import Token, Transformer, v_args
from lark.exceptions import VisitError

from dsl import regions
from dsl.errors import PolicyError, PolicySemanticError
from dsl.model import (
    Action,
    AfterLabel,
    Column,
    DocumentType,
    Everything,
    Handwriting,
    IdCard,
    Images,
    MetaEquals,
    Pattern,
    Phone,
    Policy,
    Pos,
    Region,
    Rule,
    Signature,
    TitleMatches,
    UnreadText,
    WordList,
)
from dsl.parser import parse, prepare
from dsl.wordlists import LoadedList, WordListError, load_list


@dataclass(frozen=True)
class _Category:
    name: str
    token: Token


@dataclass(frozen=True)
class _Setting:
    key: str            # "default action" | "ocr" | "allow" | "propagate"
    value: object
    line: int
    column: int


@dataclass(frozen=True)
class _Doc:
    doc: DocumentType
    name_token: Token


def _unquote(tok: Token) -> str:
    s = str(tok)
    if s.startswith("“"):
        return s[1:-1]
    return re.sub(r"\\(.)", r"\1", s[1:-1])


@v_args(meta=True)
class _Compiler(Transformer):
    """One method per grammar rule; semantic errors carry the offending node's position."""

    def __init__(self, text: str, filename: str, lists_dir: Path | None) -> None:
        super().__init__()
        self.lines = text.split("\n")
        self.filename = filename
        self.stem = Path(filename).stem or filename
        self.lists_dir = lists_dir
        self.lists: dict[str, LoadedList] = {}

    # --- helpers -----------------------------------------------------------------------------
    def _error(self, message: str, line: int, column: int, width: int = 1,
               hint: str | None = None) -> PolicySemanticError:
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return PolicySemanticError(message, filename=self.filename, line=line, column=column,
                                   hint=hint, source_line=src, width=width)

    def _at(self, tok: Token, message: str, hint: str | None = None) -> PolicySemanticError:
        width = (tok.end_column - tok.column) if tok.end_line == tok.line else len(tok)
        return self._error(message, tok.line, tok.column, width, hint)

    def _nonempty(self, items: list, meta, what: str, example: str) -> tuple[str, ...]:
        if not items:
            raise self._error(f"{what} is empty", meta.line, meta.column,
                              hint=f"give at least one, e.g. {example}")
        for tok in items:
            if not str(tok):
                raise self._at(tok, f"empty string in {what}", "remove it or write the text")
        return tuple(str(t) for t in items)

    def _list(self, tok: Token) -> tuple[str, ...]:
        name = str(tok)
        if name not in self.lists:
            try:
                self.lists[name] = load_list(self.lists_dir, name)
            except WordListError as e:
                raise self._at(tok, e.message, e.hint) from None
        return self.lists[name].words

    def _regex(self, tok: Token) -> re.Pattern:
        body = str(tok)[1:-1].replace("\\/", "/")
        try:
            compiled = re.compile(body)
        except re.error as e:
            col = tok.column + 1 + (e.pos or 0)
            raise self._error(f"invalid regular expression: {e.msg}", tok.line, col,
                              hint="the pattern is Python `re` syntax between slashes") from None
        if compiled.match(""):
            raise self._at(tok, "pattern matches empty text, so it would match everywhere",
                           "use + instead of * (or ?) for the part that must be present")
        return compiled

    # --- tokens and small rules ----------------------------------------------------------------
    def string(self, meta, children):
        (tok,) = children
        return Token.new_borrow_pos("STRING", _unquote(tok), tok)

    def category(self, meta, children):
        (tok,) = children
        if not str(tok).strip():
            raise self._at(tok, "empty category name", "name what is hidden, e.g. 患者姓名")
        return _Category(str(tok), tok)

    def _keyword(self, meta, children):
        return str(children[0])

    shape = ocr_mode = page_sel = sequence = unit = _keyword

    def measure(self, meta, children):
        num, unit = children
        return regions.Measure(float(num), unit, num)

    # --- actions -------------------------------------------------------------------------------
    def box_action(self, meta, children):
        return Action("box")

    def label_action(self, meta, children):
        (text,) = self._nonempty(children, meta, "action label", 'action label "[患者姓名]"')
        return Action("label", text)

    def pseudonym_action(self, meta, children):
        seq = children[1] if len(children) > 1 else "cjk"
        (text,) = self._nonempty(children[:1], meta, "pseudonym", 'action pseudonym "患者"')
        return Action("pseudonym", text, seq)

    # --- detectors -----------------------------------------------------------------------------
    def idcard(self, meta, children):
        return IdCard()

    def phone(self, meta, children):
        return Phone()

    def everything(self, meta, children):
        return Everything()

    def images(self, meta, children):
        return Images()

    def handwriting(self, meta, children):
        return Handwriting()

    def unread_text(self, meta, children):
        return UnreadText()

    def unread_text_near(self, meta, children):
        return UnreadText(self._nonempty(children, meta, "label list", 'near label "床号"'))

    def pattern(self, meta, children):
        compiled = self._regex(children[0])
        group = 0
        if len(children) > 1:
            num = children[1]
            if not re.fullmatch(r"\d+", str(num)):
                raise self._at(num, f"group must be a whole number, not {num}")
            group = int(num)
            if group > compiled.groups:
                have = f"only {compiled.groups} group" + ("s" if compiled.groups != 1 else "")
                raise self._at(num, f"group {group} but the pattern has {have}",
                               "groups are counted by '(' from the left; group 0 is the whole match")
        return Pattern(compiled.pattern, group)

    def after_label(self, meta, children):
        shape = "text"
        if children and isinstance(children[0], str) and not isinstance(children[0], Token):
            shape, children = children[0], children[1:]
        labels = self._nonempty(children, meta, "label list", 'after label "姓名" "患者姓名"')
        return AfterLabel(labels, shape)

    def word_list(self, meta, children):
        (tok,) = children
        return WordList(str(tok), self._list(tok))

    def inline_words(self, meta, children):
        return WordList("", self._nonempty(children, meta, "word list", 'words "某某医院"'))

    def signature(self, meta, children):
        return Signature(self._nonempty(children, meta, "label list", 'near label "签名"'))

    # --- scopes --------------------------------------------------------------------------------
    def _region(self, build, *args):
        try:
            return build(*args)
        except regions.RegionError as e:
            raise self._at(e.token, e.message, e.hint) from None

    def top_band(self, meta, children):
        return lambda pages: self._region(regions.band, "top", children, pages)

    def bottom_band(self, meta, children):
        return lambda pages: self._region(regions.band, "bottom", children, pages)

    def box(self, meta, children):
        return lambda pages: self._region(regions.box, children, pages)

    def pages(self, meta, children):
        return children[0]

    def area(self, meta, children):
        build = children[0]
        return build(children[1] if len(children) > 1 else "every")

    def scope_region(self, meta, children):
        return children[0]

    def scope_column(self, meta, children):
        return Column(self._nonempty(children, meta, "header list", 'under header "签名"'))

    # --- rules ---------------------------------------------------------------------------------
    def _rule(self, meta, detector, children, scope=None) -> Rule:
        action = children[-1] if isinstance(children[-1], Action) else None
        cat = next(c for c in children if isinstance(c, _Category))
        return Rule(id=f"{self.stem}:{meta.line}", detector=detector, category=cat.name,
                    action=action, scope=scope, pos=Pos(meta.line, meta.column))

    def find(self, meta, children):
        detector, rest = children[0], children[1:]
        scope = rest[0] if rest and isinstance(rest[0], (Region, Column)) else None
        return self._rule(meta, detector, rest, scope)

    def region_rule(self, meta, children):
        return self._rule(meta, Everything(), children[1:], children[0])

    def column_rule(self, meta, children):
        i = next(i for i, c in enumerate(children) if isinstance(c, _Category))
        headers = self._nonempty(children[:i], meta, "header list", 'under header "签名"')
        return self._rule(meta, Everything(), children[i:], Column(headers))

    # --- settings ------------------------------------------------------------------------------
    def default_action(self, meta, children):
        return _Setting("default action", children[0], meta.line, meta.column)

    def ocr_setting(self, meta, children):
        return _Setting("ocr", children[0], meta.line, meta.column)

    def allow(self, meta, children):
        words = self._nonempty(children, meta, "allow list", 'allow "主任医师"')
        return _Setting("allow", words, meta.line, meta.column)

    def allow_list(self, meta, children):
        return _Setting("allow", self._list(children[0]), meta.line, meta.column)

    def propagate(self, meta, children):
        if not children:
            raise self._error("propagate names no category", meta.line, meta.column,
                              hint="list the categories to hunt record-wide: propagate 患者姓名")
        return _Setting("propagate", children, meta.line, meta.column)

    # --- documents -----------------------------------------------------------------------------
    def title_matches(self, meta, children):
        return TitleMatches(self._regex(children[0]).pattern)

    def meta_equals(self, meta, children):
        field, value = children
        return MetaEquals(str(field), str(value))

    def document(self, meta, children):
        name_tok = children[0]
        if not str(name_tok).strip():
            raise self._at(name_tok, "empty document type name", 'name it, e.g. document "护理记录"')
        conds = tuple(c for c in children[1:] if isinstance(c, (TitleMatches, MetaEquals)))
        rules = tuple(c for c in children[1:] if isinstance(c, Rule))
        ocr = self._single([c for c in children[1:] if isinstance(c, _Setting)], "ocr")
        doc = DocumentType(str(name_tok), conds, rules, ocr, Pos(meta.line, meta.column))
        return _Doc(doc, name_tok)

    def _single(self, settings: list[_Setting], key: str):
        found = [s for s in settings if s.key == key]
        if len(found) > 1:
            raise self._error(f"'{key}' is set twice", found[1].line, found[1].column,
                              hint=f"keep one; the first is on line {found[0].line}")
        return found[0].value if found else None

    def header(self, meta, children):
        name_tok, version_tok, *settings = children
        if not str(name_tok).strip():
            raise self._at(name_tok, "empty policy name", 'name it, e.g. policy "外送评审" version 1')
        v = str(version_tok)
        if not re.fullmatch(r"\d+", v) or int(v) < 1:
            raise self._at(version_tok, f"version must be a positive whole number, not '{v}'",
                           "write e.g. 'version 1' and raise it each time the policy changes")
        return str(name_tok), int(v), settings

    def start(self, meta, children):
        (name, version, settings), rest = children[0], children[1:]
        settings = settings + [c for c in rest if isinstance(c, _Setting)]
        rules = tuple(c for c in rest if isinstance(c, Rule))
        docs = [c for c in rest if isinstance(c, _Doc)]
        first_doc: dict[str, _Doc] = {}
        for d in docs:
            if d.doc.name in first_doc:
                raise self._at(d.name_token, f"document type '{d.doc.name}' is defined twice",
                               f"the first is on line {first_doc[d.doc.name].doc.pos.line}; "
                               "merge them (several conditions join with 'or')")
            first_doc[d.doc.name] = d
        produced = {r.category for r in rules} | {
            r.category for d in docs for r in d.doc.rules}
        propagate: dict[str, None] = {}
        for s in settings:
            if s.key != "propagate":
                continue
            for cat in s.value:
                if cat.name not in produced:
                    close = difflib.get_close_matches(cat.name, sorted(produced), n=1, cutoff=0.5)
                    hint = (f"did you mean '{close[0]}'?" if close else
                            "categories are named by 'as' in find/region/column rules")
                    raise self._at(cat.token, f"propagate names '{cat.name}', which no rule "
                                   "produces", hint)
                propagate.setdefault(cat.name, None)
        allow: dict[str, None] = dict.fromkeys(w for s in settings if s.key == "allow"
                                               for w in s.value)
        return Policy(
            name=name, version=version,
            default_action=self._single(settings, "default action") or Action(),
            ocr=self._single(settings, "ocr") or "auto",
            rules=rules, documents=tuple(d.doc for d in docs),
            propagate=tuple(propagate), allow=tuple(allow),
        )


def compile_text(text: str, filename: str = "<policy>", lists_dir: Path | None = None) -> Policy:
    """Compile policy source; raise PolicySyntaxError or PolicySemanticError with a position."""
    prepared = prepare(text)
    tree = parse(prepared, filename)
    compiler = _Compiler(prepared, filename, Path(lists_dir) if lists_dir is not None else None)
    try:
        policy = compiler.transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, PolicyError):
            raise e.orig_exc from None
        raise
    return replace(policy, digest=_digest(text, compiler.lists), source=text)


def compile_file(path: str | Path) -> Policy:
    """Compile a ruleset file; its word lists are read from lists/ beside it."""
    path = Path(path)
    text = path.read_bytes().decode("utf-8-sig")
    return compile_text(text, filename=str(path), lists_dir=path.parent / "lists")


def _digest(source: str, lists: dict[str, LoadedList]) -> str:
    """SHA-256 over the source text and, in name order, every word list it loaded."""
    h = hashlib.sha256(source.encode("utf-8"))
    for name in sorted(lists):
        h.update(b"\x00list\x00" + name.encode("utf-8") + b"\x00")
        h.update(lists[name].raw)
    return h.hexdigest()
