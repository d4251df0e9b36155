"""Source positions of parsed triples: the index neither rdflib nor pyoxigraph provides.

A small Turtle/TriG tokenizer walks a file that the strict parser has already accepted and
records where each subject block starts and where each (subject, predicate, object) triple's
predicate and object stand. Validation uses it to turn a SHACL result into
``file:line:column``. Triples inside blank-node property lists and collections get the
location of the enclosing named subject, since blank nodes cannot be matched across parsers.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacecoop.findings import Location

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
XSD = "http://www.w3.org/2001/XMLSchema#"

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+|\#[^\n]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dtype>\^\^)
  | (?P<number>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+
               |[0-9]*\.[0-9]+|[0-9]+))
  | (?P<bnode>_:[^\s;,()\[\]{}<>"']+)
  | (?P<pname>[^\s;,()\[\]{}<>"'\#^@:]*:(?:\\.|[^\s;,()\[\]{}<>"'\#^\\])*)
  | (?P<word>[A-Za-z]+)
  | (?P<punct>[\[\]();,.{}])
    """,
    re.VERBOSE | re.DOTALL,
)

_ECHAR = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./") or path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            end = path.find("/", start)
            end = len(path) if end == -1 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)


_IRI_PARTS = re.compile(
    r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL
)


def resolve_iri(base: str, reference: str) -> str:
    """RFC 3986 section 5.2 reference resolution (urljoin differs on dot segments)."""
    scheme, authority, path, query, fragment = _IRI_PARTS.match(reference).groups()
    b_scheme, b_authority, b_path, b_query, _ = _IRI_PARTS.match(base).groups()
    if scheme is not None:
        t = (scheme, authority, _remove_dot_segments(path), query)
    elif authority is not None:
        t = (b_scheme, authority, _remove_dot_segments(path), query)
    elif path == "":
        t = (b_scheme, b_authority, b_path, query if query is not None else b_query)
    else:
        if path.startswith("/"):
            merged = path
        elif b_authority is not None and b_path == "":
            merged = "/" + path
        else:
            merged = b_path[: b_path.rfind("/") + 1] + path
        t = (b_scheme, b_authority, _remove_dot_segments(merged), query)
    result = f"{t[0]}:" if t[0] is not None else ""
    if t[1] is not None:
        result += "//" + t[1]
    result += t[2]
    if t[3] is not None:
        result += "?" + t[3]
    if fragment is not None:
        result += "#" + fragment
    return result


def _unescape_string(body: str) -> str:
    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ECHAR.sub(repl, body)


TermKey = tuple[str, ...]


@dataclass
class _Token:
    kind: str
    text: str
    offset: int


@dataclass
class PositionIndex:
    """Where subjects and triples of one source file are written."""

    file: str
    subjects: dict[str, Location] = field(default_factory=dict)
    triples: dict[tuple[str, str, TermKey], tuple[Location, Location]] = field(default_factory=dict)

    def has(self, subject: str) -> bool:
        return subject in self.subjects

    def subject(self, iri: str) -> Location | None:
        return self.subjects.get(iri)

    def triple(self, subject: str, predicate: str, obj: TermKey | None) -> Location | None:
        """Location of the predicate of (subject, predicate, obj); obj None: first such triple."""
        if obj is not None:
            found = self.triples.get((subject, predicate, obj))
            return found[0] if found else None
        for (s, p, _), (loc, _) in self.triples.items():
            if s == subject and p == predicate:
                return loc
        return None


