"""The query language: a query string parsed into a tree (SPEC.md §11).

:func:`parse` turns a query into a tree of :class:`Or`, :class:`And` and
leaves (:class:`Term`, :class:`Phrase`, :class:`Prefix`, :class:`Fuzzy`), in
lenient mode (every syntax problem repaired) or strict mode (the leftmost
syntax problem raised as a :class:`~specsearch.errors.QueryError`).
:func:`to_text` prints the canonical query string, byte for byte the Rust
core's ``Display``; parsing it again in strict mode gives the same tree.

The parser mirrors ``rust/core/src/query/parse.rs`` pass for pass: lex,
balance parentheses, classify operators, build the tree with an explicit
stack. Positions are offsets in code points. Leaf equality ignores positions.

>>> to_text(parse("title:rust AND NOT (async OR tokio~1)"))
'title:rust AND -(async tokio~1)'
>>> parse("a:")
Term(text='a:', field=None, position=0)
>>> parse("a:", strict=True)
Traceback (most recent call last):
...
specsearch.errors.QueryError: invalid query at position 1: field 'a' has nothing after ':'
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from specsearch.errors import QueryError

__all__ = [
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "And",
    "Fuzzy",
    "Node",
    "Occur",
    "Or",
    "Phrase",
    "Prefix",
    "Term",
    "parse",
    "to_text",
]

#: The longest query, in code points.
MAX_QUERY_CHARS = 16_384
#: The deepest nesting of parentheses.
MAX_DEPTH = 32


class Occur(enum.Enum):
    """How a clause of an :class:`Or` takes part in a match."""

    SHOULD = ""
    """Optional (juxtaposition and ``OR``)."""
    MUST = "+"
    """Required (``+x``)."""
    MUST_NOT = "-"
    """Excluded (``-x``, ``NOT x``)."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word.

    Attributes:
        text: The text, without field prefix or suffix, escapes resolved.
        field: The field of a ``NAME:`` prefix (or an enclosing ``NAME:(…)``).
        position: The code-point offset of the atom's first character (the
            field name when written, else the word's first character).
            Ignored by equality.
    """

    text: str
    field: str | None = None
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A quoted phrase; attributes as :class:`Term` (``position`` at the ``"``)."""

    text: str
    field: str | None = None
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Prefix:
    """A word ending in ``*``; attributes as :class:`Term`."""

    text: str
    field: str | None = None
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Fuzzy:
    """A word ending in ``~`` or ``~d``; attributes as :class:`Term`, plus ``distance``."""

    text: str
    distance: int = 2
    field: str | None = None
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Or:
    """Clauses with their occurrence (juxtaposition or ``OR``).

    Attributes:
        clauses: ``(occur, node)`` pairs: two or more, or one that is not
            :attr:`Occur.SHOULD`.
    """

    clauses: tuple[tuple[Occur, Node], ...]


@dataclass(frozen=True, slots=True)
class And:
    """Children that must all match (``a AND b``).

    Attributes:
        children: Two or more nodes.
    """

    children: tuple[Node, ...]


Leaf: TypeAlias = Term | Phrase | Prefix | Fuzzy
Node: TypeAlias = Or | And | Leaf

_OPERATORS = ("AND", "OR", "NOT")


def _is_space(c: str) -> bool:
    """U+0000 to U+0020 and U+007F to U+009F: the space and the Cc characters."""
    cp = ord(c)
    return cp <= 0x20 or 0x7F <= cp <= 0x9F


def _is_name_start(c: str) -> bool:
    return c.isascii() and (c.isalpha() or c == "_")


def _is_name_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "_.-")


# --------------------------------------------------------------------------
# Tokens


class _Elem(NamedTuple):
    """One character of a word: escaped characters are never syntax."""

    ch: str
    escaped: bool
    position: int

    def is_(self, c: str) -> bool:
        return not self.escaped and self.ch == c


@dataclass(slots=True)
class _LeafTok:
    sign: Occur | None
    node: Leaf


@dataclass(slots=True)
class _Open:
    sign: Occur | None
    field: str | None
    position: int


@dataclass(slots=True)
class _Close:
    position: int


@dataclass(slots=True)
class _Op:
    op: str
    position: int


_Token: TypeAlias = _LeafTok | _Open | _Close | _Op


class _Problem(NamedTuple):
    position: int
    message: str


def _text(elems: list[_Elem]) -> str:
    return "".join(e.ch for e in elems)


