"""HTTPS over loopback: certificates are verified against the logical host name, also behind an override."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from httptest import Site

from connectors.http import FetchError

PAGE = (
    "<html><body>"
    + "<p>The two governments agreed to hold the next round of talks in Tokyo.</p>" * 20
    + "</body></html>"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for tass.example (and 127.0.0.1), made for this test run."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=tass.example",
         "-addext", "subjectAltName=DNS:tass.example,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_site(certificate: tuple[Path, Path]) -> Iterator[Site]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = Site().start(tls=context)
    server.serve("/robots.txt", "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    server.serve("/news/1", PAGE)
    yield server
    server.close()


def test_https_with_a_trusted_certificate(tls_site, make_client, certificate):
    client = make_client(
        tls_site, ca_file=str(certificate[0]), origin_overrides={"https://tass.example": tls_site.url()}
    )
    response = client.get("https://tass.example/news/1")
    assert response.url == "https://tass.example/news/1"
    assert response.page().text == PAGE
    assert tls_site.hits[-1].headers["host"] == "tass.example"


def test_untrusted_certificate_is_refused_without_retries(tls_site, make_client):
    client = make_client(
        tls_site, respect_robots=False, origin_overrides={"https://tass.example": tls_site.url()}
    )
    with pytest.raises(FetchError) as info:
        client.get("https://tass.example/news/1")
    assert info.value.reason == "connection"
    assert "certificate" in info.value.detail
    assert tls_site.hits == []


def test_certificate_for_another_name_is_refused(tls_site, make_client, certificate):
    client = make_client(
        tls_site,
        respect_robots=False,
        ca_file=str(certificate[0]),
        origin_overrides={"https://sputnikglobe.example": tls_site.url()},
    )
    with pytest.raises(FetchError) as info:
        client.get("https://sputnikglobe.example/news/1")
    assert info.value.reason == "connection"
    assert "sputnikglobe.example" in info.value.detail or "certificate" in info.value.detail
