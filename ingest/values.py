"""Values as people in the UK write them, read into what the model holds: ISO dates, fractions.

``01/06/2001`` is the first of June: UK registers and UK publishers write the day first. Dates are
also read with the month in words (``1 June 2001``, ``1st Jun 2001``, ``June 1, 2001``), with dashes or
dots (``01-06-2001``, ``1.6.2001``); a two-digit year is not guessed at. A percentage (``92%``) is
read as the fraction it stands for (``0.92``), and an amount in pounds (``£12,500.50``) as its number.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$", re.I)
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.I)
_PERCENT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*%$")
_POUNDS = re.compile(r"^£\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")


def _date(year: str, month: str | int, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def uk_date(text: str) -> str | None:
    """``01/06/2001``, ``1 June 2001`` … as ``2001-06-01``; None for anything else (ISO dates included)."""
    text = text.strip()
    match = _NUMERIC.match(text)
    if match and match[4] is None:
        found = _date(match[3], match[2], match[1])
        return found.isoformat() if found else None
    for pattern, order in ((_DAY_MONTH, (1, 2, 3)), (_MONTH_DAY, (2, 1, 3))):
        words = pattern.match(text)
        if words:
            day, month, year = (words[i] for i in order)
            number = _MONTHS.get(month.casefold())
            found = _date(year, number, day) if number else None
            return found.isoformat() if found else None
    return None


def uk_date_time(text: str) -> str | None:
    """``23/06/2015 00:00`` as ``2015-06-23T00:00:00``; a date alone as :func:`uk_date` reads it; else None."""
    match = _NUMERIC.match(text.strip())
    if not match or match[4] is None:
        return uk_date(text)
    day = _date(match[3], match[2], match[1])
    try:
        return dt.datetime.combine(day, dt.time(int(match[4]), int(match[5]), int(match[6] or 0))).isoformat() if day else None
    except ValueError:
        return None


def fraction(text: str) -> str | None:
    """``92%`` as ``0.92`` (exactly: ``33.3%`` is ``0.333``); None for anything that is not a percentage."""
    match = _PERCENT.match(text.strip())
    if not match:
        return None
    try:
        return format((Decimal(match[1]) / 100).normalize(), "f")
    except InvalidOperation:
        return None


def pounds(text: str) -> str | None:
    """``£12,500.50`` as ``12500.50`` (commas only between thousands); None for anything without a £ sign."""
    match = _POUNDS.match(text.strip())
    return f"{match[1].replace(',', '')}{match[2] or ''}" if match else None
