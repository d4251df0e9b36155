"""SHACL-SPARQL constraints (SHACL §5: sh:sparql with sh:select, $this, sh:prefixes).

The specification evaluates a SELECT once per focus node with ``$this`` pre-bound. Running
it once per focus node would cost one query per node, so the engine rewrites it into one
query for all focus nodes: prefixed names are expanded (so no prologue is needed), and the
pattern that enumerates the focus nodes is joined into every group of the WHERE clause
that mentions ``$this`` without binding it itself (a group binding ``$this`` in a triple
pattern is joined on it anyway; groups under EXISTS see the outer binding). That gives
each focus node exactly the solutions pre-binding would give it. Results are then built
the way pySHACL builds them (``?this``, ``?path``, ``?value``, ``?failure``, and messages
with ``{?var}`` placeholders filled in). A query the rewrite cannot handle (a sub-select
that aggregates over ``$this``, LIMIT, FROM, SERVICE) falls back to pySHACL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import rdflib
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from rdflib.namespace import OWL, RDF, RDFS, SH

from spacecoop.engine.core import Component
from spacecoop.engine.paths import sparql_path
from spacecoop.engine.shapes import CannotCompile, Shape
from spacecoop.engine.targets import RestrictedSource
from spacecoop.engine.terms import term

if TYPE_CHECKING:
    from spacecoop.engine.compile import Compiler
    from spacecoop.engine.targets import FocusSource

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    |(?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\u00B7-\uFFFF.-]*)?:(?:(?:[\w\u00B7-\uFFFF:%-]|\\.)(?:(?:[\w\u00B7-\uFFFF:%.-]|\\.)*(?:[\w\u00B7-\uFFFF:%-]|\\.))?)?)
    |(?P<word>[A-Za-z_][\w]*)
    |(?P<other>.)""",
    re.X | re.S,
)
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


@dataclass
class Token:
    kind: str
    text: str
    sep: str = " "  # what separated it from the previous token ("" when they touched)

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    def is_this(self) -> bool:
        return self.kind == "var" and self.text[1:] == "this"


def tokenize(text: str) -> list[Token]:
    tokens = []
    sep = ""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            sep = "\n" if kind == "comment" else " "
            continue
        tokens.append(Token(kind, match.group(), sep))
        sep = ""
    return tokens


def render(tokens: list[Token]) -> str:
    """Tokens back to text, spaced as they were (``!=``, ``"x"@en`` stay intact)."""
    return "".join(t.sep + t.text for t in tokens).strip()


