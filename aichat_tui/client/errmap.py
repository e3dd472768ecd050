"""Turning httpx/httpcore/socksio failures and HTTP statuses into the
documented error tree, with messages that name who failed and hold no secret."""

from __future__ import annotations

import email.utils
import json
import re
import socket
import ssl
import time
from dataclasses import dataclass

import httpx

from aichat_tui.client import errors as E
from aichat_tui.client.transport import ProxySpec, Timeouts
from aichat_tui.sanitize import one_line, scrub

__all__ = ["ErrorContext", "parse_retry_after", "refuses_images", "server_message"]


@dataclass
class ErrorContext:
    """What a message needs: who the server and proxy are, secrets to hide."""

    server: str
    proxy: ProxySpec | None
    secrets: list[str]
    timeouts: Timeouts
    credential: str = "credentials"  # "cookies" or "API key"
    model: str = ""  # the model asked for (named when it refuses images)
    images: bool = False  # the request carried image parts

    def clean(self, text: str, limit: int = 200) -> str:
        """A one-line, secret-free excerpt of untrusted text."""
        return one_line(scrub(text, self.secrets), limit)

    def finish(self, error: E.AichatError) -> E.AichatError:
        """Scrub the final message (defence in depth)."""
        error.message = scrub(error.message, self.secrets)
        error.args = (error.message,)
        return error

    # -- transport failures -----------------------------------------------

    def transport(self, exc: BaseException, *, answered: bool, partial: str) -> E.AichatError:
        """Map a failure. ``answered``: the response headers had arrived."""
        return self.finish(self._transport(exc, answered, partial))

    def _transport(self, exc: BaseException, answered: bool, partial: str) -> E.AichatError:
        server, proxy = self.server, self.proxy
        via = f" through proxy {proxy.display}" if proxy else ""
        t = self.timeouts
        if isinstance(exc, E.AichatError):
            exc.partial = exc.partial or partial
            return exc
        if isinstance(exc, httpx.DecodingError):
            return E.ProtocolError(
                f"{server} sent a body that cannot be decoded (bad Content-Encoding)",
                partial=partial,
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return E.ConfigurationError(f"the base URL for {server} is not a valid http(s) URL")
        if answered:
            if isinstance(exc, httpx.TimeoutException):
                return E.ReadTimeout(
                    f"{server} stopped sending for {t.read:g} s{via}", partial=partial
                )
            if isinstance(exc, TimeoutError):
                return E.IdleTimeout(
                    f"no reply text from {server} for {t.idle:g} s{via}", partial=partial
                )
            return E.StreamInterrupted(
                f"the connection to {server} was cut before the reply was complete{via}",
                partial=partial,
            )
        if isinstance(exc, httpx.ProxyError) or _from_socks(exc):
            return self._proxy_failure(exc)
        if isinstance(exc, httpx.ConnectTimeout):
            if proxy:
                return E.ProxyTimeoutError(
                    f"connecting through proxy {proxy.display} took longer than {t.connect:g} s"
                )
            return E.ConnectTimeout(f"connecting to {server} took longer than {t.connect:g} s")
        if isinstance(exc, httpx.TimeoutException | TimeoutError):
            if proxy:
                return E.ProxyTimeoutError(
                    f"no answer from {server} through proxy {proxy.display} within "
                    f"{t.headers:g} s (the proxy or the server stalled)"
                )
            if isinstance(exc, TimeoutError):
                return E.IdleTimeout(f"{server} did not answer within {t.headers:g} s")
            return E.ReadTimeout(
                f"{server} accepted the connection but did not answer within {t.read:g} s"
            )
        # After the timeouts: a stalled handshake carries an SSLWantReadError.
        tls = _find(exc, ssl.SSLError)
        if tls is not None:
            reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or ""
            detail = f" ({reason})" if reason else ""
            if isinstance(tls, ssl.SSLCertVerificationError):
                return E.TLSError(
                    f"TLS error with {server}: the certificate was not accepted{detail}"
                )
            return E.TLSError(f"TLS error with {server}: the handshake failed{detail}")
        if isinstance(exc, httpx.ConnectError | OSError):
            return self._connect_failure(exc)
        if isinstance(exc, httpx.TransportError):
            if proxy:
                return E.ProxyConnectError(
                    f"proxy {proxy.display} closed the connection before {server} answered"
                )
            return E.StreamInterrupted(f"{server} closed the connection without answering")
        return E.TransportError(f"the request to {server} failed ({type(exc).__name__})")

    def _proxy_failure(self, exc: BaseException) -> E.AichatError:
        name = f"proxy {self.proxy.display}" if self.proxy else "the proxy"
        text = str(exc)
        lower = text.lower()
        if "407" in text or "username/password" in lower or "auth" in lower:
            if self.proxy is not None and not self.proxy.username:
                return E.ProxyAuthError(
                    f"{name} requires a user name and password (proxy authentication failed)"
                )
            return E.ProxyAuthError(
                f"{name} rejected the credentials (proxy authentication failed)"
            )
        if "could not connect" in lower or text[:1].isdigit():
            said = self.clean(text, 80)
            return E.ConnectError(f"cannot reach {self.server} through {name} (it said: {said})")
        hint = ""
        if self.proxy is not None and not self.proxy.username:
            hint = " (does it require a user name and password?)"
        return E.ProxyConnectError(f"{name} broke the connection during its handshake{hint}")

    def _connect_failure(self, exc: BaseException) -> E.AichatError:
        proxy, server = self.proxy, self.server
        if _find(exc, socket.gaierror) is not None:
            if proxy:
                return E.ProxyConnectError(f"cannot resolve the proxy host {proxy.host}")
            return E.DNSError(f"cannot resolve the host name of {server} (DNS lookup failed)")
        refused = _find(exc, ConnectionRefusedError) is not None or "refused" in str(exc).lower()
        if proxy:
            what = "refused the connection (is it running?)" if refused else "cannot be reached"
            return E.ProxyConnectError(f"proxy {proxy.display} {what}")
        if refused:
            return E.ConnectError(f"cannot connect to {server}: connection refused")
        return E.ConnectError(f"cannot connect to {server}: network unreachable or closed")

    # -- HTTP statuses ----------------------------------------------------

    def status(self, response: httpx.Response, body: bytes, partial: str = "") -> E.AichatError:
        """The error for a non-2xx response whose (bounded) body was read."""
        code = response.status_code
        server = self.server
        detail = server_message(body, response.headers.get("content-type", ""))
        said = f": {self.clean(detail, 160)}" if detail else ""
        if self.images and code in IMAGE_REFUSAL_STATUSES and refuses_images(detail):
            model = f"the model {self.model!r}" if self.model else "the model"
            err: E.AichatError = E.ImageInputRefused(
                f"{model} at {server} does not accept images (HTTP {code}){said}; "
                "choose a vision model, or remove the images",
                status=code,
            )
        elif code == 407:
            name = f"proxy {self.proxy.display}" if self.proxy else "the proxy"
            err = E.ProxyAuthError(
                f"{name} rejected the credentials (proxy authentication failed, HTTP 407)"
            )
        elif code in (401, 403):
            err = E.AuthError(
                f"{server} rejected the {self.credential} (HTTP {code}){said}", status=code
            )
        elif code == 429:
            retry = parse_retry_after(response.headers)
            wait = f"; retry after {retry:g} s" if retry is not None else ""
            err = E.RateLimitError(
                f"{server} is rate limiting requests (HTTP 429){wait}{said}", retry_after=retry
            )
        elif code >= 500:
            err = E.ServerError(f"{server} failed (HTTP {code}){said}", status=code)
        elif 300 <= code < 400:
            err = E.ProtocolError(
                f"{server} redirected the request (HTTP {code}) instead of answering: "
                "session expired or wrong base URL?"
            )
        elif code == 404:
            err = E.HTTPStatusError(
                f"{server} has no such endpoint (HTTP 404): check the base URL{said}", status=code
            )
        else:
            err = E.HTTPStatusError(f"{server} answered HTTP {code}{said}", status=code)
        err.partial = partial
        return self.finish(err)


# How servers say a model takes no images: llama.cpp without --mmproj ("image input
# is not supported - hint: ... mmproj"), Ollama ("this model does not support image
# input"), LM Studio ("Model does not support images"), vLLM ("... is not a
# multimodal model", "At most 0 image(s) may be provided"), OpenAI ("image_url is only
# supported by certain models").
IMAGE_REFUSAL_STATUSES = (400, 415, 422, 500, 501)
_IMAGE_REFUSAL = re.compile(
    r"image input is not supported|does not support (?:image|vision)|not a multimodal model"
    r"|image_url is only supported|at most 0 image|mmproj|images? (?:are|is) not supported"
    r"|no (?:vision|multimodal) support|does not support multimodal",
    re.IGNORECASE,
)


def refuses_images(detail: str) -> bool:
    """Whether a server's error text says the model cannot take images."""
    return bool(_IMAGE_REFUSAL.search(detail))


def server_message(body: bytes, content_type: str) -> str:
    """The human part of an error body: ``error.message``, ``message``,
    ``detail``, else the text itself (HTML is summarised)."""
    text = body[:4096].decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    if "html" in content_type or text.startswith("<"):
        return "an HTML page"
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict):
        inner = data.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        for key in ("message", "detail", "error"):
            if isinstance(data.get(key), str) and data[key]:
                return data[key]
    return text


def parse_retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, ``Retry-After`` (seconds or an
    HTTP-date). None when absent or unparsable."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _from_socks(exc: BaseException) -> bool:
    """A raw failure inside httpcore's SOCKS handshake (socksio errors and the
    assertions httpcore makes about the proxy's replies are not mapped)."""
    if isinstance(exc, httpx.HTTPError):
        return False
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "socks" in name.rsplit("/", 2)[-1] or "socksio" in name:
            return True
        tb = tb.tb_next
    return False