def _field_colon(elems: list[_Elem]) -> int | None:
    """The index of the ``:`` ending an unescaped ``NAME`` at the start, if any."""
    if not elems or elems[0].escaped or not _is_name_start(elems[0].ch):
        return None
    for i, e in enumerate(elems):
        if e.escaped or not _is_name_char(e.ch):
            return i if e.is_(":") else None
    return None


class _Lexer:
    """Pass 1: code points to tokens, recording the lexical problems."""

    def __init__(self, text: str) -> None:
        self.chars = text
        self.tokens: list[_Token] = []
        self.problems: list[_Problem] = []

    def problem(self, position: int, message: str) -> None:
        self.problems.append(_Problem(position, message))

    def run(self) -> None:
        chars = self.chars
        i = 0
        while i < len(chars):
            c = chars[i]
            if _is_space(c):
                i += 1
            elif c == "(":
                self.tokens.append(_Open(None, None, i))
                i += 1
            elif c == ")":
                self.tokens.append(_Close(i))
                i += 1
            elif c == '"':
                i = self.phrase(i, None, None, i)
            else:
                i = self.word(i)

    def phrase(self, quote: int, sign: Occur | None, fld: str | None, position: int) -> int:
        """Lex the phrase whose ``"`` is at ``quote``; return the next index."""
        n = len(self.chars)
        end = self.chars.find('"', quote + 1)
        if end < 0:
            self.problem(quote, "the phrase opened here is never closed")
            end, after = n, n
        else:
            after = end + 1
        body = self.chars[quote + 1 : end]
        if not body:
            if end < n:
                self.problem(quote, "empty phrase")
        else:
            self.tokens.append(_LeafTok(sign, Phrase(body, fld, position)))
        return after

    def attach(self, at: int, sign: Occur | None, fld: str | None, position: int) -> int:
        """The group or phrase right after a word that is only a mark and/or ``NAME:``."""
        if self.chars[at] == "(":
            self.tokens.append(_Open(sign, fld, at))
            return at + 1
        return self.phrase(at, sign, fld, position)

    def word(self, start: int) -> int:
        """Lex the word starting at ``start``; return the next index."""
        chars = self.chars
        n = len(chars)
        elems: list[_Elem] = []
        j = start
        while j < n:
            c = chars[j]
            if c == "\\" and j + 1 < n and not _is_space(chars[j + 1]):
                elems.append(_Elem(chars[j + 1], True, j))
                j += 2
            elif _is_space(c) or c in '()"':
                break
            else:
                elems.append(_Elem(c, False, j))
                j += 1
        attaches = j < n and chars[j] in '("'

        raw = _text(elems)
        if raw in _OPERATORS and not any(e.escaped for e in elems):
            self.tokens.append(_Op(raw, start))
            return j

        rest = elems
        sign: Occur | None = None
        if rest and (rest[0].is_("+") or rest[0].is_("-")) and (len(rest) > 1 or attaches):
            sign = Occur.MUST if rest[0].ch == "+" else Occur.MUST_NOT
            rest = rest[1:]
        if not rest:
            return self.attach(j, sign, None, j)
        first = rest[0]

        fld: str | None = None
        colon = _field_colon(rest)
        if colon is not None:
            name = _text(rest[:colon])
            after = rest[colon + 1 :]
            if after:
                fld = name
                rest = after
            elif attaches:
                return self.attach(j, sign, name, first.position)
            else:
                self.problem(rest[colon].position, f"field '{name}' has nothing after ':'")
                self.tokens.append(_LeafTok(sign, Term(_text(rest), None, first.position)))
                return j
        elif len(rest) == 1 and first.is_(":"):
            self.problem(first.position, "':' has nothing to apply to")
            self.tokens.append(_LeafTok(sign, Term(":", None, first.position)))
            return j

        self.tokens.append(_LeafTok(sign, self.suffix(rest, fld, first.position)))
        return j

    def suffix(self, rest: list[_Elem], fld: str | None, position: int) -> Leaf:
        """The leaf of a word's text after its mark and field (``rest`` is not empty)."""
        n = len(rest)
        last = rest[-1]
        if last.is_("*") or last.is_("~"):
            if n > 1:
                body = _text(rest[:-1])
                if last.ch == "*":
                    return Prefix(body, fld, position)
                return Fuzzy(body, 2, fld, position)
            self.problem(last.position, f"'{last.ch}' has no word before it")
            return Term(_text(rest), fld, position)
        if n >= 2 and rest[-2].is_("~") and not last.escaped and last.ch in "0123456789":
            distance = ord(last.ch) - ord("0")
            if n == 2:
                self.problem(rest[0].position, "'~' has no word before it")
            elif distance > 2:
                self.problem(last.position, "the fuzzy distance is over 2")
            else:
                return Fuzzy(_text(rest[:-2]), distance, fld, position)
        return Term(_text(rest), fld, position)


