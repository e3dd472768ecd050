"""TLS failures against a real loopback TLS server (self-signed, via openssl)."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aichat_tui.client import AichatError, ChatClient, ConnectTimeout, TLSError
from aichat_tui.loopback import LoopbackServer
from aichat_tui.models import Profile
from tests.client.helpers import request, silent, tcp_server

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


def make_cert(folder: Path, name: str, san: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


async def tls_server(cert: Path, key: Path) -> LoopbackServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = LoopbackServer(ssl=context)
    await server.start()
    return server


@pytest.fixture
async def good_tls(tmp_path: Path) -> AsyncIterator[tuple[LoopbackServer, Path]]:
    cert, key = make_cert(tmp_path, "loopback", "IP:127.0.0.1")
    server = await tls_server(cert, key)
    yield server, cert
    await server.stop()


def profile(url: str) -> Profile:
    return Profile(kind="openai", base_url=url + "/v1", timeout=5, proxy="")


async def fail(p: Profile) -> AichatError:
    async with ChatClient(p) as client:
        with pytest.raises(AichatError) as info:
            await client.complete(request())
    return info.value


async def test_untrusted_certificate(good_tls: tuple[LoopbackServer, Path]) -> None:
    server, _cert = good_tls
    error = await fail(profile(server.url))
    assert isinstance(error, TLSError) and not error.retryable
    assert f"TLS error with 127.0.0.1:{server.port}" in str(error)
    assert "certificate" in str(error)
    assert server.requests == []  # no silent fallback to an unverified connection


async def test_trusted_through_ssl_cert_file(
    good_tls: tuple[LoopbackServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = good_tls
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    async with ChatClient(profile(server.url)) as client:  # proxy "" -> trust_env off
        assert await client.complete(request())
    assert server.requests[-1].path == "/v1/chat/completions"


async def test_hostname_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = make_cert(tmp_path, "other", "DNS:example.org")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = await tls_server(cert, key)
    try:
        error = await fail(profile(server.url))
    finally:
        await server.stop()
    assert isinstance(error, TLSError)
    assert "mismatch" in str(error).lower() or "match" in str(error).lower()


async def test_tls_handshake_stall_is_a_connect_timeout() -> None:
    async with tcp_server(silent) as port:
        p = profile(f"https://127.0.0.1:{port}")
        async with ChatClient(p, connect_timeout=0.3) as client:
            with pytest.raises(ConnectTimeout) as info:
                await client.complete(request())
    assert "0.3 s" in str(info.value)


async def test_https_to_a_plain_http_server() -> None:
    async def plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        await reader.read(4096)

    async with tcp_server(plain_http) as port:
        error = await fail(profile(f"https://127.0.0.1:{port}"))
    assert isinstance(error, TLSError) and "handshake failed" in str(error)
