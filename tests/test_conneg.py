"""Dereferencing end to end: ``spacecoop check-conneg`` against ``spacecoop serve`` and against
the static site behind nginx and Apache with the generated rules (Debian's packages; .ci/run
installs them).

Without nginx the static site is checked on Python's file server for the files alone (no 303,
no negotiation), where the checker must report failures and exit 1.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from spacecoop.config import load_config
from spacecoop.load import load
from spacecoop.site.check import check_conneg, samples_from
from spacecoop.site.model import SiteModel
from spacecoop.site.static import build_site
from tests.conftest import run_cli
from tests.support.server import Server, start_server
from tests.support.site import (
    Apache,
    Nginx,
    apache_binary,
    nginx_binary,
    site_project,
    start_apache,
    start_nginx,
    static_files,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return site_project(tmp_path_factory.mktemp("conneg") / "mini")


@pytest.fixture(scope="module")
def model(project: Path) -> SiteModel:
    config = load_config(project)
    return SiteModel.from_dataset(load(config), config)


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[Server]:
    running = start_server(project, "--max-concurrent", "1")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def static_site(project: Path) -> Path:
    config = load_config(project)
    output = project.parent / "site"
    build_site(load(config), config, output)
    return output


@pytest.fixture(scope="module")
def nginx(static_site: Path, project: Path) -> Iterator[Nginx]:
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (.ci/run installs Debian's nginx)")
    running = start_nginx(static_site, project.parent / "nginx")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def apache(static_site: Path) -> Iterator[Apache]:
    if apache_binary() is None:
        pytest.skip("Apache is not installed (.ci/run installs Debian's apache2)")
    # Apache's workers run as www-data: the site needs a folder they can read.
    readable = Path(tempfile.mkdtemp(prefix="spacecoop-apache-"))
    try:
        readable.chmod(0o755)
        shutil.copytree(static_site, readable / "site")
        running = start_apache(readable / "site", readable / "apache")
        yield running
        running.stop()
    finally:
        shutil.rmtree(readable, ignore_errors=True)


def test_samples_cover_things_terms_and_the_vocabulary(model: SiteModel) -> None:
    paths = [s.path for s in samples_from(model)]
    assert "id/book/fiasco" in paths and "id/person/chen" in paths
    assert "def/" in paths and any(p.startswith("def/") and p != "def/" for p in paths)
    assert all(s.thing == s.path.startswith("id/") for s in samples_from(model))


def test_matrix_passes_on_spacecoop_serve(server: Server, model: SiteModel) -> None:
    report = check_conneg(server.base + "/", model)
    assert report.checks > 800
    assert not report.findings, "\n".join(f.message for f in report.findings[:20])


def test_matrix_passes_on_nginx_with_the_generated_rules(nginx: Nginx, model: SiteModel) -> None:
    report = check_conneg(nginx.base, model)
    assert report.checks > 800
    assert not report.findings, "\n".join(f.message for f in report.findings[:20])
    assert "[emerg]" not in nginx.error_log() and "[error]" not in nginx.error_log()


def test_matrix_passes_on_apache_with_the_generated_htaccess(
    apache: Apache, model: SiteModel
) -> None:
    report = check_conneg(apache.base, model)
    assert report.checks > 800
    assert not report.findings, "\n".join(f.message for f in report.findings[:20])


def test_served_details(server: Server) -> None:
    with httpx.Client(base_url=server.base, trust_env=False, follow_redirects=False) as client:
        thing = client.get("/id/book/solaris?format=ttl")
        assert thing.status_code == 303 and thing.headers["location"] == (
            "/doc/book/solaris?format=ttl"
        )
        chosen = client.get("/doc/book/solaris?lang=zh")
        assert 'lang="zh"' in chosen.text and "lang=zh" in chosen.headers["set-cookie"]
        remembered = client.get("/doc/person/lem", headers={"Accept-Language": "en"})
        assert '<html lang="zh">' in remembered.text  # the switch wins over the browser
        client.cookies.clear()
        home = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert '<html lang="zh">' in home.text and "数据概况" in home.text
        unknown = client.get("/doc/book/solaris?format=xml")
        assert unknown.status_code == 406 and "application/rdf+xml" in unknown.text
        assert client.get("/doc/book/nowhere").status_code == 404
        assert client.get("/def").headers["location"] == "/def/"
        vocabulary = client.get("/def/", headers={"Accept": "text/turtle"})
        assert vocabulary.status_code == 200 and "owl:Ontology" in vocabulary.text
        listing = client.get("/doc/book/", headers={"Accept": "text/turtle"})
        assert listing.status_code == 406  # lists exist as HTML only
        dump = client.get("/dist/SHA256SUMS")
        assert dump.status_code == 200 and "mini.ttl" in dump.text
        assert client.get("/dist/../pyproject.toml").status_code == 404
        page = client.get("/doc/book/solaris", headers={"Accept": "text/html"})
        assert "script-src 'self'" in page.headers["content-security-policy"]
        # the endpoint still answers beside the pages
        sparql = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert sparql.json()["boolean"] is True


def test_check_conneg_fails_on_a_plain_file_server(static_site: Path, project: Path) -> None:
    """Files alone (no rules) cannot do 303 or negotiation: the command says so and exits 1."""
    with static_files(static_site) as base:
        result = run_cli("check-conneg", base, cwd=project)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "a thing's IRI must answer 303 See Other" in result.stdout
        assert "failed" in result.stdout.splitlines()[-1]
        # what a plain server can do, it does: the files have the right types
        with httpx.Client(base_url=base, trust_env=False) as client:
            turtle = client.get("/doc/book/solaris.ttl")
            assert turtle.status_code == 200 and "book:solaris" in turtle.text


def test_check_conneg_usage_errors(project: Path) -> None:
    result = run_cli("check-conneg", "ftp://x", cwd=project)
    assert result.returncode == 2 and "http(s) URL" in result.stderr