def _match_brace(tokens: list[Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].text == "{" and tokens[i].kind == "other":
            depth += 1
        elif tokens[i].text == "}" and tokens[i].kind == "other":
            depth -= 1
            if depth == 0:
                return i
    raise CannotCompile("unbalanced braces in a SPARQL constraint")


def collect_prefixes(graph: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    """The prefixes of a SPARQL constraint, collected as pySHACL collects them."""
    prefixes: dict[str, str] = {}
    prefixes_values = set(graph.objects(node, SH.prefixes))
    if not prefixes_values:
        return prefixes
    ontologies = set(graph.subjects(RDF.type, OWL.Ontology))
    global_declares = {d for o in ontologies for d in graph.objects(o, SH.declare)}
    for value in prefixes_values:
        own = set(graph.objects(value, SH.declare))
        declares = own if own and value in ontologies else global_declares | own
        for declaration in declares:
            names = set(graph.objects(declaration, SH.prefix))
            namespaces = set(graph.objects(declaration, SH.namespace))
            if len(names) != 1 or len(namespaces) != 1:
                raise CannotCompile("a prefix declaration needs one sh:prefix and sh:namespace")
            prefixes[str(next(iter(names)))] = str(next(iter(namespaces)))
    return prefixes


@dataclass
class Select:
    """One sh:sparql constraint of a shape, rewritten for set-at-a-time evaluation."""

    shape: Shape
    node: rdflib.term.Node
    text: str
    messages: list[rdflib.Literal]
    prefixes: dict[str, str] = field(default_factory=dict)
    projected: list[str] = field(default_factory=list)  # original projection (names, no '?')
    star: bool = False
    compiler: Compiler | None = None

    # --- parsing --------------------------------------------------------------------------

    def prepare(self) -> None:
        text = self.text
        if self.shape.is_property:
            assert self.compiler is not None
            path = sparql_path(self.shape.graph, self.shape.path)  # type: ignore[arg-type]
            text = SPARQLQueryHelper.bind_path_regex.sub(lambda m: m.group(1) + path, text)
        elif SPARQLQueryHelper.bind_path_regex.search(text):
            raise CannotCompile("$PATH in a constraint of a node shape")
        if SPARQLQueryHelper.bind_sg_regex.search(text):
            raise CannotCompile("$shapesGraph is not supported")
        try:  # what pySHACL refuses to run (MINUS, VALUES, SERVICE, ...), it refuses here too
            SPARQLQueryHelper.check_invalid_sparql(SPARQLQueryHelper, text)  # type: ignore[arg-type]
        except Exception as exc:
            raise CannotCompile(f"pySHACL rejects this SPARQL constraint: {exc}") from None
        tokens = tokenize(text)
        tokens = self._prologue(tokens)
        tokens = self._expand(tokens)
        self.tokens = tokens
        self._split()

    def _prologue(self, tokens: list[Token]) -> list[Token]:
        prefixes = dict(self.prefixes)
        i = 0
        while i < len(tokens) and tokens[i].upper in ("PREFIX", "BASE"):
            if tokens[i].upper == "BASE":
                raise CannotCompile("BASE in a SPARQL constraint")
            if i + 2 >= len(tokens) or tokens[i + 1].kind != "pname" or tokens[i + 2].kind != "iri":
                raise CannotCompile("a malformed PREFIX declaration")
            prefixes[tokens[i + 1].text[:-1]] = tokens[i + 2].text[1:-1]
            i += 3
        self.prefixes = prefixes
        return tokens[i:]

    def _expand(self, tokens: list[Token]) -> list[Token]:
        out = []
        for token in tokens:
            if token.kind == "pname":
                prefix, _, local = token.text.partition(":")
                namespace = self.prefixes.get(prefix)
                if namespace is None and self.compiler is not None:
                    namespace = self.compiler.namespaces.get(prefix)
                if namespace is None:
                    raise CannotCompile(f"undeclared prefix {prefix!r} in a SPARQL constraint")
                local = re.sub(r"\\(.)", r"\1", local)
                token = Token("iri", term(rdflib.URIRef(namespace + local)), token.sep)
            elif token.kind == "var" and token.text[1:] == "currentShape":
                token = Token("iri", term(self.shape.node), token.sep)
            elif token.kind == "var" and token.text[1:] == "shapesGraph":
                raise CannotCompile("$shapesGraph is not supported")
            elif token.kind == "var":
                token = Token("var", "?" + token.text[1:], token.sep)
            out.append(token)
        return out

    def _split(self) -> None:
        tokens = self.tokens
        if not tokens or tokens[0].upper != "SELECT":
            raise CannotCompile("sh:select is not a SELECT query")
        i = 1
        self.modifier = ""
        if i < len(tokens) and tokens[i].upper in ("DISTINCT", "REDUCED"):
            self.modifier = tokens[i].upper
            i += 1
        start = i
        while i < len(tokens) and not (tokens[i].text == "{" or tokens[i].upper == "WHERE"):
            if tokens[i].upper == "FROM":
                raise CannotCompile("FROM in a SPARQL constraint")
            i += 1
        if i >= len(tokens):
            raise CannotCompile("a SELECT without WHERE clause")
        projection = tokens[start:i]
        if tokens[i].upper == "WHERE":
            i += 1
        end = _match_brace(tokens, i)
        self.projection = projection
        self.body = tokens[i + 1 : end]
        self.tail = tokens[end + 1 :]
        self.star = len(projection) == 1 and projection[0].text == "*"
        depth = 0
        names: list[str] = []
        aggregate = False
        for j, token in enumerate(projection):
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth -= 1
            elif token.kind == "var" and (
                depth == 0 or (depth == 1 and j > 0 and projection[j - 1].upper == "AS")
            ):
                names.append(token.text[1:])
            if token.upper in _AGGREGATES:
                aggregate = True
        self.projected = names
        tail_words = {t.upper for t in self.tail}
        if tail_words & {"LIMIT", "OFFSET"}:
            raise CannotCompile("LIMIT or OFFSET in a SPARQL constraint")
        if aggregate and "GROUP" not in tail_words:
            raise CannotCompile("aggregates without GROUP BY in a SPARQL constraint")
        self.grouped = "GROUP" in tail_words

    # --- rewriting -----------------------------------------------------------------------

    def _inject(
        self, tokens: list[Token], focus: str, top: bool, everywhere: bool = False
    ) -> list[Token]:
        """Join the focus pattern into every group that mentions $this without binding it
        (``everywhere``: into every group that mentions it)."""
        out: list[Token] = []
        i = 0
        head = [Token("other", focus)] if top else []
        out.extend(head)
        while i < len(tokens):
            token = tokens[i]
            if token.text == "{" and token.kind == "other":
                end = _match_brace(tokens, i)
                inner = tokens[i + 1 : end]
                previous = out[-1].upper if out else ""
                if previous == "EXISTS":
                    out.append(token)
                    out.extend(inner)
                    out.append(tokens[end])
                elif inner and inner[0].upper == "SELECT":
                    out.append(token)
                    out.extend(self._subselect(inner, focus, everywhere))
                    out.append(tokens[end])
                else:
                    out.append(token)
                    out.extend(self._group(inner, focus, everywhere))
                    out.append(tokens[end])
                i = end + 1
                continue
            out.append(token)
            i += 1
        return out

    def _group(self, tokens: list[Token], focus: str, everywhere: bool) -> list[Token]:
        mentions = any(t.is_this() for t in tokens)
        binds = False
        depth = paren = 0
        for t in tokens:
            if t.text == "{" and t.kind == "other":
                depth += 1
            elif t.text == "}" and t.kind == "other":
                depth -= 1
            elif t.text == "(":
                paren += 1
            elif t.text == ")":
                paren -= 1
            elif depth == 0 and paren == 0 and t.is_this():
                binds = True
        return self._inject(tokens, focus, mentions and (everywhere or not binds), everywhere)

    def _subselect(self, tokens: list[Token], focus: str, everywhere: bool) -> list[Token]:
        if not any(t.is_this() for t in tokens):
            return tokens
        words = {t.upper for t in tokens}
        if words & ({"GROUP", "LIMIT", "OFFSET"} | _AGGREGATES):
            raise CannotCompile("a sub-select aggregates or limits over $this")
        where = next(i for i, t in enumerate(tokens) if t.text == "{")
        projection = tokens[1:where]
        if not any(t.is_this() or t.text == "*" for t in projection):
            raise CannotCompile("a sub-select does not project $this")
        end = _match_brace(tokens, where)
        inner = self._inject(tokens[where + 1 : end], focus, True, everywhere)
        return [*tokens[: where + 1], *inner, *tokens[end:]]

    def query(self, source: FocusSource) -> str:
        """One SELECT for all focus nodes of ``source``; ``?this`` is always projected."""
        focus = source.pattern("?this")
        # A few listed focus nodes (incremental validation): join them into every group
        # that mentions $this, so that a group the engine would evaluate on its own (a
        # UNION branch) starts from them instead of from every triple.
        body = self._inject(self.body, focus, True, isinstance(source, RestrictedSource))
        if self.star:
            projection = "*"
        else:
            projection = render(self.projection)
            if "this" not in self.projected:
                projection = "?this " + projection
        tail = list(self.tail)
        if self.grouped:
            k = next(i for i, t in enumerate(tail) if t.upper == "GROUP")
            by = k + 2 if k + 1 < len(tail) and tail[k + 1].upper == "BY" else k + 1
            tail.insert(by, Token("var", "?this"))
        modifier = f"{self.modifier} " if self.modifier else ""
        return f"SELECT {modifier}{projection} WHERE {{ {render(body)} }} {render(tail)}"

    def fails(self, focus: str, rename: str) -> str:
        """True when the constraint reports at least one result for the bound ``focus``."""
        if self.grouped:
            raise CannotCompile("an aggregating SPARQL constraint inside another shape")
        names = set(self.projected)
        reported = {"this", "path", "value", "failure"} & names
        if not self.star and not reported:
            return "false"
        renamed = []
        for token in self.body:
            if token.is_this():
                renamed.append(Token("var", focus, token.sep))
            elif token.kind == "var":
                renamed.append(Token("var", f"{token.text}_{rename}", token.sep))
            else:
                renamed.append(token)
        condition = ""
        if not self.star and "this" not in names:
            bound = " || ".join(f"BOUND(?{n}_{rename})" for n in sorted(reported))
            condition = f" FILTER({bound})"
        return f"EXISTS {{ {render(renamed)}{condition} }}"


def target_select(shape: Shape, node: rdflib.term.Node, namespaces: dict[str, str]) -> str:
    """A SPARQL target (sh:target with sh:select) as a SELECT with prefixed names expanded."""
    graph = shape.graph
    selects = list(graph.objects(node, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], rdflib.Literal):
        raise CannotCompile("a SPARQL target needs one sh:select string")
    select = Select(shape, node, str(selects[0]), [], collect_prefixes(graph, node))
    tokens = select._prologue(tokenize(select.text))
    select.prefixes = {**namespaces, **select.prefixes}
    tokens = select._expand(tokens)
    select.tokens = tokens
    select._split()
    if not select.star and "this" not in select.projected:
        raise CannotCompile("a SPARQL target does not select ?this")
    return render(tokens)


class SparqlConstraint(Component):
    """sh:sparql: the SPARQL-based constraints of a shape."""

    iri = SH.SPARQLConstraintComponent
    parameters = (SH.sparql,)
    kind = "sparql"

    def __init__(self, shape: Shape, compiler: Compiler) -> None:
        super().__init__(shape, compiler)
        self.selects: list[Select] = []
        graph = shape.graph
        for node in sorted(set(self.param(SH.sparql)), key=str):
            selects = list(graph.objects(node, SH.select))
            if len(selects) != 1 or not isinstance(selects[0], rdflib.Literal):
                raise CannotCompile("a SPARQL constraint needs one sh:select string")
            deactivated = next(iter(graph.objects(node, SH.deactivated)), None)
            if deactivated is not None:
                if not isinstance(deactivated, rdflib.Literal) or not isinstance(
                    deactivated.value, bool
                ):
                    raise CannotCompile("sh:deactivated of a SPARQL constraint is not a boolean")
                if deactivated.value:
                    continue
            messages = list(graph.objects(node, SH.message))
            select = Select(
                shape,
                node,
                str(selects[0]),
                messages,  # type: ignore[arg-type]
                collect_prefixes(graph, node),
                compiler=compiler,
            )
            select.prepare()
            self.selects.append(select)

    def fails(self, focus: str) -> str:
        from spacecoop.engine.core import any_of

        return any_of([s.fails(focus, self.compiler.vars("s")[2:]) for s in self.selects])


# --- SPARQL-based constraint components (sh:ConstraintComponent) fall back to pySHACL --------


@dataclass
class CustomComponent:
    mandatory: list[rdflib.term.Node]

    def applies_to(self, shape: Shape) -> bool:
        return all(
            next(shape.graph.objects(shape.node, p), None) is not None for p in self.mandatory
        )


def custom_components(graph: rdflib.Graph) -> list[CustomComponent]:
    """Constraint components declared in the shapes graph, found as pySHACL finds them."""
    nodes = set(graph.subjects(RDF.type, SH.ConstraintComponent))
    for subclass in set(graph.subjects(RDFS.subClassOf, SH.ConstraintComponent)):
        nodes.update(graph.subjects(RDF.type, subclass))
    found = []
    for node in nodes:
        if str(node).startswith(str(SH)):
            continue
        mandatory = []
        for parameter in graph.objects(node, SH.parameter):
            optional = next(graph.objects(parameter, SH.optional), None)
            if isinstance(optional, rdflib.Literal) and optional.value is True:
                continue
            path = next(graph.objects(parameter, SH.path), None)
            if path is not None:
                mandatory.append(path)
        if mandatory:
            found.append(CustomComponent(mandatory))
    return found
