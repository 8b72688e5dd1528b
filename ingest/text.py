"""The text of a file people saved from a spreadsheet: its encoding and its delimiter found.

Excel's plain "CSV" choice writes Windows-1252, its "Unicode text" UTF-16 with tabs, European
settings a semicolon between cells. :func:`decode` reads UTF-8 (with or without its byte-order
mark), UTF-16 and UTF-32 (by their byte-order marks, or UTF-16 by its zero bytes), then
Windows-1252; a file that is none of these, or that is UTF-8 with damaged bytes, is refused naming
what was found. :func:`delimiter` picks ``,``, ``;`` or a tab from the header line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

from partnermap.errors import Problem

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# A character of UTF-8 that takes more than one byte: a file holding some is UTF-8, whatever else it holds.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
         "utf-32": "UTF-32", "cp1252": "Windows-1252"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# Characters no cell should hold: C0 controls but tab, line feed and carriage return; DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


@dataclass(frozen=True)
class Decoded:
    """A file's text and the encoding it was read in (``utf-8``, ``utf-16``, ``cp1252`` …)."""

    text: str
    encoding: str

    @property
    def name(self) -> str:
        return NAMES.get(self.encoding, self.encoding)


def has_control(decoded: Decoded, raw: bytes) -> bool:
    """Whether the text holds a control character; in one pass over the bytes where they are ASCII's own."""
    if decoded.encoding in ("utf-8", "utf-8-sig", "cp1252"):
        return len(raw.translate(None, _CONTROL_BYTES)) != len(raw)
    return CONTROL.search(decoded.text) is not None


def _line(raw: bytes, at: int) -> int:
    return raw[:at].count(b"\n") + 1


def decode(file: str, raw: bytes) -> Decoded | Problem:
    """The text of ``raw`` in the first encoding that fits it (see the module docstring), or a fatal Problem."""
    if raw.startswith(b"PK\x03\x04"):
        return Problem(file, None, None, None, "a zip archive (an .xlsx workbook?), not CSV text: save the sheet as "
                       "CSV UTF-8, or give the .xlsx itself", fatal=True)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(raw.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                return Problem(file, None, None, raw[exc.start:exc.start + 8].hex(" "),
                               f"starts as {NAMES[encoding]} text but byte {exc.start} is not {NAMES[encoding]}", fatal=True)
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    head = raw[:4096]
    if head.count(0) > len(head) // 4:  # UTF-16 without its mark: a zero byte beside every ASCII one
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return Decoded(raw.decode(encoding), encoding)
        except UnicodeDecodeError:
            return Problem(file, None, None, head[:8].hex(" "), "binary data, not text (zero bytes, but not UTF-16)", fatal=True)
    at = utf8_error.start
    found = raw[at:at + 8].hex(" ")
    if _UTF8_MULTIBYTE.search(raw):
        return Problem(file, _line(raw, at), None, found,
                       f"UTF-8 text with damaged bytes (byte {at} is not UTF-8): save the file as CSV UTF-8 again", fatal=True)
    try:
        return Decoded(raw.decode("cp1252"), "cp1252")
    except UnicodeDecodeError as exc:
        return Problem(file, _line(raw, exc.start), None, raw[exc.start:exc.start + 8].hex(" "),
                       f"neither UTF-8 nor Windows-1252 text (byte {exc.start}, 0x{raw[exc.start]:02x}, is in neither): "
                       "save the file as CSV UTF-8", fatal=True)


def delimiter(text: str) -> str:
    """The cell delimiter of CSV text: of comma, semicolon and tab, the one that splits the header line most."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = {}
    for candidate in DELIMITERS:
        try:
            counts[candidate] = len(next(csv.reader(io.StringIO(first), delimiter=candidate), []))
        except csv.Error:
            counts[candidate] = 0
    best = max(counts.values())
    return "," if counts[","] == best else max(counts, key=counts.get)
