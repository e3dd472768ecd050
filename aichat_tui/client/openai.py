"""The OpenAI-compatible backend: ``POST {base}/chat/completions`` with
``stream: true`` (SSE), and ``GET {base}/models``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx

from aichat_tui.client import errors as E
from aichat_tui.models import Profile

if TYPE_CHECKING:
    from aichat_tui.client.chat import ChatRequest

__all__ = ["build_chat_request", "build_models_request", "parse_models"]


def _headers(profile: Profile, accept: str) -> dict[str, str]:
    headers = {"accept": accept}
    if profile.user_agent:
        headers["user-agent"] = profile.user_agent
    key = profile.resolved_api_key()
    if key:
        headers["authorization"] = f"Bearer {key}"
    headers.update({k.lower(): v for k, v in profile.headers.items()})
    return headers


def build_chat_request(
    http: httpx.AsyncClient,
    profile: Profile,
    request: ChatRequest,
    *,
    include_usage: bool = True,
) -> httpx.Request:
    """The streaming completion request. ``temperature``, ``top_p`` and
    ``max_tokens`` go out only when the user set them (the server's defaults
    otherwise); ``include_usage`` asks for a final usage chunk."""
    body: dict = {"messages": request.messages, "stream": True}
    model = request.model or profile.model
    if model:
        body["model"] = model
    temperature = profile.temperature if request.temperature is None else request.temperature
    if temperature is not None:
        body["temperature"] = temperature
    top_p = profile.top_p if request.top_p is None else request.top_p
    if top_p is not None:
        body["top_p"] = top_p
    max_tokens = request.max_tokens or profile.max_tokens
    if max_tokens:
        body["max_tokens"] = max_tokens
    if include_usage:
        body["stream_options"] = {"include_usage": True}
    return http.build_request(
        "POST",
        profile.base_url.rstrip("/") + "/chat/completions",
        content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={**_headers(profile, "text/event-stream"), "content-type": "application/json"},
    )


def build_models_request(http: httpx.AsyncClient, profile: Profile) -> httpx.Request:
    """``GET {base}/models``."""
    return http.build_request(
        "GET",
        profile.base_url.rstrip("/") + "/models",
        headers=_headers(profile, "application/json"),
    )


def parse_models(body: bytes, server: str) -> list[str]:
    """Model ids from a ``/models`` answer (``data[].id``; also ``models[]``)."""
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):
        raise E.ProtocolError(f"{server} returned an HTML page instead of a model list")
    try:
        payload = json.loads(text)
    except ValueError:
        raise E.ProtocolError(f"{server} sent a malformed model list") from None
    items = payload.get("data", payload.get("models")) if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise E.ProtocolError(f"{server} sent an unexpected model list")
    ids: list[str] = []
    for item in items:
        value = item.get("id") or item.get("name") if isinstance(item, dict) else item
        if isinstance(value, str) and value and value not in ids:
            ids.append(value)
    return sorted(ids)