def line_starts(text: str) -> list[int]:
    """The offset at which each line starts (for offset -> line:column)."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


class _Walker:
    """Recursive-descent walk over tokens, iterative where nesting can be deep."""

    def __init__(
        self,
        text: str,
        file: str,
        base: str,
        start: int = 0,
        lines: list[int] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        self.text = text
        self.file = file
        self.base = base
        self.prefixes: dict[str, str] = dict(prefixes or {})
        self.lines = lines if lines is not None else line_starts(text)
        self.tokens: list[_Token] = []
        self._offset = start  # where tokenizing goes on: tokens are read as the walk needs them
        self.pos = 0
        self.index = PositionIndex(file)

    def _token(self, i: int) -> _Token | None:
        """The i-th token from the start, reading the text only as far as needed."""
        tokens, text, end = self.tokens, self.text, len(self.text)
        while len(tokens) <= i and self._offset < end:
            match = _TOKEN.match(text, self._offset)
            if match is None:  # unknown character: skip it (the file was parsed strictly)
                self._offset += 1
                continue
            kind = match.lastgroup or "ws"
            value = match.group()
            if kind in ("pname", "bnode") and value.endswith(".") and not value.endswith("\\."):
                value = value.rstrip(".")  # a local name never ends with '.': it ends the statement
            if kind != "ws":
                tokens.append(_Token(kind, value, self._offset))
            self._offset += len(value)
        return tokens[i] if i < len(tokens) else None

    def location(self, offset: int) -> Location:
        line = bisect.bisect_right(self.lines, offset)
        return Location(self.file, line, offset - self.lines[line - 1] + 1)

    def peek(self) -> _Token | None:
        return self._token(self.pos)

    def take(self) -> _Token | None:
        token = self.peek()
        self.pos += 1
        return token

    def resolve_iri(self, token: _Token) -> str | None:
        if token.kind == "iri":
            return resolve_iri(self.base, _unescape_string(token.text[1:-1]))
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            namespace = self.prefixes.get(prefix)
            if namespace is None:
                return None
            return namespace + re.sub(r"\\(.)", r"\1", local)
        if token.kind == "word" and token.text == "a":
            return RDF_TYPE
        return None

    def skip_nested(self) -> None:
        """Skip a balanced [...] or (...) group without recursion."""
        depth = 0
        while (token := self.take()) is not None:
            if token.kind == "punct" and token.text in "[(":
                depth += 1
            elif token.kind == "punct" and token.text in "])":
                depth -= 1
                if depth == 0:
                    return

    def object_key(self) -> TermKey | None:
        token = self.peek()
        if token is None:
            return None
        if token.kind == "punct" and token.text in "[(":
            following = self._token(self.pos + 1)
            self.skip_nested()
            if token.text == "(" and following is not None and following.text == ")":
                return ("I", RDF_NIL)  # the empty collection is rdf:nil
            return None
        self.take()
        if token.kind in ("iri", "pname"):
            iri = self.resolve_iri(token)
            return ("I", iri) if iri else None
        if token.kind == "bnode":
            return None
        if token.kind == "number":
            text = token.text
            if "e" in text.lower():
                datatype = XSD + "double"
            elif "." in text:
                datatype = XSD + "decimal"
            else:
                datatype = XSD + "integer"
            return ("L", text, datatype)
        if token.kind == "word" and token.text in ("true", "false"):
            return ("L", token.text, XSD + "boolean")
        if token.kind == "string":
            quote = 3 if token.text[:3] in ('"""', "'''") else 1
            value = _unescape_string(token.text[quote:-quote])
            following = self.peek()
            if following is not None and following.kind == "lang":
                self.take()
                return ("L", value, "@" + following.text[1:].lower())
            if following is not None and following.kind == "dtype":
                self.take()
                dtype_token = self.take()
                datatype = self.resolve_iri(dtype_token) if dtype_token else None
                return ("L", value, datatype or "")
            return ("L", value, XSD + "string")
        return None

    def predicate_object_list(self, subject: str | None) -> None:
        while (token := self.peek()) is not None:
            if token.kind == "punct" and token.text in ".]}":
                return
            if token.kind == "punct" and token.text == ";":
                self.take()
                continue
            self.take()
            predicate = self.resolve_iri(token)
            predicate_location = self.location(token.offset)
            while True:
                start = self.peek()
                if start is None:
                    return
                obj = self.object_key()
                if subject and predicate and obj is not None:
                    key = (subject, predicate, obj)
                    if key not in self.index.triples:
                        self.index.triples[key] = (predicate_location, self.location(start.offset))
                following = self.peek()
                if following is not None and following.kind == "punct" and following.text == ",":
                    self.take()
                    continue
                break

    def walk(self) -> PositionIndex:
        while (token := self.peek()) is not None:
            lowered = token.text.lower()
            if (token.kind == "lang" and lowered in ("@prefix", "@base")) or (
                token.kind == "word" and lowered in ("prefix", "base")
            ):
                self.directive(lowered.lstrip("@"))
                continue
            if token.kind == "word" and lowered == "graph":
                self.take()
                continue
            if token.kind == "punct" and token.text in "{}.":
                self.take()
                continue
            following = self._token(self.pos + 1)
            if following is not None and following.kind == "punct" and following.text == "{":
                self.take()  # a TriG graph label
                continue
            self.triples_statement()
        return self.index

    def directive(self, name: str) -> None:
        self.take()
        if name == "prefix":
            label = self.take()
            iri = self.take()
            if label is not None and iri is not None and iri.kind == "iri":
                self.prefixes[label.text[:-1]] = resolve_iri(
                    self.base, _unescape_string(iri.text[1:-1])
                )
        else:
            iri = self.take()
            if iri is not None and iri.kind == "iri":
                self.base = resolve_iri(self.base, _unescape_string(iri.text[1:-1]))
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == ".":
            self.take()

    def strict_statement(self) -> bool:
        """Walk one ``subject verb objects (; verb objects)* .`` statement from here.

        False as soon as the tokens do not make exactly such a statement: a candidate taken
        from the middle of another statement (an object, a nested predicate) fails here.
        """
        token = self.take()
        subject = self.resolve_iri(token) if token is not None else None
        if subject is None:
            return False
        self.index.subjects.setdefault(subject, self.location(token.offset))  # type: ignore[union-attr]
        while True:
            verb = self.take()
            predicate = self.resolve_iri(verb) if verb is not None else None
            if predicate is None:
                return False
            location = self.location(verb.offset)  # type: ignore[union-attr]
            while True:
                start = self.peek()
                if start is None or (start.kind == "punct" and start.text in ".;,])}"):
                    return False
                obj = self.object_key()
                if obj is not None:
                    self.index.triples.setdefault(
                        (subject, predicate, obj), (location, self.location(start.offset))
                    )
                following = self.take()
                if following is None or following.kind != "punct":
                    return False
                if following.text == ",":
                    continue
                if following.text == ".":
                    return True
                if following.text != ";":
                    return False
                while (
                    (more := self.peek()) is not None and more.kind == "punct" and more.text == ";"
                ):
                    self.take()
                if more is not None and more.kind == "punct" and more.text == ".":
                    self.take()
                    return True
                break

    def triples_statement(self) -> None:
        token = self.peek()
        if token is None:
            return
        subject: str | None = None
        if token.kind == "punct" and token.text in "[(":
            self.skip_nested()
        else:
            self.take()
            subject = self.resolve_iri(token)
            if subject is not None and subject not in self.index.subjects:
                self.index.subjects[subject] = self.location(token.offset)
        self.predicate_object_list(subject)
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text in ".]":
            self.take()


