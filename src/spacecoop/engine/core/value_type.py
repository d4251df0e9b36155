"""Value type constraint components (SHACL §4.1): sh:class, sh:datatype, sh:nodeKind.

sh:class uses the data graph's rdfs:subClassOf closure (as pySHACL does without inference).
sh:datatype follows pySHACL exactly: a literal matches when its datatype is the required one
and rdflib does not find it ill-typed (pySHACL asks rdflib; SPARQL casts disagree with rdflib
on lexical forms such as ``" 5"`` or ``"1_0"`` for xsd:integer). The engine therefore asks
rdflib too, once per run, about every literal whose lexical form is not obviously valid (see
:func:`candidate_filter`); those it rejects are written into the queries as constants.
"""

from __future__ import annotations

import functools
import logging
import warnings
from datetime import date, datetime, time
from decimal import Decimal

import rdflib
import rdflib.term
from rdflib.namespace import RDF, RDFS, SH, XSD

from spacecoop.engine.core import Component
from spacecoop.engine.shapes import CannotCompile
from spacecoop.engine.terms import RDF_TYPE, same_term_in, term

# Datatypes whose lexical forms rdflib checks (a literal of another datatype always matches).
CHECKED = frozenset(
    str(k) for k, v in rdflib.term.XSDToPython.items() if k is not None and v is not None
) - {str(XSD.string), str(RDF.langString)}

# Lexical forms rdflib certainly accepts; anything else is shown to rdflib.
_SURE = {
    str(XSD.date): r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    str(XSD.dateTime): r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?$",
    str(XSD.integer): r"^-?[0-9]{1,15}$",
    str(XSD.int): r"^-?[0-9]{1,9}$",
    str(XSD.long): r"^-?[0-9]{1,15}$",
    str(XSD.decimal): r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$",
    str(XSD.double): r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$",
    str(XSD.float): r"^-?[0-9]{1,7}(\.[0-9]{1,7})?$",
    str(XSD.boolean): r"^(true|false)$",
}


def candidate_filter(datatypes: list[str], var: str = "?o") -> str:
    """A filter selecting literals of ``datatypes`` whose validity rdflib must decide."""
    parts = []
    for dt in sorted(datatypes):
        sure = _SURE.get(dt)
        check = f"datatype({var}) = {term(rdflib.URIRef(dt))}"
        parts.append(
            f"({check} && !REGEX(STR({var}), {term(rdflib.Literal(sure))}))"
            if sure
            else f"({check})"
        )
    return f"isLiteral({var}) && (" + " || ".join(parts) + ")"


@functools.lru_cache(maxsize=65536)
def pyshacl_accepts(lexical: str, datatype: str) -> bool:
    """pySHACL 0.40's verdict on a literal of ``datatype`` for ``sh:datatype datatype``.

    Cached: large graphs repeat the same few lexical forms (years, counts) many times.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logger = logging.getLogger("rdflib.term")
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            literal = rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype))
        finally:
            logger.setLevel(level)
    if getattr(literal, "ill_typed", None) is True:
        return False
    value = literal.value
    rule = rdflib.URIRef(datatype)
    checks: dict[rdflib.URIRef, type | tuple[type, ...]] = {
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }
    wanted = checks.get(rule)
    return True if wanted is None else isinstance(value, wanted)


_RANGES: dict[str, tuple[int | None, int | None]] = {
    "positiveInteger": (1, None),
    "nonNegativeInteger": (0, None),
    "negativeInteger": (None, -1),
    "nonPositiveInteger": (None, 0),
    "byte": (-128, 127),
    "short": (-32768, 32767),
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "unsignedByte": (0, 255),
    "unsignedShort": (0, 65535),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1),
}


def local_name(iri: rdflib.URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1]


class Class(Component):
    iri = SH.ClassConstraintComponent
    parameters = (SH["class"],)

    def value_checks(self, v: str) -> list[str]:
        checks = []
        for cls in self.param(SH["class"]):
            classes = self.compiler.closure((term(cls),))
            t = self.compiler.vars("t")
            checks.append(
                f"NOT EXISTS {{ {v} {RDF_TYPE} {t} . VALUES {t} {{ {' '.join(classes)} }} }}"
            )
        return checks


class Datatype(Component):
    iri = SH.DatatypeConstraintComponent
    parameters = (SH.datatype,)

    def value_checks(self, v: str) -> list[str]:
        rule = self.one(SH.datatype)
        if rule == RDFS.Literal:
            ok = "true"
        elif rule == RDFS.Datatype:
            ok = f'(lang({v}) = "" && datatype({v}) != {term(XSD.string)})'
        elif rule == RDF.langString:
            ok = f'lang({v}) != ""'
        elif isinstance(rule, rdflib.URIRef) and self.compiler.good_literals(str(rule)) is not None:
            ok = same_term_in(v, self.compiler.good_literals(str(rule)) or [])
        elif isinstance(rule, rdflib.URIRef) and self.compiler.approximate(str(rule)):
            low, high = _RANGES.get(local_name(rule), (None, None))
            bounds = [
                f"{v} >= {low}" if low is not None else "",
                f"{v} <= {high}" if high is not None else "",
            ]
            in_range = " && ".join(b for b in bounds if b) or "true"
            integer = f"datatype({v}) = {term(XSD.integer)} && COALESCE({in_range}, false)"
            ok = f"(datatype({v}) = {term(rule)} || ({integer}))"
            bad = self.compiler.bad_literals(str(rule))
            if bad:
                ok = f"({ok} && !{same_term_in(v, bad)})"
        elif isinstance(rule, rdflib.URIRef):
            ok = f"datatype({v}) = {term(rule)}"
            if str(rule) in CHECKED:
                bad = self.compiler.bad_literals(str(rule))
                if bad:
                    ok = f"({ok} && !{same_term_in(v, bad)})"
        else:
            raise CannotCompile("sh:datatype is not an IRI")
        return [f"!(isLiteral({v}) && {ok})"]


_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}


class NodeKind(Component):
    iri = SH.NodeKindConstraintComponent
    parameters = (SH.nodeKind,)

    def value_checks(self, v: str) -> list[str]:
        kind = _KINDS.get(self.one(SH.nodeKind))  # type: ignore[call-overload]
        return [f"!({kind.format(v=v)})" if kind else "true"]
