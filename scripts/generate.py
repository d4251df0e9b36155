"""Seeded synthetic data in the project's own vocabulary, for benchmarks and equivalence tests.

The generator reads the shapes (and the ontology's class hierarchy) and writes entities that
conform to them: for each class the shapes target, every property shape that applies to it
(through sh:targetClass on the class or a superclass) says which values to write (sh:class,
sh:datatype, sh:nodeKind, sh:in, sh:or, sh:pattern, sh:languageIn, qualified language
requirements, counts). A small table below knows what the shapes cannot say, namely the
cross-entity rules of shapes/rules.ttl (dates in order, two parties per agreement, ...).

Then it plants a controlled fraction of deliberate violations of every constraint kind the
shapes use (each core component, and each SHACL-SPARQL rule it knows how to break) and writes
them beside the data as JSON: ``expected.json`` lists (focus, path, component, shape).

    python scripts/generate.py --size 100k --out /tmp/gen100k    # a project: data/, expected.json
    python scripts/generate.py --size 1m --violations 0.001 --seed 7 --out /tmp/gen1m

The output is deterministic for a given seed, size, shapes and ontology.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

try:  # the regular expression parser (public as sre_parse before Python 3.11)
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH, XSD

from spacecoop.config import Config, load_config
from spacecoop.graphs import to_rdflib

DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"
SCHEMA_SAME = "https://schema.org/sameAs"
LANG_STRING = str(RDF.langString)

# --- what the shapes cannot say: the cross-entity rules (shapes/rules.ttl) -------------------
EARLY_DATES = {
    "startDate",
    "approvalDate",
    "proposedOn",
    "foundingDate",
    "birthDate",
    "signedOn",
    "statedOn",
    "attestedOn",
    "date",
}
LATE_DATES = {"endDate", "launchDate", "deathDate", "ratifiedOn"}
NEVER_OPTIONAL = {
    "conflictsWith",
    "signatory",
    "hasSignature",
    "launchDateTime",
    "signer",
    "claimedResource",
}
PINNED_FIRST = {"evidenceStatus"}  # first member of sh:in (sc:Verified): no rule applies
MIN_VALUES = {"party": 2}  # an agreement binds two distinct parties
REQUIRED = {"PlannedDate": {"statedOn"}}  # a planned date says when it was stated
OPTIONAL_RATE = 0.5
# Where a rule that does not target a class can be broken (local class names).
RULE_CLASSES = {
    "ConflictingClaimsRule": "Claim",
    "LaunchDateTimeRule": "Spacecraft",
    "PlannedDateStatedOnRule": "PlannedDate",
    "PlannedDateSourceRule": "PlannedDate",
}
# Rules whose planted violations pySHACL is known not to report (marked in expected.json so
# that the equivalence test can tell); none at present.
PYSHACL_BLIND: set[str] = set()


@dataclass
class Alternative:
    classes: list[str] = field(default_factory=list)
    datatypes: list[str] = field(default_factory=list)


@dataclass
class Spec:
    """Everything the shapes say about one property of one class."""

    path: str
    minimum: int = 0
    maximum: int | None = None
    classes: list[str] = field(default_factory=list)
    datatypes: list[str] = field(default_factory=list)
    node_kind: str | None = None
    members: list[str] | None = None
    alternatives: list[Alternative] = field(default_factory=list)
    languages: list[str] | None = None  # sh:languageIn
    required_languages: list[str] = field(default_factory=list)  # qualified language shapes
    unique_lang: bool = False
    patterns: list[str] = field(default_factory=list)
    node_shapes: list[str] = field(default_factory=list)
    shapes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # kind->shapes

    @property
    def local(self) -> str:
        return re.split(r"[/#]", self.path)[-1]


class Model:
    """Classes, their specs, and the rule shapes, read from ontology + shapes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        quads = []
        for kind in ("ontology", "shapes"):
            for path in config.sources(kind):
                quads.extend(
                    ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=config.base_iri)
                )
        g = to_rdflib(q.triple for q in quads)
        self.g = g
        vocab = config.vocabulary_namespace
        self.superclasses: dict[str, set[str]] = defaultdict(set)
        for s, o in g.subject_objects(RDFS.subClassOf):
            if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef):
                self.superclasses[str(s)].add(str(o))
        targets: dict[str, list[rdflib.term.Node]] = defaultdict(list)
        for shape, cls in g.subject_objects(SH.targetClass):
            targets[str(cls)].append(shape)
        self.targets = targets
        self.classes = sorted(c for c in targets if c.startswith(vocab))
        # Classes values must be instances of (sh:class), even outside the vocabulary.
        referenced = {str(c) for c in g.objects(None, SH["class"]) if isinstance(c, rdflib.URIRef)}
        # Outside the vocabulary, values link to the ontology's own instances (its ontology
        # headers, its concept schemes) where there are some; others are generated too.
        self.existing = {
            c: sorted(
                f"<{i}>"
                for i in g.subjects(RDF.type, rdflib.URIRef(c))
                if isinstance(i, rdflib.URIRef)
            )
            for c in referenced | set(targets)
            if not c.startswith(vocab)
        }
        generated = {c for c in referenced if not self.existing.get(c)}
        self.classes = sorted(set(self.classes) | generated)
        self.rules: dict[str, list[str]] = defaultdict(list)  # rule local name -> classes
        for cls, shapes in targets.items():
            for shape in shapes:
                if next(g.objects(shape, SH.sparql), None) is not None:
                    self.rules[local(str(shape))].append(cls)
        for shape in g.subjects(SH.sparql, None):
            if next(g.objects(shape, SH.targetClass), None) is None:
                self.rules.setdefault(local(str(shape)), [])
        self.specs = {c: self._specs(c) for c in self.classes}
        # A node shape applied with sh:node to the values of a property constrains the class
        # of those values everywhere: its property shapes become part of that class's specs.
        for cls in list(self.specs):
            for spec in list(self.specs[cls].values()):
                for node_shape in spec.node_shapes:
                    for target in spec.classes:
                        for member in self.descendants(target):
                            for prop in g.objects(rdflib.URIRef(node_shape), SH.property):
                                self._merge(self.specs[member], prop)

    def ancestors(self, cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self.superclasses.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def descendants(self, cls: str) -> list[str]:
        return [c for c in self.classes if cls in self.ancestors(c)]

    def _specs(self, cls: str) -> dict[str, Spec]:
        g = self.g
        specs: dict[str, Spec] = {}
        for ancestor in self.ancestors(cls):
            for shape in self.targets.get(ancestor, []):
                for prop in g.objects(shape, SH.property):
                    self._merge(specs, prop)
                for head in g.objects(shape, SH["or"]):
                    members = list(g.items(head))
                    if members and g.value(members[0], SH.path) is not None:
                        self._merge(specs, members[0], node_or=str(shape))
        for name in REQUIRED.get(local(cls), ()):
            for spec in specs.values():
                if spec.local == name:
                    spec.minimum = max(spec.minimum, 1)
        return specs

    def _merge(
        self, specs: dict[str, Spec], prop: rdflib.term.Node, node_or: str | None = None
    ) -> None:
        g = self.g
        path = g.value(prop, SH.path)
        if not isinstance(path, rdflib.URIRef):
            return
        spec = specs.setdefault(str(path), Spec(str(path)))
        name = str(prop)
        if node_or:
            spec.shapes["node-or"].add(node_or)
        for count in g.objects(prop, SH.minCount):
            spec.minimum = max(spec.minimum, int(count))
            spec.shapes["MinCount"].add(name)
        for count in g.objects(prop, SH.maxCount):
            spec.maximum = int(count) if spec.maximum is None else min(spec.maximum, int(count))
            spec.shapes["MaxCount"].add(name)
        for c in g.objects(prop, SH["class"]):
            spec.classes.append(str(c))
            spec.shapes["Class"].add(name)
        for d in g.objects(prop, SH.datatype):
            spec.datatypes.append(str(d))
            spec.shapes["Datatype"].add(name)
        for k in g.objects(prop, SH.nodeKind):
            spec.node_kind = str(k).rsplit("#", 1)[-1]
            spec.shapes["NodeKind" + spec.node_kind].add(name)
        for head in g.objects(prop, SH["in"]):
            spec.members = [str(m) for m in g.items(head)]
            spec.shapes["In"].add(name)
        for head in g.objects(prop, SH["or"]):
            for member in g.items(head):
                spec.alternatives.append(
                    Alternative(
                        [str(c) for c in g.objects(member, SH["class"])],
                        [str(d) for d in g.objects(member, SH.datatype)],
                    )
                )
            spec.shapes["Or"].add(name)
        for head in g.objects(prop, SH.languageIn):
            spec.languages = [str(x) for x in g.items(head)]
            spec.shapes["LanguageIn"].add(name)
        for value_shape in g.objects(prop, SH.qualifiedValueShape):
            for head in g.objects(value_shape, SH.languageIn):
                for language in g.items(head):
                    if str(language) not in spec.required_languages:
                        spec.required_languages.append(str(language))
                    spec.shapes[f"QualifiedMinCount-{language}"].add(name)
        if any(str(u) == "true" for u in g.objects(prop, SH.uniqueLang)):
            spec.unique_lang = True
            spec.shapes["UniqueLang"].add(name)
        for p in g.objects(prop, SH.pattern):
            spec.patterns.append(str(p))
            spec.shapes["Pattern"].add(name)
        for n in g.objects(prop, SH.node):
            spec.node_shapes.append(str(n))
            spec.shapes["Node"].add(name)


def local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def kind_of(cls: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", local(cls)).lower()


def from_regex(pattern: str, rng: random.Random) -> str:
    """A short string matching a simple regular expression (enough for identifier patterns)."""

    def walk(items) -> str:  # type: ignore[no-untyped-def]
        out = ""
        for op, arg in items:
            if op == sre_constants.LITERAL:
                out += chr(arg)
            elif op == sre_constants.IN:
                choices = []
                for kind, value in arg:
                    if kind == sre_constants.LITERAL:
                        choices.append(chr(value))
                    elif kind == sre_constants.RANGE:
                        choices.extend(chr(c) for c in range(value[0], value[1] + 1))
                out += rng.choice(choices or ["A"])
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, _high, inner = arg
                out += "".join(walk(inner) for _ in range(max(low, 1)))
            elif op == sre_constants.SUBPATTERN:
                out += walk(arg[-1])
            elif op == sre_constants.BRANCH:
                out += walk(arg[1][0])
            elif op == sre_constants.ANY:
                out += "x"
        return out

    return walk(sre_parse.parse(pattern))


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def lit(text: str, datatype: str | None = None, language: str | None = None) -> str:
    if language:
        return f'"{esc(text)}"@{language}'
    if datatype and datatype != str(XSD.string):
        return f'"{esc(text)}"^^<{datatype}>'
    return f'"{esc(text)}"'


class Generator:
    def __init__(self, model: Model, size: int, seed: int, rate: float) -> None:
        self.model = model
        self.rng = random.Random(seed)
        self.size = size
        self.rate = rate
        self.base = model.config.instance_namespace
        self.vocab = model.config.vocabulary_namespace
        self.pools: dict[str, list[str]] = {}
        self.expected: list[dict] = []
        self.not_planted: list[str] = []
        self.triples = 0
        self.extra = 0

    # --- values ---------------------------------------------------------------------------

    def entity(self, cls: str, n: int) -> str:
        return f"<{self.base}{kind_of(cls)}/{kind_of(cls)}-{n}>"

    def instance(self, cls: str) -> str:
        pool = self.pools.get(cls)
        if pool is None:
            members = [i for c in self.model.descendants(cls) for i in self.pools_by_class[c]]
            pool = self.pools[cls] = members or self.model.existing.get(cls, [])
        return self.rng.choice(pool) if pool else f"<{self.base}missing/{kind_of(cls)}>"

    def date(self, spec: Spec, datatype: str) -> str:
        name = spec.local
        year = (
            self.rng.randint(1960, 1989)
            if name in EARLY_DATES
            else (
                self.rng.randint(1995, 2020) if name in LATE_DATES else self.rng.randint(1960, 1989)
            )
        )
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        if datatype == str(XSD.gYear):
            return lit(f"{year}", datatype)
        if datatype == str(XSD.gYearMonth):
            return lit(f"{year}-{month:02d}", datatype)
        if datatype == str(XSD.dateTime):
            return lit(
                f"{year}-{month:02d}-{day:02d}T{self.rng.randint(0, 23):02d}:00:00Z", datatype
            )
        return lit(f"{year}-{month:02d}-{day:02d}", datatype)

    def literal(self, spec: Spec, datatype: str, n: int, language: str | None = None) -> str:
        if datatype in (str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth), str(XSD.dateTime)):
            return self.date(spec, datatype)
        if datatype == LANG_STRING:
            language = language or (spec.languages or ["en"])[0]
            return lit(
                f"{spec.local} {n}" + (" 文" if language.startswith("zh") else ""),
                language=language,
            )
        if spec.patterns:
            return lit(from_regex(spec.patterns[0], self.rng), datatype)
        if datatype in (str(XSD.integer), str(XSD.positiveInteger), str(XSD.nonNegativeInteger)):
            return lit(str(n % 97 + 1), datatype)
        if datatype in (str(XSD.decimal), str(XSD.double), str(XSD.float)):
            return lit(f"{n % 9000 + 100}.5", datatype)
        if datatype == str(XSD.anyURI):
            return lit(f"https://example.org/{spec.local}/{n}", datatype)
        if datatype == str(XSD.boolean):
            return lit("true", datatype)
        return lit(f"{spec.local}-{n}", datatype)

    def values(self, spec: Spec, n: int) -> list[str]:
        """Conforming values of one property for entity number ``n``."""
        if spec.members is not None:
            if spec.local in PINNED_FIRST:
                return [f"<{spec.members[0]}>"]
            return [f"<{self.rng.choice(spec.members)}>"]
        if spec.classes:
            return [self.instance(self.rng.choice(spec.classes))]
        if spec.alternatives:
            alternative = self.rng.choice(spec.alternatives)
            if alternative.classes:
                return [self.instance(alternative.classes[0])]
            return [self.literal(spec, alternative.datatypes[0], n)]
        if spec.path in (OWL_SAME, SCHEMA_SAME):
            return [f"<http://www.wikidata.org/entity/Q{1000 + n}>"]
        if spec.datatypes:
            datatype = spec.datatypes[0]
            if datatype == LANG_STRING or spec.required_languages:
                languages = spec.required_languages or (spec.languages or ["en"])[:1]
                return [self.literal(spec, LANG_STRING, n, lang) for lang in languages]
            return [self.literal(spec, datatype, n)]
        if spec.required_languages:
            return [self.literal(spec, LANG_STRING, n, lang) for lang in spec.required_languages]
        if spec.node_kind in ("IRI", "BlankNodeOrIRI", "IRIOrLiteral"):
            return [f"<https://example.org/{spec.local}/{n}>"]
        if spec.node_kind in ("Literal",):
            return [lit(f"{spec.local} {n}")]
        return [f"<https://example.org/{spec.local}/{n}>"]

    # --- entities -------------------------------------------------------------------------

    def properties(self, cls: str, n: int) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for path, spec in sorted(self.model.specs[cls].items()):
            required = (
                spec.minimum > 0
                or bool(spec.required_languages)
                or bool(spec.node_shapes)
                or spec.local in MIN_VALUES
            )
            if not required and (spec.local in NEVER_OPTIONAL or self.rng.random() > OPTIONAL_RATE):
                continue
            values = list(dict.fromkeys(self.values(spec, n)))
            want = max(spec.minimum, MIN_VALUES.get(spec.local, 0))
            tries = 0
            while len(values) < want and tries < 10:
                values = list(dict.fromkeys([*values, *self.values(spec, n + tries + 1)]))
                tries += 1
            if spec.maximum is not None:
                values = values[: max(spec.maximum, want)]
            out[path] = values
        label = f"{local(cls)} {n}"
        out[str(RDFS.label)] = [lit(label, language="en"), lit(label + " 号", language="zh")]
        return out

    def block(self, subject: str, cls: str, props: dict[str, list[str]]) -> str:
        lines = [f"{subject} a <{cls}>"]
        count = 1
        for path, values in props.items():
            if values:
                lines.append(f"    <{path}> " + " , ".join(values))
                count += len(values)
        self.triples += count
        return " ;\n".join(lines) + " .\n"

    # --- violations ----------------------------------------------------------------------

    def expect(
        self,
        focus: str,
        path: str | None,
        component: str,
        shapes: set[str] | list[str],
        kind: str,
    ) -> None:
        for shape in sorted(shapes):
            entry = {
                "focus": focus[1:-1],
                "path": path,
                "component": str(SH) + component,
                "shape": shape,
                "kind": kind,
            }
            if kind.startswith("rule:") and kind[5:] in PYSHACL_BLIND:
                entry["pyshacl_blind"] = True
            self.expected.append(entry)

    def breakers(self) -> list[tuple[str, list[str]]]:
        """(kind, classes it can be planted in) for every kind the shapes use."""
        kinds: dict[str, set[str]] = defaultdict(set)
        for cls in self.model.classes:
            for spec in self.model.specs[cls].values():
                for kind in spec.shapes:
                    kinds[kind].add(cls)
        vocab = self.vocab
        for rule, classes in self.model.rules.items():
            if rule in RULE_CLASSES:
                classes = self.model.descendants(vocab + RULE_CLASSES[rule])
            elif rule == "DateOrderRule":
                classes = [
                    c
                    for c in self.model.classes
                    if {vocab + "startDate", vocab + "endDate"} <= set(self.model.specs[c])
                ]
            kinds["rule:" + rule].update(
                c for c in (classes or self.model.classes) if c.startswith(vocab)
            )
        return sorted((k, sorted(v)) for k, v in kinds.items())

    def spec_with(self, cls: str, kind: str) -> Spec | None:
        found = [
            s
            for s in self.model.specs[cls].values()
            if kind in s.shapes and not (kind == "MaxCount" and s.local in PINNED_FIRST)
        ]
        return self.rng.choice(sorted(found, key=lambda s: s.path)) if found else None

    def other_class(self, avoid: list[str]) -> str:
        avoided = {d for c in avoid for d in self.model.descendants(c)}
        choices = [c for c in self.model.classes if c not in avoided and self.pools_by_class[c]]
        return self.rng.choice(choices)

    @staticmethod
    def put(props: dict[str, list[str]], spec: Spec, value: str) -> None:
        """Add a violating value without removing others (which could break other shapes),
        unless the property allows no more values."""
        current = props.get(spec.path, [])
        if spec.maximum is not None and len(current) >= spec.maximum:
            props[spec.path] = [value]
        else:
            props[spec.path] = [*current, value]

    def plant(self, kind: str, cls: str, subject: str, props: dict[str, list[str]], n: int) -> bool:
        """Break entity ``subject`` for ``kind``; returns False when this class cannot."""
        if kind.startswith("rule:"):
            return self.plant_rule(kind[5:], cls, subject, props, n)
        spec = self.spec_with(cls, kind)
        if spec is None:
            return False
        path = spec.path
        shapes = spec.shapes[kind]
        if kind == "MinCount" and spec.minimum > 0:
            props[path] = []
            self.expect(subject, path, "MinCountConstraintComponent", shapes, kind)
        elif kind == "MaxCount" and spec.maximum == 1:
            first = props.get(path) or self.values(spec, n)
            second = self.values(spec, n + 7919)
            extra = [v for v in second if v not in first] or [lit("extra value", language="fr")]
            props[path] = [first[0], extra[0]]
            self.expect(subject, path, "MaxCountConstraintComponent", shapes, kind)
        elif kind == "Class":
            self.put(props, spec, self.instance(self.other_class(spec.classes)))
            self.expect(subject, path, "ClassConstraintComponent", shapes, kind)
        elif kind == "Datatype":
            wrong = (
                lit("not typed right")
                if spec.datatypes[0] == LANG_STRING
                else lit("x", language="en")
            )
            self.put(props, spec, wrong)
            self.expect(subject, path, "DatatypeConstraintComponent", shapes, kind)
        elif kind == "NodeKindIRI":
            self.put(props, spec, lit(f"https://example.org/not-an-iri/{n}"))
            self.expect(subject, path, "NodeKindConstraintComponent", shapes, kind)
        elif kind == "NodeKindLiteral":
            self.put(props, spec, f"<https://example.org/not-a-literal/{n}>")
            self.expect(subject, path, "NodeKindConstraintComponent", shapes, kind)
        elif kind == "In":
            self.put(props, spec, f"<{self.vocab}NotInTheList>")
            self.expect(subject, path, "InConstraintComponent", shapes, kind)
        elif kind == "Or":
            self.put(props, spec, lit("sometime"))
            self.expect(subject, path, "OrConstraintComponent", shapes, kind)
        elif kind == "Pattern":
            if spec.datatypes and spec.datatypes[0] == str(XSD.dateTime):
                self.put(props, spec, lit("2001-02-03T04:05:06+02:00", str(XSD.dateTime)))
            else:
                self.put(props, spec, lit("?? does not match"))
            self.expect(subject, path, "PatternConstraintComponent", shapes, kind)
        elif kind == "LanguageIn":
            self.put(props, spec, lit(f"texte {n}", language="fr"))
            self.expect(subject, path, "LanguageInConstraintComponent", shapes, kind)
        elif kind == "UniqueLang":
            current = props.get(path, [])
            if any(v.endswith("@en") for v in current):
                props[path] = [*current, lit(f"another {n}", language="en")]
            else:
                props[path] = [
                    *current,
                    lit(f"one {n}", language="en"),
                    lit(f"two {n}", language="en"),
                ]
            self.expect(subject, path, "UniqueLangConstraintComponent", shapes, kind)
        elif kind.startswith("QualifiedMinCount-"):
            language = kind.split("-", 1)[1]
            props[path] = [v for v in props.get(path, []) if not v.endswith(f"@{language}")]
            if path == str(RDFS.label) and not props[path]:
                props[path] = [lit(f"{local(cls)} {n}", language="de")]
            self.expect(subject, path, "QualifiedMinCountConstraintComponent", shapes, kind)
        elif kind == "Node":
            target_cls = spec.classes[0] if spec.classes else None
            if target_cls is None:
                return False
            fresh = f"<{self.base}{kind_of(target_cls)}/unordered-{n}>"
            inner = self.properties(target_cls, 10_000_000 + n)
            node_paths = {
                str(self.model.g.value(p, SH.path))
                for shape in spec.node_shapes
                for p in self.model.g.objects(rdflib.URIRef(shape), SH.property)
            }
            for p in node_paths:
                inner.pop(p, None)
            self.pending.append(self.block(fresh, target_cls, inner))
            props[path] = [fresh]
            self.expect(subject, path, "NodeConstraintComponent", shapes, kind)
        elif kind == "node-or":
            for other in self.model.specs[cls].values():
                if "node-or" in other.shapes or other.local in (
                    "startDate",
                    "endDate",
                    "attestedOn",
                ):
                    props.pop(other.path, None)
            self.expect(subject, None, "OrConstraintComponent", shapes, kind)
        else:
            return False
        return True

    def plant_rule(
        self, rule: str, cls: str, subject: str, props: dict[str, list[str]], n: int
    ) -> bool:
        v = self.vocab
        shapes = [s for s in self.model.g.subjects(SH.sparql, None) if local(str(s)) == rule]
        if not shapes:
            return False
        shape = str(shapes[0])

        def find(name: str) -> str | None:
            return next((p for p in self.model.specs[cls] if local(p) == name), f"{v}{name}")

        if rule == "AgreementPartiesRule":
            party = find("party")
            props[party] = (props.get(party) or [self.instance(f"{v}Organization")])[:1]
        elif rule == "PlannedDateStatedOnRule":
            props.pop(find("statedOn"), None)
        elif rule == "PlannedDateSourceRule":
            props.pop(DCT + "source", None)
            self.expect(
                subject,
                DCT + "source",
                "MinCountConstraintComponent",
                self.model.specs[cls][DCT + "source"].shapes["MinCount"],
                "MinCount",
            )
        elif rule == "DateOrderRule":
            if (
                cls not in self.model.rules.get(rule, [cls])
                and f"{v}endDate" not in self.model.specs[cls]
            ):
                return False
            props[f"{v}startDate"] = [lit("2010-05-05", str(XSD.date))]
            props[f"{v}endDate"] = [lit("1990-05-05", str(XSD.date))]
        elif rule == "WikidataEntityIriRule":
            props[OWL_SAME] = [f"<https://www.wikidata.org/wiki/Q{n}>"]
        elif rule == "NoFileIriRule":
            props[DCT + "source"] = [f"<file:///home/someone/source-{n}.html>"]
        elif rule == "UniqueEnglishLabelRule":
            previous = self.previous_label.get(cls)
            if previous is None:
                return False
            others = [x for x in props.get(str(RDFS.label), []) if not x.endswith("@en")]
            props[str(RDFS.label)] = [previous, *others]
        elif rule == "MirrorEvidenceDerivationRule":
            props[f"{v}evidenceStatus"] = [f"<{v}VerifiedMirror>"]
            props.pop(PROV + "wasDerivedFrom", None)
        elif rule == "MirrorEvidenceSourceRule":
            props[f"{v}evidenceStatus"] = [f"<{v}VerifiedMirror>"]
            props[PROV + "wasDerivedFrom"] = [f"<https://example.org/mirror/{n}>"]
            props.pop(DCT + "source", None)
            self.expect(
                subject,
                DCT + "source",
                "MinCountConstraintComponent",
                self.model.specs[cls][DCT + "source"].shapes["MinCount"],
                "MinCount",
            )
        elif rule == "ConflictingStatusRule":
            props[f"{v}evidenceStatus"] = [f"<{v}Conflicting>"]
        elif rule == "ConflictingClaimsRule":
            props[f"{v}conflictsWith"] = [self.instance(f"{v}Person")]
            self.expect(
                subject,
                f"{v}conflictsWith",
                "ClassConstraintComponent",
                self.model.specs[cls][f"{v}conflictsWith"].shapes["Class"],
                "Class",
            )
        elif rule == "LaunchAfterApprovalRule":
            craft_cls = f"{v}Spacecraft"
            if craft_cls not in self.model.specs:
                return False
            fresh = f"<{self.base}spacecraft/early-{n}>"
            inner = self.properties(craft_cls, 20_000_000 + n)
            inner[f"{v}launchDate"] = [lit("1961-04-12", str(XSD.date))]
            self.pending.append(self.block(fresh, craft_cls, inner))
            props[f"{v}approvalDate"] = [lit("1999-12-28", str(XSD.date))]
            props[f"{v}hasSpacecraft"] = [*props.get(f"{v}hasSpacecraft", []), fresh]
        elif rule == "LaunchDateTimeRule":
            props[f"{v}launchDate"] = [lit("2003-10-15", str(XSD.date))]
            props[f"{v}launchDateTime"] = [lit("2003-10-16T01:00:00Z", str(XSD.dateTime))]
        elif rule == "SignatoryPostRule":
            person = f"<{self.base}person/signatory-{n}>"
            person_props = self.properties(f"{v}Person", 30_000_000 + n)
            holding = f"<{self.base}post-holding/signatory-{n}>"
            holding_props = self.properties(f"{v}PostHolding", 30_000_000 + n)
            holding_props[f"{v}holder"] = [person]
            holding_props[f"{v}startDate"] = [lit("1960-01-01", str(XSD.date))]
            holding_props.pop(f"{v}endDate", None)
            self.pending.append(self.block(person, f"{v}Person", person_props))
            self.pending.append(self.block(holding, f"{v}PostHolding", holding_props))
            props[f"{v}signatory"] = [person]
            props[f"{v}signedOn"] = [lit("1985-06-01", str(XSD.date))]
        else:
            return False
        self.expect(subject, None, "SPARQLConstraintComponent", [shape], "rule:" + rule)
        return True

    # --- the whole file -------------------------------------------------------------------

    def run(self, out: Path) -> dict:
        classes = self.model.classes
        sample = Generator(self.model, 0, 1, 0.0)
        sample.pools_by_class = {c: [sample.entity(c, 0)] for c in classes}
        per_entity = 0
        for c in classes:
            before = sample.triples
            sample.block(sample.entity(c, 0), c, sample.properties(c, 0))
            per_entity += sample.triples - before
        per_entity = max(per_entity / len(classes), 1)
        count = max(int(self.size / per_entity / len(classes)), 2)
        self.pools_by_class = {c: [self.entity(c, i) for i in range(count)] for c in classes}
        breakers = self.breakers()
        total = count * len(classes)
        planned: dict[tuple[str, int], str] = {}
        per_kind = max(1, round(self.rate * total / max(len(breakers), 1))) if self.rate else 0
        for kind, kind_classes in breakers:
            planted = 0
            for _attempt in range(per_kind * 20):
                if planted >= per_kind or not kind_classes:
                    break
                cls = self.rng.choice(kind_classes)
                if cls not in self.pools_by_class:
                    continue
                key = (cls, self.rng.randrange(1, count))
                if key not in planned:
                    planned[key] = kind
                    planted += 1
        self.previous_label: dict[str, str] = {}
        done_kinds: set[str] = set()
        self.pending: list[str] = []
        (out / "data").mkdir(parents=True, exist_ok=True)
        with open(out / "data" / "generated.ttl", "w", encoding="utf-8") as f:
            f.write(f"# Synthetic data: {total} entities, seed and size in expected.json\n\n")
            for i in range(count):
                for cls in classes:
                    subject = self.entity(cls, i)
                    props = self.properties(cls, i)
                    kind = planned.get((cls, i))
                    if kind and self.plant(kind, cls, subject, props, i):
                        done_kinds.add(kind)
                    f.write(self.block(subject, cls, props))
                    for extra in self.pending:
                        f.write(extra)
                    self.pending.clear()
                    english = [x for x in props.get(str(RDFS.label), []) if x.endswith("@en")]
                    if english:
                        self.previous_label[cls] = english[0]
        self.not_planted = sorted(k for k, _ in breakers if k not in done_kinds)
        summary = {
            "size": self.size,
            "triples": self.triples,
            "entities": total,
            "violation_rate": self.rate,
            "kinds": sorted(k for k, _ in breakers),
            "not_planted": self.not_planted,
            "violations": self.expected,
        }
        (out / "expected.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        return summary


def make_project(source: Path, out: Path) -> None:
    """A project folder for the generated data: the source project's configuration, ontology,
    shapes and queries, with ``data/`` left for the generated file."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "pyproject.toml", out / "pyproject.toml")
    for name in ("ontology", "shapes", "queries"):
        if (out / name).exists():
            shutil.rmtree(out / name)
        if (source / name).is_dir():
            shutil.copytree(source / name, out / name)
    if (out / "data").exists():
        shutil.rmtree(out / "data")


def parse_size(text: str) -> int:
    text = text.lower().strip()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k", help="triples: 100k, 1m, 10m, ...")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--violations", type=float, default=0.002, help="fraction of entities")
    parser.add_argument(
        "--project", type=Path, default=None, help="project root (shapes, ontology)"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    config = load_config(args.project)
    make_project(config.root, args.out)
    summary = Generator(Model(config), parse_size(args.size), args.seed, args.violations).run(
        args.out
    )
    print(
        f"{summary['triples']} triples, {summary['entities']} entities, "
        f"{len(summary['violations'])} planted violations of {len(summary['kinds'])} kinds "
        f"-> {args.out}/data/generated.ttl",
        file=sys.stderr,
    )
    if summary["not_planted"]:
        print(f"kinds not planted: {', '.join(summary['not_planted'])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
