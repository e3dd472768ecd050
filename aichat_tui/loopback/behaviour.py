"""Scripted misbehaviour for the loopback server (:class:`Behaviour`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Behaviour"]


@dataclass
class Behaviour:
    """How to answer the next matching request (see :meth:`LoopbackServer.push`).

    Reply shaping: ``text`` replaces the reply generator; ``chunk_chars`` and
    ``chunk_delay`` override the server's pace. Faults, applied in this order:
    ``close_without_response`` (read the request, then close; RST if ``rst``),
    ``delay_headers`` (seconds before the status line), ``body`` (raw bytes or
    str sent as-is with ``content_type``, ``status`` and ``headers``; with
    ``body_chunk`` in pieces of that many bytes, flushed one by one, e.g. to
    replay a recorded SSE stream as a server sends it),
    ``html`` (a 200/``status`` HTML login page), any ``status`` other than 200
    (a JSON error body), then the protocol's normal answer, where
    ``stall_after`` (stop after N reply characters and keep the connection
    open; with ``drip`` send an SSE comment every ``drip`` seconds meanwhile),
    ``cut_after`` (close abruptly after N characters; RST if ``rst``),
    ``bad_chunked`` (broken chunk framing after the first chunk),
    ``malformed`` (aichat: broken JSON; openai: a broken JSON event),
    ``error_event`` (openai: a ``data: {"error": ...}`` event after the text),
    ``no_done`` (openai: end without ``finish_reason`` and ``[DONE]``),
    ``response_false`` (aichat: ``{"response": false}``),
    ``aichat_stream`` ("sse" or "plain": stream the aichat reply),
    ``json_completion`` (openai: answer a non-streaming JSON completion),
    ``line_ending`` (SSE line ending). ``path`` restricts the behaviour to one
    path; ``times`` is how many requests it applies to.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | None = None
    body_chunk: int | None = None
    content_type: str = "application/json"
    text: str | None = None
    chunk_chars: int | None = None
    chunk_delay: float | None = None
    delay_headers: float = 0.0
    close_without_response: bool = False
    stall_after: int | None = None
    drip: float | None = None
    cut_after: int | None = None
    rst: bool = False
    bad_chunked: bool = False
    malformed: bool = False
    error_event: dict | None = None
    no_done: bool = False
    response_false: bool = False
    aichat_stream: Literal["sse", "plain"] | None = None
    json_completion: bool = False
    html: bool = False
    line_ending: str = "\n"
    path: str | None = None
    times: int = 1
