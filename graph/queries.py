"""Named queries: one question per ``.cypher`` file in ``graph/queries/``.

A file starts with comment lines: a description, then one ``@param`` line per
parameter::

    // Everything that covers a territory …
    // @param territory str: GSS code of the territory
    // @param min int = 1 in 1..100000: fewest memberships to list
    // @order organisation, memberships

A number's range follows ``in`` (``in 0..1``, ``in 1..``); the API and the CLI refuse a value
outside it with the same message. An ``int`` without one still has to fit in 64 bits, and a
``date`` lies in :data:`DATES` unless it says otherwise. A ``limit`` of 0 means its default,
never "everything".

``@order`` names the columns rows are sorted by (a UNION cannot be ordered in Cypher).
``@internal`` marks a query the HTTP API does not serve (the CLI and the code still run it):
one whose rows have no bound on their size, such as whole boundary polygons.
``@flatten col`` turns a column of lists of lists into one list (Cypher has no portable
flatten: a query that aggregates twice collects lists of lists). ``@context name: …`` declares a parameter the runner fills from the model (never from
the user), such as the theme → sector rules. Optional parameters need a default: the
embedded engine cannot type a null parameter, so queries test ``$territory = ''``.

Files are written in Neo4j's Cypher. Where the embedded engine's dialect differs
a few narrow rewrites render it (``labels(x)[0]`` → ``label(x)``, ``type(r)`` →
``label(r)``, ``toInteger(`` → ``to_int64(``, ``(x:A|B)`` → ``(x:A:B)``, which the
embedded engine reads as "either"); anything larger goes in ``queries/embedded/`` or ``queries/neo4j/``
under the same file name. Declared and used ``$params`` are checked at load time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ontology import load_model
from partnermap.errors import NotFound, QueryError

QUERY_DIR = Path(__file__).with_name("queries")
DIALECTS = ("neo4j", "embedded")

_PARAM_LINE = re.compile(
    r"^//\s*@param\s+(?P<name>[A-Za-z_]\w*)\s+(?P<type>str|int|float|date|bool|list)"
    r"(?:\s*=\s*(?P<default>[^:]+?))?(?:\s+in\s+(?P<low>[\w.+-]*?)\.\.(?P<high>[\w.+-]*))?\s*:\s*(?P<description>.*)$"
)
# Dates a parameter may name unless its file says otherwise: partnerships and plans of the
# last century and this one (``as_of=0`` was once read as 1970-01-01).
DATES = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
INT64 = (-(2**63), 2**63 - 1)
# A UNION's branches, each on lines of their own between the branches, as the query files write them.
_UNION = re.compile(r"^\s*UNION(?:\s+ALL)?\s*$", re.MULTILINE | re.IGNORECASE)
_ENDS_WITH_LIMIT = re.compile(r"\bLIMIT\s+(?:\$\w+|\d+)\s*$", re.IGNORECASE)
# A statement whose last clause is ORDER BY: its rows come in a fixed order, so the engine can page it.
_ENDS_ORDERED = re.compile(r"\bORDER\s+BY\b(?:(?!\b(?:RETURN|WITH|MATCH|UNWIND|CALL|SKIP|LIMIT|UNION)\b).)*$",
                           re.IGNORECASE | re.DOTALL)
_USED_PARAM = re.compile(r"\$([A-Za-z_]\w*)")
# An abstract kind of the model in a label expression: ``(p:@Group)`` is every label of the kind.
_KIND = re.compile(r"(?<=[:|])@([A-Za-z]\w*)")
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_COMMENTS = re.compile(r"//[^\n]*")

# Embedded rewrites: (pattern, replacement). Each is tested on its own.
_EMBEDDED_REWRITES = [
    (re.compile(r"\blabels\((\w+)\)\[0\]"), r"label(\1)"),
    (re.compile(r"\btype\((\w+)\)"), r"label(\1)"),
    (re.compile(r"\btoInteger\("), "to_int64("),
    (re.compile(r"\((\w*)((?::\w+)(?:\|\w+)+)"), lambda m: f"({m.group(1)}{m.group(2).replace('|', ':')}"),
]


class QueryFileError(ValueError):
    """A query file that is malformed: names the file and line."""


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    default: Any
    required: bool
    description: str
    low: Any = None  # the least value accepted (None: no bound but the type's own), in the parameter's type
    high: Any = None

    def bounds(self) -> tuple[Any, Any]:
        """The least and greatest values accepted: those declared, else the type's own (int64, :data:`DATES`)."""
        fallback = {"int": INT64, "date": DATES}.get(self.type, (None, None))
        low = fallback[0] if self.low is None else self._typed(self.low)
        high = fallback[1] if self.high is None else self._typed(self.high)
        return low, high

    def coerce(self, value: Any) -> Any:
        """Turn a CLI/API string (or a typed value) into this parameter's type, checked against its range."""
        typed = self._typed(value)
        if typed is None or self.type not in ("int", "float", "date"):
            return typed
        if self.name == "limit" and typed == 0:  # 0 means the default, never "everything"
            return self._typed(self.default)
        low, high = self.bounds()
        # Written as "not within" so that NaN, which compares false with everything, is refused.
        if not ((low is None or typed >= low) and (high is None or typed <= high)):
            span = f"from {low} to {high}" if low is not None and high is not None else (
                f"at least {low}" if low is not None else f"at most {high}")
            raise QueryError(f"parameter {self.name!r} must be {span}, not {value!r}")
        return typed

    def _typed(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            if self.type == "list":
                return list(value) if isinstance(value, (list, tuple, set)) else [v.strip() for v in str(value).split(",") if v.strip()]
            if self.type == "int":
                return int(value)
            if self.type == "float":
                return float(value)
            if self.type == "bool":
                if isinstance(value, bool):
                    return value
                lowered = str(value).strip().lower()
                if lowered not in ("true", "false", "yes", "no", "1", "0"):
                    raise ValueError(value)
                return lowered in ("true", "yes", "1")
            if self.type == "date":
                if value == "today":
                    return dt.date.today()
                if isinstance(value, dt.date):
                    return value
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):  # fromisoformat also reads 20080101
                    raise ValueError(value)
                return dt.date.fromisoformat(str(value))
            return str(value)
        except ValueError:
            shown = value if len(str(value)) <= 100 else f"{str(value)[:100]}…"
            article = "an" if self.type == "int" else "a"
            raise QueryError(f"parameter {self.name!r} must be {article} {self.type}, not {shown!r}") from None


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its description, parameters and the text for each dialect."""

    name: str
    description: str
    params: tuple[Param, ...]
    texts: dict[str, str]
    path: Path
    order: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    flatten: tuple[str, ...] = ()
    internal: bool = False

    def render(self, dialect: str) -> str:
        """The query's text for ``dialect`` (``neo4j`` or ``embedded``)."""
        if dialect not in DIALECTS:
            raise QueryError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
        return self.texts[dialect]

    def render_capped(self, dialect: str, parameter: str) -> str:
        """The text with ``LIMIT $parameter`` ending each branch that has no LIMIT of its own.

        So the engine stops after that many rows of each part of a UNION (which cannot be limited
        as a whole in either dialect), instead of building an answer of any size.
        """
        if parameter in self.declared():
            raise QueryError(f"{self.name}: ${parameter} is a parameter of the query itself")
        text = self.render(dialect)
        branches = _UNION.split(text)
        separators = _UNION.findall(text)
        capped = [branch if _ENDS_WITH_LIMIT.search(_COMMENTS.sub("", branch).rstrip())
                  else f"{branch.rstrip()}\nLIMIT ${parameter}\n" for branch in branches]
        return "".join(part for pair in zip(capped, [*separators, ""]) for part in pair)

    def render_paged(self, dialect: str, skip: str, rows: str) -> str | None:
        """The text with ``SKIP $skip LIMIT $rows`` after its final ORDER BY, or None where the engine
        cannot page it (a UNION, an order applied in Python, or no ORDER BY of its own)."""
        if skip in self.declared() or rows in self.declared():
            raise QueryError(f"{self.name}: ${skip} or ${rows} is a parameter of the query itself")
        text = self.render(dialect)
        body = _COMMENTS.sub("", _STRINGS.sub("''", text)).rstrip()
        if self.order or _UNION.search(body) or not _ENDS_ORDERED.search(body):
            return None
        return f"{text.rstrip()}\nSKIP ${skip} LIMIT ${rows}\n"

    def declared(self) -> set[str]:
        """The names its text may use: declared parameters and those filled from the model."""
        return {p.name for p in self.params} | set(self.context)

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check and type the given parameters, filling defaults; QueryError on any problem."""
        return bind_params(self.name, self.params, given)


def bind_params(name: str, params: tuple[Param, ...], given: dict[str, Any]) -> dict[str, Any]:
    """Check and type parameters against declarations, filling defaults; QueryError on any problem.

    Shared by Cypher queries and the Python-run ones, so both refuse and coerce alike.
    """
    declared = {p.name: p for p in params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise QueryError(
            f"query {name!r} has no parameter {', '.join(unknown)}; it takes {', '.join(declared) or 'none'}"
        )
    bound = {}
    for param in params:
        if param.name in given and given[param.name] not in (None, ""):
            bound[param.name] = param.coerce(given[param.name])
        elif param.required:
            raise QueryError(f"query {name!r} needs --param {param.name}=… ({param.description})")
        else:
            bound[param.name] = param.coerce(param.default)
    return bound


def render_embedded(text: str) -> str:
    """Rewrite Neo4j Cypher into the embedded engine's dialect (the narrow rewrites above)."""
    for pattern, replacement in _EMBEDDED_REWRITES:
        text = pattern.sub(replacement, text)
    return text


