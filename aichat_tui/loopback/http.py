"""Minimal HTTP/1.1 framing for the loopback server (asyncio streams, no deps).

Kept raw on purpose: the server must be able to misbehave (stall, cut, reset,
send broken chunked framing), which a framework would not allow.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any

__all__ = ["RecordedRequest", "chunk", "head", "read_request", "reset_connection", "status_line"]

MAX_BODY = 64 * 1024 * 1024


@dataclass
class RecordedRequest:
    """A request as the server received it."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.split("?", 1)[0]

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    @property
    def cookies(self) -> dict[str, str]:
        """The ``Cookie`` header parsed into a dict."""
        jar: SimpleCookie = SimpleCookie()
        jar.load(self.headers.get("cookie", ""))
        return {name: morsel.value for name, morsel in jar.items()}


async def read_request(reader: asyncio.StreamReader) -> RecordedRequest | None:
    """Read one request; None when the client closed the connection cleanly."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if length > MAX_BODY:
            raise ValueError("request body too large")
        body = await reader.readexactly(length)
    return RecordedRequest(method=method, target=target, headers=headers, body=body)


def status_line(status: int) -> bytes:
    """``HTTP/1.1 <status> <reason>`` with CRLF."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Status"
    return f"HTTP/1.1 {status} {reason}\r\n".encode("ascii")


def head(status: int, headers: dict[str, str]) -> bytes:
    """Status line and headers, ending with the blank line."""
    out = [status_line(status)]
    out.extend(f"{name}: {value}\r\n".encode("latin-1") for name, value in headers.items())
    out.append(b"\r\n")
    return b"".join(out)


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def reset_connection(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0, so the peer sees a TCP RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
