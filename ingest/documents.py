"""Read documents (minutes, inspection reports, strategies) into MENTIONS of what the graph holds.

Text comes from plain text, Markdown, HTML (tags stripped with the standard library's
parser; scripts and styles dropped; nothing is ever fetched) or PDF (pypdf). It is split
into sentences, and each sentence is searched for the names and aliases of nodes already
in the graph (``names``: rows of the ``document-names`` query, passed in by the caller:
a reader never touches the store) and for the glossary's terms (``ontology/glossary.toml``,
whose header states how a term is tied to a node). Each document becomes a ``Source``
node; each node it names becomes one ``MENTIONS`` per sentence, with that sentence as evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch, too_large
from ingest.mentions import DocumentMentions
from ingest.names import NameIndex
from ontology.ids import relationship_id, source_id as make_source_id
from partnermap.errors import Problem

FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".pdf": "pdf"}
EVIDENCE_CHARS = 300


# --- Text out of files ---------------------------------------------------------------------


class _HTMLText(HTMLParser):
    """The visible text of an HTML page, blocks as paragraphs; scripts and styles dropped."""

    BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
              "article", "header", "footer", "title", "blockquote", "pre", "dd", "dt", "td", "th", "main", "nav"}
    SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


_MARKDOWN = [(re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"^\s{0,3}(#{1,6}|>)\s*", re.M), ""),
             (re.compile(r"(\*\*|__|`)"), "")]


def _decode(name: str, raw: bytes) -> str | Problem:
    """Text from bytes: UTF-8, else Windows-1252 (old council documents); binary refused."""
    head = raw[:8192]
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    if b"\x00" in head or controls > len(head) // 20:
        return Problem(name, None, None, head[:8].hex(" "), "binary data, not text: is this really a text document?", fatal=True)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        line = raw[: utf8_error.start].count(b"\n") + 1
        return Problem(name, f"line {line}", None, raw[utf8_error.start: utf8_error.start + 8].hex(" "),
                       f"not UTF-8 or Windows-1252 text (byte {utf8_error.start})", fatal=True)


def _pdf_pages(name: str, raw: bytes) -> list[str] | Problem:
    """Each page's text (pypdf); encrypted, damaged or image-only PDFs are Problems."""
    from pypdf import PdfReader

    try:
        pdf = PdfReader(io.BytesIO(raw))
        if pdf.is_encrypted:
            try:
                opened = pdf.decrypt("")
            except Exception:  # noqa: BLE001 - an unsupported cipher is as closed as a password
                opened = 0
            if not opened:
                return Problem(name, None, None, None, "the PDF is encrypted with a password: save an unprotected copy", fatal=True)
        return [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        return Problem(name, None, None, None, f"not a readable PDF: {exc}", fatal=True)


def _pages(path: Path, raw: bytes) -> list[str] | Problem:
    """A document's text, one string per page (one page but for PDFs)."""
    kind = FORMATS[path.suffix.lower()]
    if kind == "pdf":
        return _pdf_pages(path.name, raw)
    text = _decode(path.name, raw)
    if isinstance(text, Problem):
        return text
    if kind == "markdown":
        for pattern, replacement in _MARKDOWN:
            text = pattern.sub(replacement, text)
    elif kind == "html":
        parser = _HTMLText()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    return [text]


# --- Sentences -----------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•·▪◦o]|\d{1,2}[.)])(?:\s+|$)")
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "dr", "mr", "mrs", "ms", "st", "cllr", "vs", "cf", "approx",
                  "prof", "rev", "nb", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                  "oct", "nov", "dec", "fig", "para", "ref", "dept", "est"}
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")


def sentences(text: str) -> Iterator[tuple[int, int, int, str]]:
    """(paragraph, sentence, line, text) of each sentence; bullets and lines of a list start anew.

    Paragraphs are separated by blank lines (or page feeds); wrapped lines are joined. A stop
    ends a sentence before a capital or digit, unless it follows an abbreviation ("e.g.",
    "Dr.", "No. 3") or initials ("M.E.L.").
    """
    paragraph = 0
    units: list[list[tuple[int, str]]] = []  # the paragraph's units: (line number, text) of each line
    for number, line in enumerate(re.split(r"\r\n|\r|\n|\f", text) + [""], start=1):
        if not line.strip():
            if units:
                paragraph += 1
                yield from _paragraph_sentences(paragraph, units)
                units = []
            continue
        bullet = _BULLET.match(line)
        body = " ".join((line[bullet.end():] if bullet else line).split())
        if bullet or not units or not units[-1]:
            units.append([])
        if body:
            units[-1].append((number, body))


def _paragraph_sentences(paragraph: int, units: list[list[tuple[int, str]]]) -> Iterator[tuple[int, int, int, str]]:
    number = 0
    for lines in units:
        unit = " ".join(body for _, body in lines)
        starts, offset = [], 0  # where each line begins in the unit, to give each sentence its own line
        for line, body in lines:
            starts.append((offset, line))
            offset += len(body) + 1
        pieces, start = [], 0
        for end in _END.finditer(unit):
            before = unit[start:end.start()]
            word = before.rsplit(" ", 1)[-1].strip("([\"'“‘")
            if _abbreviation(word, unit[end.end():].lstrip()) or (word.isdigit() and len(before.split()) <= 2):
                continue  # "Issue 1. Recruitment…" is a numbered heading, not two sentences
            pieces.append((start, end.end()))
            start = end.end()
        pieces.append((start, len(unit)))
        for a, b in pieces:
            piece = unit[a:b].strip()
            if piece:
                a += len(unit[a:b]) - len(unit[a:b].lstrip())
                number += 1
                yield paragraph, number, max(line for offset, line in starts if offset <= a), piece