def _balance(tokens: list[_Token], query: str, problems: list[_Problem]) -> list[_Token]:
    """Pass 2: match parentheses, drop unbalanced ``)`` and empty groups, close ``(``."""
    out: list[_Token] = []
    opened: list[int] = []
    for token in tokens:
        if isinstance(token, _Open):
            if len(opened) >= MAX_DEPTH:
                raise QueryError(
                    query, token.position, f"parentheses nest deeper than {MAX_DEPTH} levels"
                )
            opened.append(len(out))
            out.append(token)
        elif isinstance(token, _Close):
            if not opened:
                problems.append(_Problem(token.position, "unbalanced ')'"))
                continue
            at = opened.pop()
            if at + 1 == len(out):
                opener = out.pop()
                assert isinstance(opener, _Open)
                problems.append(_Problem(opener.position, "empty group"))
            else:
                out.append(token)
        else:
            out.append(token)
    while opened:
        at = opened.pop()
        opener = out[at]
        assert isinstance(opener, _Open)
        problems.append(_Problem(opener.position, "'(' is never closed"))
        if at + 1 == len(out):
            out.pop()
        else:
            out.append(_Close(len(query)))
    return out


def _operators(tokens: list[_Token], problems: list[_Problem]) -> list[_Token]:
    """Pass 3: an operator with nothing to apply to becomes a word."""
    out: list[_Token] = []
    for i, token in enumerate(tokens):
        if not isinstance(token, _Op):
            out.append(token)
            continue
        right = i + 1 < len(tokens) and not isinstance(tokens[i + 1], _Close)
        left = bool(out) and isinstance(out[-1], _LeafTok | _Close)
        if right and (token.op == "NOT" or left):
            out.append(token)
        else:
            problems.append(_Problem(token.position, f"'{token.op}' has nothing to apply to"))
            out.append(_LeafTok(None, Term(token.op, None, token.position)))
    return out


class _Frame:
    """An ``expr`` being built: one per open group, plus the query itself."""

    __slots__ = ("after_and", "chain", "clauses", "field", "negate", "occur")

    def __init__(self, occur: Occur, fld: str | None) -> None:
        self.occur = occur
        self.field = fld
        self.clauses: list[tuple[Occur, Node]] = []
        self.chain: list[tuple[Occur, Node]] = []
        self.after_and = False
        self.negate = False

    def occur_of(self, sign: Occur | None) -> Occur:
        if self.negate:
            return Occur.MUST_NOT
        return sign if sign is not None else Occur.SHOULD

    def push(self, occur: Occur, node: Node) -> None:
        if not self.after_and:
            self.flush()
        self.chain.append((occur, node))
        self.after_and = False
        self.negate = False

    def flush(self) -> None:
        if len(self.chain) == 1:
            self.clauses.append(self.chain.pop())
        elif self.chain:
            children = tuple(
                node if occur is Occur.SHOULD else Or(((occur, node),))
                for occur, node in self.chain
            )
            self.chain.clear()
            self.clauses.append((Occur.SHOULD, And(children)))

    def finish(self) -> Node | None:
        self.flush()
        if len(self.clauses) == 1 and self.clauses[0][0] is Occur.SHOULD:
            return self.clauses[0][1]
        return Or(tuple(self.clauses)) if self.clauses else None


def _with_field(node: Leaf, fld: str) -> Leaf:
    if isinstance(node, Fuzzy):
        return Fuzzy(node.text, node.distance, fld, node.position)
    return type(node)(node.text, fld, node.position)


def _build(tokens: list[_Token]) -> Node | None:
    """Pass 4: the tree, with an explicit stack of open groups."""
    stack = [_Frame(Occur.SHOULD, None)]
    for token in tokens:
        top = stack[-1]
        if isinstance(token, _LeafTok):
            leaf = token.node
            if top.field is not None and leaf.field is None:
                leaf = _with_field(leaf, top.field)
            top.push(top.occur_of(token.sign), leaf)
        elif isinstance(token, _Open):
            occur = top.occur_of(token.sign)
            top.negate = False
            stack.append(_Frame(occur, token.field if token.field is not None else top.field))
        elif isinstance(token, _Close):
            if len(stack) > 1:
                frame = stack.pop()
                node = frame.finish()
                if node is not None:
                    stack[-1].push(frame.occur, node)
        elif token.op == "AND":
            top.after_and = True
        elif token.op == "OR":
            top.after_and = False
        else:
            top.negate = True
    while len(stack) > 1:
        frame = stack.pop()
        node = frame.finish()
        if node is not None:
            stack[-1].push(frame.occur, node)
    return stack[0].finish()


