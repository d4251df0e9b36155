"""Logical constraint components (SHACL §4.6): sh:not, sh:and, sh:or, sh:xone.

Each member shape is checked for conformance the way pySHACL checks it, which with warnings
allowed (as spacecoop runs it) means: a member shape whose own severity is sh:Warning or
sh:Info always conforms; any other member conforms when none of its constraints fails.
"""

from __future__ import annotations

from rdflib.namespace import SH

from spacecoop.engine.core import Component, all_of, any_of


class Not(Component):
    iri = SH.NotConstraintComponent
    parameters = (SH["not"],)

    def value_checks(self, v: str) -> list[str]:
        return [f"!({self.compiler.nonconforms(member, v)})" for member in self.param(SH["not"])]


class _ListComponent(Component):
    def _lists(self, parameter):  # type: ignore[no-untyped-def]
        for head in self.param(parameter):
            yield list(self.shape.graph.items(head))


class And(_ListComponent):
    iri = SH.AndConstraintComponent
    parameters = (SH["and"],)

    def value_checks(self, v: str) -> list[str]:
        return [
            any_of([self.compiler.nonconforms(m, v) for m in dict.fromkeys(members)])
            for members in self._lists(SH["and"])
        ]


class Or(_ListComponent):
    iri = SH.OrConstraintComponent
    parameters = (SH["or"],)

    def value_checks(self, v: str) -> list[str]:
        return [
            all_of([self.compiler.nonconforms(m, v) for m in dict.fromkeys(members)])
            for members in self._lists(SH["or"])
        ]


class Xone(_ListComponent):
    iri = SH.XoneConstraintComponent
    parameters = (SH.xone,)

    def value_checks(self, v: str) -> list[str]:
        checks = []
        for members in self._lists(SH.xone):
            count = " + ".join(f"IF({self.compiler.nonconforms(m, v)}, 0, 1)" for m in members)
            checks.append(f"(({count}) != 1)")
        return checks