class SubjectIndex:
    """Positions in a large file, found subject by subject instead of indexing every token.

    Only for texts where a subject's statements can be found by searching for how its IRI
    is written: no long strings, no backslash escapes, no relative IRIs, and prefixes known
    for certain (see :func:`targetable`). A statement counts when its subject stands first on
    its line and the strict walk from there reads one whole statement; the results equal
    those of :func:`build_index` for the subjects asked about (tested).
    """

    def __init__(self, text: str, file: str, base: str, prefixes: dict[str, str]) -> None:
        self.text, self.file, self.base, self.prefixes = text, file, base, prefixes
        self._lines: list[int] | None = None
        self._done: dict[str, PositionIndex] = {}
        self._spans: dict[str, list[tuple[int, int]]] = {}

    def _for(self, subject: str) -> PositionIndex:
        found = self._done.get(subject)
        if found is None:
            found = self._done[subject] = self._search(subject)
        return found

    def _written_forms(self, subject: str) -> list[str]:
        forms = [f"<{subject}>"]
        for name, namespace in self.prefixes.items():
            if subject.startswith(namespace):
                forms.append(f"{name}:{subject[len(namespace) :]}")
        return forms

    def _starts_statement(self, form: str, at: int) -> bool:
        """Whether ``form`` found at ``at`` stands first on its line, as a whole term."""
        text = self.text
        end = at + len(form)
        line_start = text.rfind("\n", 0, at) + 1
        after = text[end : end + 1]
        return not text[line_start:at].strip(" \t\r") and (
            form.endswith(">") or not after or after in _DELIMITERS
        )

    def _search(self, subject: str) -> PositionIndex:
        text = self.text
        starts: list[int] = []
        for form in self._written_forms(subject):
            at = text.find(form)
            while at >= 0:
                if self._starts_statement(form, at):
                    starts.append(at)
                at = text.find(form, at + len(form))
        return self._walk(subject, starts)

    def prefetch(self, subjects: Iterable[str]) -> None:
        """Search the text once for all ``subjects`` not searched yet.

        One pattern for all of them: the text is read once, where a search per subject reads
        it once each (IRIs of one dataset share their namespace, which the pattern engine
        finds at memory speed).
        """
        todo = sorted({s for s in subjects if s not in self._done})
        if len(todo) < 2:
            return
        forms = {form: subject for subject in todo for form in self._written_forms(subject)}
        alternatives = trie_pattern(forms)
        # Only where a line starts (after spaces): a subject written as an object elsewhere,
        # often thousands of times, is passed over by the pattern engine, not looked at here.
        first = re.compile(rf"[ \t\r]*({alternatives})").match(self.text)
        later = re.compile(rf"\n[ \t\r]*({alternatives})").finditer(self.text)
        starts: dict[str, list[int]] = {subject: [] for subject in todo}
        for match in [first, *later] if first else later:
            form, at = match.group(1), match.start(1)
            if self._starts_statement(form, at):
                starts[forms[form]].append(at)
        for subject in todo:
            self._done[subject] = self._walk(subject, starts[subject])

    def _walk(self, subject: str, starts: list[int]) -> PositionIndex:
        """The statements of ``subject`` that begin at ``starts`` (candidates: each is read)."""
        text = self.text
        index = PositionIndex(self.file)
        spans = self._spans[subject] = []
        if not starts:
            return index
        if self._lines is None:
            self._lines = line_starts(text)
        for start in sorted(starts):
            walker = _Walker(text, self.file, self.base, start, self._lines, self.prefixes)
            if walker.strict_statement() and subject in walker.index.subjects:
                end = walker.tokens[walker.pos - 1]
                spans.append((start, end.offset + len(end.text)))
                index.subjects.setdefault(subject, walker.index.subjects[subject])
                for key, value in walker.index.triples.items():
                    if key[0] == subject:
                        index.triples.setdefault(key, value)
        return index

    def has(self, subject: str) -> bool:
        return bool(self._for(subject).subjects)

    def subject(self, iri: str) -> Location | None:
        return self._for(iri).subject(iri)

    def triple(self, subject: str, predicate: str, obj: TermKey | None) -> Location | None:
        return self._for(subject).triple(subject, predicate, obj)

    def statements(self, subjects: Iterable[str]) -> str:
        """A Turtle text of the statements found for ``subjects``, with the file's prefixes.

        Parsing it gives the triples of those subjects as written (lexical forms kept)
        without parsing the whole file. Like the positions, only statements whose subject
        starts a line are found: a caller that needs every triple compares counts.
        """
        parts = [f"@prefix {name}: <{namespace}> .\n" for name, namespace in self.prefixes.items()]
        subjects = sorted(set(subjects))
        self.prefetch(subjects)
        for subject in subjects:
            self._for(subject)
            parts.extend(self.text[a:b] + "\n" for a, b in self._spans.get(subject, ()))
        return "".join(parts)


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, with shared prefixes written once.

    Python's pattern engine tries the branches of an alternation one after the other; with
    IRIs that share a long namespace, each branch would compare the namespace again.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        group = "(?:" + "|".join(branches) + ")"
        return group + "?" if "" in node else group

    return render(trie)


