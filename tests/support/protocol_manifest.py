"""Reader for the W3C SPARQL 1.1 Protocol manifest (HTTP requests described in RDF).

Each ``mf:ProtocolTest`` has an ``ht:Connection`` whose ``ht:requests`` list holds requests to
send in order; each request's ``ht:resp`` gives the expected status classes
(``hts:StatusCode2xx`` ...) and, for ASK results, ``mf:expectedBoolean``/``mf:expectedFormat``.
``ut:graphData`` names the data files a test needs, with the graph name as ``rdfs:label``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
BASE = "https://w3c.github.io/rdf-tests/sparql/sparql11/protocol/"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: frozenset[str]  # {"2xx", "3xx", "4xx", ...}
    expected_boolean: bool | None
    expected_format: str | None


@dataclass(frozen=True)
class ProtocolTest:
    iri: str
    local: str
    name: str
    requests: list[Request]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return "update" in self.local


def _list(graph: rdflib.Graph, head: rdflib.term.Node) -> list[rdflib.term.Node]:
    return list(Collection(graph, head))


def read_protocol_manifest(manifest: Path) -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=BASE + manifest.name)
    tests = []
    for head in graph.objects(None, MF.entries):
        for item in _list(graph, head):
            action = graph.value(item, MF.action)
            requests = []
            for node in _list(graph, graph.value(action, HT.requests)):
                headers = {}
                header_list = graph.value(node, HT.headers)
                if header_list is not None:
                    for header in _list(graph, header_list):
                        headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                            graph.value(header, HT.fieldValue)
                        )
                body_node = graph.value(node, HT.body)
                body = None
                if body_node is not None:
                    encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                    body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
                response = graph.value(node, HT.resp)
                statuses = frozenset(
                    str(s)[len(HTS) :] for s in graph.objects(response, MF.expectedStatus)
                )
                boolean = graph.value(response, MF.expectedBoolean)
                fmt = graph.value(response, MF.expectedFormat)
                requests.append(
                    Request(
                        str(graph.value(node, HT.methodName)),
                        str(graph.value(node, HT.absolutePath)),
                        headers,
                        body,
                        statuses,
                        None if boolean is None else bool(boolean.toPython()),
                        None if fmt is None else str(fmt),
                    )
                )
            data = []
            for graph_data in graph.objects(item, UT.graphData):
                file = str(graph.value(graph_data, UT.graph))
                data.append(
                    (manifest.parent / file[len(BASE) :], str(graph.value(graph_data, RDFS.label)))
                )
            assert graph.value(item, RDF.type) == MF.ProtocolTest
            tests.append(
                ProtocolTest(
                    str(item),
                    str(item).rsplit("#", 1)[-1],
                    str(graph.value(item, MF.name)),
                    requests,
                    sorted(data),
                )
            )
    return tests