def expand_kinds(text: str, path: Path | None = None) -> str:
    """``@Kind`` in label expressions replaced by the kind's labels from the model (``Partnership|Forum``)."""
    model = load_model()

    def labels(match: re.Match) -> str:
        try:
            return "|".join(model.kind(match.group(1)))
        except ValueError as exc:
            raise QueryFileError(f"{path or 'query'}: {exc}") from None

    return "\n".join(line if line.lstrip().startswith("//") else _KIND.sub(labels, line) for line in text.split("\n"))


def used_params(text: str) -> set[str]:
    """The ``$params`` a query text uses, outside comments and string literals."""
    return set(_USED_PARAM.findall(_STRINGS.sub("''", _COMMENTS.sub("", text))))


def parse_query_file(path: Path) -> NamedQuery:
    """Read one query file (and its dialect variants); check its header against its body."""
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: list[Param] = []
    order: tuple[str, ...] = ()
    context: list[str] = []
    flatten: tuple[str, ...] = ()
    internal = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        if stripped.lstrip("/ ") == "@internal":
            internal = True
        elif stripped.lstrip("/ ").startswith("@order"):
            order = tuple(c.strip() for c in stripped.lstrip("/ ")[len("@order"):].split(",") if c.strip())
        elif stripped.lstrip("/ ").startswith("@flatten"):
            flatten = tuple(c.strip() for c in stripped.lstrip("/ ")[len("@flatten"):].split(",") if c.strip())
        elif stripped.lstrip("/ ").startswith("@context"):
            context.append(stripped.lstrip("/ ")[len("@context"):].split(":")[0].strip())
        elif "@param" in stripped:
            match = _PARAM_LINE.match(stripped)
            if not match:
                raise QueryFileError(
                    f"{path}:{number}: malformed @param line; expected '// @param name type [= default]: description'"
                )
            default = match["default"]
            default = None if default is None else default.strip().strip("'\"")
            param = Param(match["name"], match["type"], default, match["default"] is None, match["description"],
                          match["low"] or None, match["high"] or None)
            try:
                param.bounds()
            except QueryError:
                raise QueryFileError(f"{path}:{number}: the range of @param {param.name} is not {'an' if param.type == 'int' else 'a'} {param.type} range") from None
            params.append(param)
        else:
            description.append(stripped.lstrip("/ ").strip())
    portable = expand_kinds(text, path)
    texts = {"neo4j": portable, "embedded": render_embedded(portable)}
    origins = {dialect: path for dialect in DIALECTS}
    for dialect in DIALECTS:
        variant = path.parent / dialect / path.name
        if variant.exists():
            texts[dialect] = expand_kinds(variant.read_text(encoding="utf-8"), variant)
            origins[dialect] = variant
    for param in params:
        if not param.required and param.default is None:
            raise QueryFileError(f"{path}: optional @param {param.name} needs a default (the engines cannot type a null)")
    declared = {p.name for p in params} | set(context)
    for dialect, body in texts.items():
        used = used_params(body)
        for name in sorted(used - declared):
            line = next(n for n, l in enumerate(body.splitlines(), 1) if f"${name}" in l and not l.lstrip().startswith("//"))
            raise QueryFileError(f"{origins[dialect]}:{line}: ${name} is used but not declared with // @param")
        for name in sorted(declared - used):
            raise QueryFileError(f"{origins[dialect]}: @param {name} is declared but the {dialect} query never uses ${name}")
    return NamedQuery(path.stem.replace("_", "-"), " ".join(d for d in description if d), tuple(params), texts, path,
                      order, tuple(context), flatten, internal)


@lru_cache(maxsize=1)
def load_queries(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query, by name (file stem with ``-`` for ``_``)."""
    queries = {}
    for path in sorted(directory.glob("*.cypher")):
        query = parse_query_file(path)
        queries[query.name] = query
    return queries


def get_query(name: str) -> NamedQuery:
    """The named query, or NotFound listing the names there are."""
    queries = load_queries()
    try:
        return queries[name]
    except KeyError:
        raise NotFound(f"no query named {name!r}; there are: {', '.join(queries)}") from None