_DELIMITERS = set(" \t\r\n;,.()[]{}<\"'#")
_SCHEME = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)")


def targetable(text: str, prefixes: dict[str, str] | None) -> bool:
    """Whether :class:`SubjectIndex` gives the same answers as a full index for ``text``."""
    return (
        prefixes is not None
        and '"""' not in text
        and "'''" not in text
        and "\\" not in text
        and _SCHEME.search(text) is None
    )


def build_index(text: str, file: str, base: str) -> PositionIndex:
    """Index a Turtle, TriG or N-Triples text that a strict parser has accepted."""
    return _Walker(text, file, base).walk()


def term_key(term: object) -> TermKey | None:
    """The index key of a pyoxigraph or rdflib term (None for blank nodes)."""
    kind = type(term).__name__
    if kind in ("NamedNode", "URIRef"):
        return ("I", str(getattr(term, "value", term)))
    if kind == "Literal":
        # rdflib's .value is a Python object; its str() is the lexical form, as pyoxigraph's .value
        rdflib_term = type(term).__module__.startswith("rdflib")
        value = str(term) if rdflib_term else str(getattr(term, "value", term))
        language = getattr(term, "language", None)
        if language:
            return ("L", value, "@" + str(language).lower())
        datatype = getattr(term, "datatype", None)
        datatype_iri = str(getattr(datatype, "value", datatype)) if datatype else XSD + "string"
        return ("L", value, datatype_iri)
    return None


