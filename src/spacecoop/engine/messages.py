"""Result messages, worded as pySHACL words them.

A shape's own sh:message wins; without one, pySHACL writes a generic message per component
(``Less than 1 values on ex:a->ex:p``). The same wording keeps findings from both engines
identical, so a project can switch engines without its reports or baselines changing.
"""

from __future__ import annotations

from collections.abc import Callable

import rdflib
from pyshacl.rdfutil import stringify_node
from rdflib.namespace import SH

from spacecoop.engine.shapes import Shape

Node = rdflib.term.Node
_DATA = rdflib.Graph()  # only its namespace bindings are used, as for pySHACL's data graph


def _s(graph: rdflib.Graph, node: Node) -> str:
    try:
        return stringify_node(graph, node)
    except Exception:  # pragma: no cover - odd terms
        return str(node)


def generic(
    shape: Shape,
    component: rdflib.URIRef,
    focus: Node,
    value: Node | None,
    describe: Callable[[Node], rdflib.Graph] | None = None,
) -> list[str]:
    """pySHACL 0.40's message for a result of ``component`` without sh:message."""
    sg = shape.graph
    name = str(component).rsplit("#", 1)[-1]

    def data(node: Node | None) -> str:
        if node is None:
            return "None"
        graph = describe(node) if describe and isinstance(node, rdflib.BNode) else _DATA
        return _s(graph, node)

    def values(predicate: rdflib.URIRef) -> list[Node]:
        return shape.objects(predicate)

    path = _s(sg, shape.path) if shape.path is not None else None
    if name == "MinCountConstraintComponent":
        count = values(SH.minCount)[0]
        target = f"{data(focus)}->{path}" if path else data(focus)
        return [f"Less than {count} values on {target}"]
    if name == "MaxCountConstraintComponent":
        count = values(SH.maxCount)[0]
        target = f"{data(focus)}->{path}" if path else data(focus)
        return [f"More than {count} values on {target}"]
    if name == "ClassConstraintComponent":
        rules = values(SH["class"])
        if len(rules) < 2:
            return [f"Value does not have class {_s(sg, rules[0])}"]
        return [f"Value class is not in classes ({', '.join(_s(sg, c) for c in rules)})"]
    if name == "DatatypeConstraintComponent":
        return [f"Value is not Literal with datatype {_s(sg, values(SH.datatype)[0])}"]
    if name == "NodeKindConstraintComponent":
        return [f"Value is not of Node Kind {_s(sg, values(SH.nodeKind)[0])}"]
    ranges = {
        "MinExclusiveConstraintComponent": (SH.minExclusive, ">"),
        "MinInclusiveConstraintComponent": (SH.minInclusive, ">="),
        "MaxExclusiveConstraintComponent": (SH.maxExclusive, "<"),
        "MaxInclusiveConstraintComponent": (SH.maxInclusive, "<="),
    }
    if name in ranges:
        predicate, op = ranges[name]
        rules = values(predicate)
        if len(rules) < 2:
            return [f"Value is not {op} {_s(sg, rules[0])}"]
        return [f"Value is not {op} in ({', '.join(_s(sg, r) for r in rules)})"]
    if name == "MinLengthConstraintComponent":
        return [f"String length not >= {data(values(SH.minLength)[0])}"]
    if name == "MaxLengthConstraintComponent":
        return [f"String length not <= {data(values(SH.maxLength)[0])}"]
    if name == "PatternConstraintComponent":
        rules = values(SH.pattern)
        if len(rules) < 2:
            return [f"Value does not match pattern '{rules[0]}'"]
        joined = "', '".join(str(r) for r in rules)
        return [f"Value does not match every pattern in ('{joined}')"]
    if name == "LanguageInConstraintComponent":
        return [f"String language is not in {_s(sg, values(SH.languageIn)[0])}"]
    if name == "UniqueLangConstraintComponent":
        return ["More than one String shares the same Language"]
    pairs = {
        "EqualsConstraintComponent": (SH.equals, "!="),
        "DisjointConstraintComponent": (SH.disjoint, "=="),
        "LessThanConstraintComponent": (SH.lessThan, "<="),
        "LessThanOrEqualsConstraintComponent": (SH.lessThanOrEquals, "<"),
    }
    if name in pairs:
        predicate, op = pairs[name]
        rules = ", ".join(_s(sg, p) for p in values(predicate))
        return [f"Value of {data(focus)}->{rules} {op} {data(value)}"]
    lists = {
        "AndConstraintComponent": (SH["and"], "must conform to all shapes in"),
        "OrConstraintComponent": (SH["or"], "must conform to one or more shapes in"),
        "XoneConstraintComponent": (SH.xone, "must conform to exactly one shape in"),
    }
    if name in lists:
        predicate, text = lists[name]
        heads = values(predicate)
        if len(heads) < 2:
            members = " , ".join(_s(sg, m) for m in sg.items(heads[0]))
        else:
            members = " and ".join(
                "(" + " , ".join(_s(sg, m) for m in sg.items(h)) + ")" for h in heads
            )
        return [f"Node {data(value)} {text} {members}"]
    if name == "NotConstraintComponent":
        shapes = values(SH["not"])
        if len(shapes) == 1:
            return [f"Node {data(value)} must not conform to shape {_s(sg, shapes[0])}"]
        listed = " , ".join(_s(sg, n) for n in shapes)
        return [f"Node {data(value)} must not conform to any shapes in {listed}"]
    if name == "NodeConstraintComponent":
        shapes = values(SH.node)
        if len(shapes) < 2:
            text = f"Value does not conform to Shape {_s(sg, shapes[0])}."
        else:
            text = "Value must conform to every Shape in ('{}').".format(
                "', '".join(_s(sg, n) for n in shapes)
            )
        return [text + " See details for more information."]
    if name in ("QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent"):
        shapes = values(SH.qualifiedValueShape)
        counts = ""
        if values(SH.qualifiedMinCount):
            counts += f" MinCount {values(SH.qualifiedMinCount)[0]}"
        if values(SH.qualifiedMaxCount):
            counts += f" MaxCount {values(SH.qualifiedMaxCount)[0]}"
        listed = ",".join(_s(sg, s) for s in shapes)
        if len(shapes) > 1:
            return [f"Focus node does not conform to shapes{counts}: ({listed})"]
        return [f"Focus node does not conform to shape{counts}: {listed}"]
    if name == "ClosedConstraintComponent":
        return [f"Node {data(focus)} is closed. It cannot have value: {data(value)}"]
    if name == "HasValueConstraintComponent":
        the_set = [_s(sg, v) for v in values(SH.hasValue)]
        if path:
            return [f"Node {data(focus)}->{path} does not contain a value in the set: {the_set}"]
        return [f"Node {data(focus)} value is not a in the set of values: {the_set}"]
    if name == "InConstraintComponent":
        members = [_s(sg, v) for v in sg.items(values(SH["in"])[0])]
        return [f"Value {data(value)} not in list {members}"]
    return []
