"""The aichat backend (chat-gpt.org ``/api/text``) and the original provider
class :class:`Aichat` with its contract kept.

Request exactly as PROTOCOL.md section 1: browser-like headers, the profile's
cookies, a JSON body with the conversation flattened into one prompt.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import httpx

from aichat_tui.client import errors as E
from aichat_tui.models import DEFAULT_AICHAT_BASE_URL, Profile

if TYPE_CHECKING:
    from aichat_tui.client.chat import ChatRequest

__all__ = [
    "ACCEPT_LANGUAGE",
    "DEFAULT_TIMEOUT",
    "SEC_CH_UA",
    "USER_AGENT",
    "Aichat",
    "aichat_headers",
    "build_chat_request",
    "flatten_prompt",
    "refuse_images",
    "require_cookies",
]

DEFAULT_TIMEOUT = 6.0  # what the original provider used
# The browser the provider imitated (g4f's Aichat provider, which the seed
# document describes): Chrome 118 on macOS.
USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36"
)
ACCEPT_LANGUAGE = "en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3"
SEC_CH_UA = '"Chromium";v="118", "Google Chrome";v="118", "Not=A?Brand";v="99"'
DEFAULT_TEMPERATURE = 0.5
DEFAULT_TOP_P = 1


def _text_of(content: Any) -> str:
    """A message's text; of a content-parts list, its text parts joined."""
    if isinstance(content, list):
        return "\n\n".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    return str(content if content is not None else "")


def refuse_images(messages: list[dict[str, Any]], base_url: str) -> None:
    """:class:`UnsupportedInputError` (before any request) when a message holds
    an image: the aichat protocol carries one text prompt only."""
    count = sum(
        1
        for m in messages
        if isinstance(m.get("content"), list)
        for p in m["content"]
        if isinstance(p, dict) and p.get("type") == "image_url"
    )
    if count:
        host = urlsplit(base_url).hostname or "chat-gpt.org"
        what = "an image" if count == 1 else f"{count} images"
        raise E.UnsupportedInputError(
            f"the conversation holds {what}, and the aichat protocol of {host} takes text "
            "only; nothing was sent (use an OpenAI-compatible profile with a vision model)"
        )


def flatten_prompt(messages: list[dict[str, Any]]) -> str:
    """One message: its bare content. Several: ``Role: content`` lines and a
    final ``Assistant:`` line."""
    if len(messages) == 1:
        return _text_of(messages[0].get("content", ""))
    lines = [
        f"{str(m.get('role', 'user')).capitalize()}: {_text_of(m.get('content', ''))}"
        for m in messages
    ]
    lines.append("Assistant:")
    return "\n".join(lines)


def aichat_headers(
    base_url: str, *, user_agent: str | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The browser-like headers the original provider sent, in its order;
    ``user_agent`` replaces the built-in one, ``extra`` adds or overrides."""
    base = base_url.rstrip("/")
    headers = {
        "authority": urlsplit(base).netloc or "chat-gpt.org",
        "accept": "*/*",
        "accept-language": ACCEPT_LANGUAGE,
        "content-type": "application/json",
        "origin": base,
        "referer": f"{base}/chat",
        "sec-ch-ua": SEC_CH_UA,
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"macOS"',
        "sec-fetch-dest": "empty",
        "sec-fetch-mode": "cors",
        "sec-fetch-site": "same-origin",
        "user-agent": user_agent or USER_AGENT,
    }
    headers.update({k.lower(): v for k, v in (extra or {}).items()})
    return headers


def _json_number(value: float) -> float | int:
    """``1`` rather than ``1.0``, as the provider's Python ints went out."""
    return int(value) if float(value).is_integer() else value


def require_cookies(cookies: Mapping[str, str] | None, base_url: str) -> dict[str, str]:
    """The cookies, or :class:`MissingCookiesError` (before any request)."""
    found = {str(k): str(v) for k, v in (cookies or {}).items() if k and v}
    if not found:
        host = urlsplit(base_url).hostname or "chat-gpt.org"
        raise E.MissingCookiesError(
            f"{host} needs browser cookies and none are set: sign in to {host} in your "
            "browser, copy the Cookie header (developer tools, Network tab) and paste it "
            "into the profile's cookies"
        )
    return found


def build_chat_request(
    http: httpx.AsyncClient, profile: Profile, request: ChatRequest
) -> httpx.Request:
    """``POST {base}/api/text`` with the flattened prompt."""
    refuse_images(request.messages, profile.base_url)
    cookies = require_cookies(profile.cookies, profile.base_url)
    temperature = profile.temperature if request.temperature is None else request.temperature
    top_p = profile.top_p if request.top_p is None else request.top_p
    body = {
        "message": flatten_prompt(request.messages),
        "temperature": _json_number(DEFAULT_TEMPERATURE if temperature is None else temperature),
        "presence_penalty": 0,
        "top_p": _json_number(DEFAULT_TOP_P if top_p is None else top_p),
        "frequency_penalty": 0,
    }
    headers = aichat_headers(profile.base_url, user_agent=profile.user_agent, extra=profile.headers)
    # One Cookie header built here: httpx's cookie jar would also keep cookies
    # the server sets, which a stateless client must not.
    headers["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return http.build_request(
        "POST",
        profile.base_url.rstrip("/") + "/api/text",
        content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers=headers,
    )


class Aichat:
    """The original provider: ``await Aichat.create_async(model, messages)``.

    kwargs: ``cookies`` (dict; else what :attr:`cookie_source` finds for
    ``base_url``), ``temperature`` (0.5), ``top_p`` (1), ``base_url``
    (``https://chat-gpt.org``), ``timeout`` (6 s). ``proxy`` is a proxy URL;
    None uses the environment's proxy variables.
    """

    url = DEFAULT_AICHAT_BASE_URL
    working = True
    supports_gpt_35_turbo = True
    #: Cookies for a base URL when the caller passes none. The client reads no
    #: configuration itself (it sits below the store): :mod:`aichat_tui.provider`
    #: supplies one that looks in the stored settings.
    cookie_source: ClassVar[Callable[[str], Mapping[str, str]] | None] = None

    @classmethod
    async def create_async(
        cls,
        model: str,
        messages: list[dict[str, str]],
        proxy: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Send the conversation and return the whole reply text."""
        from aichat_tui.client.chat import ChatClient, ChatRequest

        base_url = str(kwargs.get("base_url") or cls.url)
        cookies = kwargs.get("cookies")
        if not cookies and cls.cookie_source is not None:
            cookies = dict(cls.cookie_source(base_url))
        cookies = require_cookies(cookies, base_url)
        profile = Profile(
            name="aichat",
            kind="aichat",
            base_url=base_url,
            model=model or "",
            temperature=float(kwargs.get("temperature", DEFAULT_TEMPERATURE)),
            top_p=float(kwargs.get("top_p", DEFAULT_TOP_P)),
            timeout=float(kwargs.get("timeout", DEFAULT_TIMEOUT)),
            cookies=cookies,
            proxy=proxy,
        )
        async with ChatClient(profile) as client:
            return await client.complete(ChatRequest(messages=list(messages), model=model or ""))
