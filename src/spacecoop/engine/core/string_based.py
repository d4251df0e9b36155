"""String-based constraint components (SHACL §4.4).

sh:minLength, sh:maxLength, sh:pattern, sh:languageIn and sh:uniqueLang, with pySHACL's
readings where it departs from plain SPARQL: sh:languageIn compares the whole language tag or
its first subtag, case-insensitively ("*" allows any), and sh:pattern honours only the ``i``
and ``m`` flags. Patterns that SPARQL's regular expressions cannot express the way Python's
``re`` does (look-around, back-references) fall back to pySHACL.
"""

from __future__ import annotations

import re

import rdflib
from rdflib.namespace import SH, XSD

from spacecoop.engine.core import Component, RowSpec, all_of
from spacecoop.engine.shapes import CannotCompile
from spacecoop.engine.terms import literal

_WHOLE = (
    XSD.integer,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.byte,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.unsignedInt,
    XSD.unsignedLong,
    XSD.unsignedShort,
    XSD.unsignedByte,
    XSD.nonPositiveInteger,
    XSD.negativeInteger,
)


def _length(node: rdflib.term.Node, name: str) -> int:
    if (
        not isinstance(node, rdflib.Literal)
        or getattr(node, "ill_typed", False)
        or node.datatype not in _WHOLE
        or node.value < 0
    ):
        raise CannotCompile(f"{name} is not a non-negative integer")
    return int(node.value)


class MinLength(Component):
    iri = SH.MinLengthConstraintComponent
    parameters = (SH.minLength,)

    def value_checks(self, v: str) -> list[str]:
        length = _length(self.one(SH.minLength), "sh:minLength")
        if length == 0:
            return ["false"]
        return [f"(isBlank({v}) || STRLEN(STR({v})) < {length})"]


class MaxLength(Component):
    iri = SH.MaxLengthConstraintComponent
    parameters = (SH.maxLength,)

    def value_checks(self, v: str) -> list[str]:
        length = _length(self.one(SH.maxLength), "sh:maxLength")
        return [f"(isBlank({v}) || STRLEN(STR({v})) > {length})"]


_UNPORTABLE = re.compile(r"\(\?[=!<]|\\[1-9]|\(\?P|\\[AZz]")


class Pattern(Component):
    iri = SH.PatternConstraintComponent
    parameters = (SH.pattern,)

    def value_checks(self, v: str) -> list[str]:
        flags = next(iter(self.param(SH.flags)), None)
        flag_text = ""
        if flags is not None:
            lowered = str(flags).lower()
            flag_text = ("i" if "i" in lowered else "") + ("m" if "m" in lowered else "")
        checks = []
        for pattern in self.param(SH.pattern):
            if not isinstance(pattern, rdflib.Literal):
                raise CannotCompile("sh:pattern is not a literal")
            text = str(pattern)
            if _UNPORTABLE.search(text):
                raise CannotCompile(f"pattern {text!r} uses Python-only regular expressions")
            try:
                re.compile(text)
            except re.error as exc:
                raise CannotCompile(f"pattern {text!r}: {exc}") from None
            arguments = f"STR({v}), {literal(text)}" + (
                f", {literal(flag_text)}" if flag_text else ""
            )
            checks.append(f"(isBlank({v}) || !COALESCE(REGEX({arguments}), false))")
        return checks


class LanguageIn(Component):
    iri = SH.LanguageInConstraintComponent
    parameters = (SH.languageIn,)

    def value_checks(self, v: str) -> list[str]:
        head = self.one(SH.languageIn)
        wanted = set()
        for item in self.shape.graph.items(head):
            if not isinstance(item, rdflib.Literal) or not isinstance(item.value, str):
                raise CannotCompile("sh:languageIn lists a non-string")
            wanted.add(str(item).lower())
        if "*" in wanted:
            ok = f'lang({v}) != ""'
        elif not wanted:
            ok = "false"
        else:
            listed = ", ".join(literal(w) for w in sorted(wanted))
            first = f'LCASE(STRBEFORE(CONCAT(lang({v}), "-"), "-"))'
            ok = f'lang({v}) != "" && (LCASE(lang({v})) IN ({listed}) || {first} IN ({listed}))'
        return [f"!(isLiteral({v}) && {ok})"]


class UniqueLang(Component):
    iri = SH.UniqueLangConstraintComponent
    parameters = (SH.uniqueLang,)
    kind = "rows"

    def row_specs(self, focus: str) -> list[RowSpec]:
        self.require_property_shape()
        flag = self.one(SH.uniqueLang)
        if not isinstance(flag, rdflib.Literal) or not isinstance(flag.value, bool):
            raise CannotCompile("sh:uniqueLang is not a boolean")
        if not flag.value:
            return []
        first, a = self.compiler.values(self.shape, focus)
        second, b = self.compiler.values(self.shape, focus)
        lang = self.compiler.vars("lang")
        condition = all_of(
            [
                f"!sameTerm({a}, {b})",
                f"isLiteral({a})",
                f"isLiteral({b})",
                f'lang({a}) != ""',
                f"LCASE(lang({a})) = LCASE(lang({b}))",
            ]
        )
        pattern = f"{first} {second} FILTER({condition}) BIND(LCASE(lang({a})) AS {lang})"
        return [
            RowSpec(
                pattern, self.iri, binds_focus=self.compiler.scannable(self.shape), keys=(lang,)
            )
        ]