def _abbreviation(word: str, after: str) -> bool:
    """Whether the stop after ``word`` belongs to it ("e.g.", "Dr.", "M.E.L.", "No. 3") rather than ending a sentence."""
    stem = word.casefold()
    if stem in _ABBREVIATIONS or (stem == "no" and after[:1].isdigit()):
        return True
    return bool(_INITIALS.fullmatch(word)) and ("." in word or word.isupper() and len(word) == 1)


def _evidence(sentence: str, start: int, end: int) -> str:
    """The sentence, or a window of it around the match when it is long."""
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    left = max(0, min(start - (EVIDENCE_CHARS - (end - start)) // 2, len(sentence) - EVIDENCE_CHARS))
    window = sentence[left:left + EVIDENCE_CHARS]
    return ("…" if left else "") + window + ("…" if left + EVIDENCE_CHARS < len(sentence) else "")


# --- The reader ----------------------------------------------------------------------------


def read(source: str | Path, names: Iterable[Mapping] | NameIndex = (), dataset: str | None = None) -> Iterator[Item]:
    """Read a document, or a folder of them, into Source nodes and MENTIONS of ``names``.

    ``names``: rows (id, label, name, aliases, sector, kind) of what the graph holds, as the
    ``document-names`` query returns them, or a :class:`~ingest.names.NameIndex` built from them once.
    """
    path = Path(source)
    if not path.exists():
        yield Problem(str(path), None, None, None, "no such file or folder", fatal=True)
        return
    index = names if isinstance(names, NameIndex) else NameIndex(names)
    kinds = ", ".join(FORMATS)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
        if not files:
            yield Problem(str(path), None, None, None, f"no documents in this folder (the reader takes {kinds})", fatal=True)
    elif path.suffix.lower() not in FORMATS:
        yield Problem(path.name, None, None, None, f"not a kind of document this reader takes ({kinds})", fatal=True)
        files = []
    else:
        files = [path]
    for file in files:
        yield from _document(file, index, dataset)


def _document(path: Path, index: NameIndex, dataset: str | None = None) -> Iterator[Item]:
    if oversized := too_large(path):
        yield oversized
        return
    raw = path.read_bytes()
    if not raw.strip():
        yield Problem(path.name, None, None, None, "the document is empty", fatal=True)
        return
    pages = _pages(path, raw)
    if isinstance(pages, Problem):
        yield pages
        return
    source_id = make_source_id("document", dataset, path.name) if dataset else make_source_id("document", path.name)
    rows: list[dict] = []
    read_any = False
    mentions = DocumentMentions(index)
    for page_number, text in enumerate(pages, start=1):
        for paragraph, number, line, sentence in sentences(text):
            read_any = True
            if path.suffix.lower() == ".pdf":
                position = f"page {page_number} paragraph {paragraph} sentence {number}"
            elif path.suffix.lower() in (".html", ".htm"):
                position = f"paragraph {paragraph} sentence {number}"
            else:
                position = f"paragraph {paragraph} sentence {number} (line {line})"
            mentions.read(sentence, position)
    kept, unresolved = mentions.judged()
    named: set[tuple[int, tuple[str, str]]] = set()
    for found in kept:
        if (found.ordinal, found.meaning.target) in named:  # one MENTIONS per node per sentence
            continue
        named.add((found.ordinal, found.meaning.target))
        label, node_id = found.meaning.target
        rows.append({
            "label": label, "from_id": source_id, "to_id": node_id,
            "id": relationship_id("MENTIONS", source_id, node_id, label, found.position),
            "evidence": _evidence(found.sentence, found.start, found.end), "term": found.sentence[found.start:found.end],
            "position": found.position, "sector": found.meaning.sector,
            "source": source_id, "source_row": f"{path.name} {found.position}", ROW: found.position,
        })
    if not read_any:
        reason = "no text could be extracted (a scanned PDF needs OCR first)" if pages and path.suffix.lower() == ".pdf" else "the document has no text"
        yield Problem(path.name, None, None, None, reason, fatal=True)
        return
    yield NodeBatch("Source", pd.DataFrame([{
        "id": source_id, "name": path.name, "reader": "documents", "path": str(path.resolve()),
        "sha256": hashlib.sha256(raw).hexdigest(), "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "unresolved": [f"{term} ×{n}: {note}" for (term, note), n in sorted(unresolved.items())],
        "source": source_id, "source_row": path.name, ROW: None,
    }]), path.name)
    if rows:
        frame = pd.DataFrame(rows)
        for label, part in frame.groupby("label", sort=True):
            yield EdgeBatch("MENTIONS", part.drop(columns=["label"]).reset_index(drop=True), path.name,
                            ("Source",), (label,), "document", "mentions")