def line_offsets(text: str, numbers: Iterable[int]) -> dict[int, int]:
    """Where each of the (0-based) line ``numbers`` starts, without listing every line start:
    newlines are counted a block at a time (in C), then found one by one in the block that
    holds the line. A line past the end starts at ``len(text)``."""
    found: dict[int, int] = {}
    block, start, before = 1 << 20, 0, 0  # ``before``: newlines before offset ``start``
    for number in sorted(set(numbers)):
        while start < len(text):
            inside = text.count("\n", start, start + block)
            if before + inside >= number:
                break
            before += inside
            start += block
        offset, line = start, before
        while line < number:
            newline = text.find("\n", offset)
            if newline < 0:
                break
            offset, line = newline + 1, line + 1
        found[number] = offset if line == number else len(text)
    return found


def statement_subjects(
    text: str, ranges: list[tuple[int, int]], base: str, prefixes: dict[str, str]
) -> set[str] | None:
    """The subjects of the statements that overlap the character ranges ``[start, end)``
    (each starting a line).

    For a text :func:`targetable` says is plain, in which no line inside a statement can be
    read as a whole statement: from each range, lines are tried backwards until one starts a
    statement, then statements are read forwards past the range's end. None when that is not
    certain (a directive, a blank node subject, no statement start within reach): the caller
    then compares the whole file.
    """
    lines = [0]  # positions are not asked for: no line table is built
    subjects: set[str] = set()
    for start, end in ranges:
        walker = None
        offset = start
        for _ in range(_BACKWARDS):
            trial = _Walker(text, "", base, offset, lines, prefixes)
            first = trial.peek()
            if (
                first is not None
                and trial.resolve_iri(first) is not None
                and trial.strict_statement()
            ):
                walker = _Walker(text, "", base, offset, lines, prefixes)
                break
            if offset == 0:
                break
            offset = text.rfind("\n", 0, offset - 1) + 1
        if walker is None:
            return None  # in or before the directives, or too far from a statement start
        while (first := walker.peek()) is not None and first.offset < end:
            subject = walker.resolve_iri(first)
            if subject is None or not walker.strict_statement():
                return None  # a directive, a blank node subject: not certain
            last = walker.tokens[walker.pos - 1]
            if last.offset + len(last.text) > start:
                subjects.add(subject)
    return subjects


_BACKWARDS = 2000  # lines searched back for the start of a statement
