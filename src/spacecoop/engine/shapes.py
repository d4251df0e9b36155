"""Shapes and the shapes graph (SHACL §2.1 to §2.3), read the way the reference engine reads them.

The fast engine must report exactly what pySHACL reports, so shape discovery, targets,
severities, messages and deactivation follow pySHACL 0.40's reading of the shapes graph
(``pyshacl.shapes_graph._build_node_shape_cache``): a node is a shape when it is typed
sh:NodeShape or sh:PropertyShape, has a target or sh:property/sh:node, or is the value of a
shape-expecting parameter (sh:property, sh:node, sh:not, sh:qualifiedValueShape, members of
sh:and/sh:or/sh:xone lists). A shape with one sh:path is a property shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import RDF, RDFS, SH

Node = rdflib.term.Node


class CannotCompile(Exception):
    """A shape or feature the fast engine does not compile; it falls back to pySHACL."""


@dataclass(frozen=True)
class Targets:
    """The target declarations of a shape (SHACL §2.1.3), plus implicit class targets."""

    nodes: tuple[Node, ...] = ()
    classes: tuple[Node, ...] = ()
    subjects_of: tuple[Node, ...] = ()
    objects_of: tuple[Node, ...] = ()
    sparql: tuple[Node, ...] = ()  # sh:target nodes with sh:select (SHACL-AF SPARQL targets)
    advanced: bool = False  # other sh:target kinds (parameterised target types, JavaScript)

    def __bool__(self) -> bool:
        return bool(
            self.nodes or self.classes or self.subjects_of or self.objects_of or self.sparql
        )


@dataclass(eq=False)
class Shape:
    """One shape with the parameters the engine needs; constraint parameters stay in ``graph``."""

    node: Node
    graph: rdflib.Graph
    is_property: bool
    path: Node | None
    severity: Node
    messages: list[rdflib.Literal] = field(default_factory=list)
    deactivated: bool = False
    targets: Targets = field(default_factory=Targets)

    def objects(self, predicate: Node) -> list[Node]:
        return list(self.graph.objects(self.node, predicate))

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        kind = "PropertyShape" if self.is_property else "NodeShape"
        return f"<{kind} {self.node}>"


_SHAPE_EXPECTING = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_LIST_EXPECTING = (SH["and"], SH["or"], SH.xone)


class ShapesGraph:
    """Every shape of a shapes graph, keyed by its node."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph
        self.shapes: dict[Node, Shape] = {}
        self._build()

    def _build(self) -> None:
        g = self.graph
        node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
        prop_shapes = set(g.subjects(RDF.type, SH.PropertyShape))
        paths: dict[Node, Node] = {}
        for s in node_shapes:
            if next(g.objects(s, SH.path), None) is not None:
                raise CannotCompile("a sh:NodeShape has a sh:path")
        for s in prop_shapes:
            if s in node_shapes:
                raise CannotCompile("a shape is both a NodeShape and a PropertyShape")
            values = list(g.objects(s, SH.path))
            if len(values) != 1:
                raise CannotCompile("a sh:PropertyShape needs exactly one sh:path")
            paths[s] = values[0]
        implied: set[Node] = set()
        for predicate in (
            SH.targetClass,
            SH.targetNode,
            SH.targetObjectsOf,
            SH.targetSubjectsOf,
            SH.property,
            SH.node,
        ):
            implied.update(s for s, _ in g.subject_objects(predicate))
        expected: set[Node] = set()
        for predicate in _SHAPE_EXPECTING:
            expected.update(o for _, o in g.subject_objects(predicate))
        for predicate in _LIST_EXPECTING:
            for _, head in g.subject_objects(predicate):
                members = set(g.items(head))
                if not members:
                    raise CannotCompile("an empty shape list")
                expected.update(members)
        for s in list(implied) + list(expected - implied):
            if s in node_shapes or s in prop_shapes:
                continue
            values = list(g.objects(s, SH.path))
            if len(values) > 1:
                raise CannotCompile("an implicit property shape has several sh:path values")
            if values:
                prop_shapes.add(s)
                paths[s] = values[0]
            else:
                node_shapes.add(s)
        for s in node_shapes:
            self.shapes[s] = self._shape(s, None)
        for s in prop_shapes:
            self.shapes[s] = self._shape(s, paths[s])

    def _shape(self, node: Node, path: Node | None) -> Shape:
        g = self.graph
        deactivated = list(g.objects(node, SH.deactivated))
        if len(deactivated) > 1:
            raise CannotCompile("a shape has several sh:deactivated values")
        if deactivated and not isinstance(deactivated[0], rdflib.Literal):
            raise CannotCompile("sh:deactivated is not a literal")
        severity = next(iter(set(g.objects(node, SH.severity))), SH.Violation)
        messages = [m for m in set(g.objects(node, SH.message))]
        return Shape(
            node=node,
            graph=g,
            is_property=path is not None,
            path=path,
            severity=severity,
            messages=messages,  # type: ignore[arg-type]
            deactivated=bool(deactivated[0].value) if deactivated else False,
            targets=self._targets(node),
        )

    def _targets(self, node: Node) -> Targets:
        g = self.graph
        classes = list(g.objects(node, SH.targetClass))
        class_types = {*g.subjects(RDFS.subClassOf, RDFS.Class), RDFS.Class}
        if any(t in class_types for t in g.objects(node, RDF.type)):
            classes.append(node)  # an implicit class target: the shape is also a class
        custom = sorted(set(g.objects(node, SH.target)), key=str)
        return Targets(
            nodes=tuple(dict.fromkeys(g.objects(node, SH.targetNode))),
            classes=tuple(dict.fromkeys(classes)),
            subjects_of=tuple(dict.fromkeys(g.objects(node, SH.targetSubjectsOf))),
            objects_of=tuple(dict.fromkeys(g.objects(node, SH.targetObjectsOf))),
            sparql=tuple(t for t in custom if next(g.objects(t, SH.select), None) is not None),
            advanced=any(next(g.objects(t, SH.select), None) is None for t in custom),
        )

    def get(self, node: Node) -> Shape:
        """The shape at ``node``; a reference to a non-shape cannot be compiled."""
        shape = self.shapes.get(node)
        if shape is None:
            raise CannotCompile(f"{node} is referenced as a shape but is not one")
        return shape

    def top_level(self) -> list[Shape]:
        """Shapes that select their own focus nodes, in a stable order."""
        found = [s for s in self.shapes.values() if s.targets or s.targets.advanced]
        return sorted(found, key=lambda s: (isinstance(s.node, rdflib.BNode), str(s.node)))