def parse(text: str, *, strict: bool = False) -> Node | None:
    """Parse a query string into a tree.

    Args:
        text: The query.
        strict: Raise the leftmost syntax problem instead of repairing it.

    Returns:
        The tree, or ``None`` for the empty tree (an empty query, only
        whitespace, or, in lenient mode, only dropped parts).

    Raises:
        QueryError: In both modes, for a query longer than
            :data:`MAX_QUERY_CHARS` code points or parentheses nested deeper
            than :data:`MAX_DEPTH`; in strict mode, for the leftmost syntax
            problem.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            text, MAX_QUERY_CHARS, f"the query is longer than {MAX_QUERY_CHARS} characters"
        )
    lexer = _Lexer(text)
    lexer.run()
    problems = lexer.problems
    tokens = _balance(lexer.tokens, text, problems)
    tokens = _operators(tokens, problems)
    if strict and problems:
        leftmost = problems[0]
        for problem in problems[1:]:
            if problem.position < leftmost.position:
                leftmost = problem
        raise QueryError(text, leftmost.position, leftmost.message)
    return _build(tokens)


# --------------------------------------------------------------------------
# Printing


def _name_colon(text: str) -> int | None:
    """The index of the ``:`` of a word starting with ``NAME:``, if any."""
    if not text or not _is_name_start(text[0]):
        return None
    for i, c in enumerate(text):
        if not _is_name_char(c):
            return i if c == ":" else None
    return None


def _word(text: str, *, term: bool, marked: bool, fielded: bool) -> str:
    r"""A word's text with ``\`` before every character that would be syntax."""
    n = len(text)
    escape = [c in '\\()"' for c in text]
    if not marked and not fielded and text[:1] in ("+", "-"):
        escape[0] = True
    if not fielded:
        colon = _name_colon(text)
        if colon is not None:
            escape[colon] = True
    if term:
        if not fielded and text == ":":
            escape[0] = True
        if not marked and not fielded and text in _OPERATORS:
            escape[0] = True
        if n and text[-1] in "*~":
            escape[-1] = True
        elif n >= 2 and text[-2] == "~" and text[-1] in "0123456789":
            escape[-2] = True
    return "".join("\\" + c if e else c for c, e in zip(text, escape, strict=True))


def _leaf(node: Leaf, marked: bool) -> str:
    fielded = node.field is not None
    head = f"{node.field}:" if fielded else ""
    if isinstance(node, Phrase):
        return f'{head}"{node.text}"'
    if isinstance(node, Term):
        return head + _word(node.text, term=True, marked=marked, fielded=fielded)
    body = _word(node.text, term=False, marked=marked, fielded=fielded)
    if isinstance(node, Prefix):
        return f"{head}{body}*"
    return f"{head}{body}~{node.distance}"


def _clause(occur: Occur, node: Node) -> str:
    if isinstance(node, And) and occur is Occur.SHOULD:
        return to_text(node)
    if isinstance(node, Or | And):
        return f"{occur.value}({to_text(node)})"
    return occur.value + _leaf(node, occur is not Occur.SHOULD)


def _and_child(node: Node) -> str:
    if isinstance(node, Or) and len(node.clauses) == 1 and node.clauses[0][0] is not Occur.SHOULD:
        return _clause(*node.clauses[0])
    if isinstance(node, Or | And):
        return f"({to_text(node)})"
    return _leaf(node, False)


def to_text(node: Node | None) -> str:
    r"""The canonical query string of a tree (``""`` for the empty tree).

    ``-`` marks must-not and ``+`` must, a space separates clauses, `` AND ``
    the children of an :class:`And`, ``~d`` has an explicit distance, ``\``
    escapes each character that would be read as syntax, and parentheses
    appear only where the tree needs them.

    Args:
        node: The tree.

    Returns:
        The string; :func:`parse` in strict mode gives the tree back.
    """
    if node is None:
        return ""
    if isinstance(node, Or):
        return " ".join(_clause(occur, child) for occur, child in node.clauses)
    if isinstance(node, And):
        return " AND ".join(_and_child(child) for child in node.children)
    return _leaf(node, False)
