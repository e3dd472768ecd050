"""Decode a response body in bounded pieces (gzip bombs).

httpx decompresses each network chunk whole: a 64 KB chunk of a gzip bomb becomes
tens of megabytes at once, before a caller can stop reading (an error body capped
at 64 KB still peaked at 230 MB). :func:`aiter_bounded` inflates gzip and deflate
itself, at most ``piece`` bytes of output per step, so a caller that stops after N
bytes never holds much more than N + ``piece``.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

PIECE = 64 * 1024
_GZIP = ("gzip", "x-gzip")


async def aiter_bounded(response: httpx.Response, piece: int = PIECE) -> AsyncIterator[bytes]:
    """The decoded body in pieces of at most ``piece`` bytes (gzip, deflate and
    identity); other encodings (br, zstd, several) are left to httpx. Bad
    compressed data raises ``httpx.DecodingError``, as httpx's own decoders do."""
    codings = [
        c.strip().lower()
        for c in response.headers.get("content-encoding", "").split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    if len(codings) > 1 or (codings and codings[0] not in (*_GZIP, "deflate")):
        async for data in response.aiter_bytes():
            yield data
        return
    if not codings:
        async for raw in response.aiter_raw():
            for at in range(0, len(raw), piece):
                yield raw[at : at + piece]
        return
    gzip = codings[0] in _GZIP
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
    first = True
    async for raw in response.aiter_raw():
        data = raw
        while data:
            try:
                out = inflater.decompress(data, piece)
            except zlib.error as exc:
                if first and not gzip:  # "deflate" sent raw, without the zlib header
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    first = False
                    continue
                raise httpx.DecodingError(f"bad {codings[0]} data: {exc}") from None
            first = False
            data = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof:
                return  # trailing bytes after the stream are ignored, as httpx does
