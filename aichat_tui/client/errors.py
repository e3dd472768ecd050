"""The client's exception tree.

Every error carries a one-line, user-facing message (``str(error)``) that names
who failed -- the server (by host) or the proxy -- and never contains a secret
(cookie, API key, proxy password): messages are built from host names only and
then scrubbed with the profile's secrets. Two attributes help the UI:

``partial``
    Reply text received before the failure ("" if none). A stream cut mid-way
    keeps what already arrived here.
``retryable``
    True when trying again later may succeed (timeouts, 429, 5xx, cut streams).

Tree::

    AichatError
    ├── MissingCookiesError (also a RuntimeError)  raised before any request
    ├── ConfigurationError                         bad URL/proxy, socksio missing
    ├── TransportError
    │   ├── ConnectError                           refused / unreachable server
    │   ├── DNSError
    │   ├── TLSError
    │   ├── ProxyError
    │   │   ├── ProxyConnectError                  proxy down / closed / broken
    │   │   ├── ProxyAuthError                     407 or SOCKS auth failure
    │   │   └── ProxyTimeoutError
    │   └── RequestTimeout
    │       ├── ConnectTimeout
    │       ├── ReadTimeout
    │       └── IdleTimeout                        our own idle/overall deadline
    ├── HTTPStatusError (status)
    │   ├── AuthError                              401/403
    │   ├── RateLimitError (retry_after)           429
    │   └── ServerError                            5xx
    │   └── ImageInputRefused (also UnsupportedInput) a model that takes no images
    ├── UnsupportedInputError                      images for a text-only protocol
    ├── ProtocolError                              HTML, malformed JSON, odd body
    ├── ServerReportedError                        {"response": false}, SSE error
    └── StreamInterrupted                          cut mid-way, no [DONE]

``asyncio.CancelledError`` is never converted into one of these.
"""

from __future__ import annotations

__all__ = [
    "AichatError",
    "AuthError",
    "ConfigurationError",
    "ConnectError",
    "ConnectTimeout",
    "DNSError",
    "HTTPStatusError",
    "IdleTimeout",
    "ImageInputRefused",
    "MissingCookiesError",
    "ProtocolError",
    "ProxyAuthError",
    "ProxyConnectError",
    "ProxyError",
    "ProxyTimeoutError",
    "RateLimitError",
    "ReadTimeout",
    "RequestTimeout",
    "ServerError",
    "ServerReportedError",
    "StreamInterrupted",
    "TLSError",
    "TransportError",
    "UnsupportedInputError",
]


class AichatError(Exception):
    """Base of every error the client raises.

    ``str(error)`` is a single line meant for the user, free of secrets.
    """

    #: Whether a retry may help (overridden per class, or per instance).
    default_retryable: bool = False

    def __init__(self, message: str, *, partial: str = "", retryable: bool | None = None) -> None:
        # One line: the UI shows it in a toast or under a message.
        message = " ".join(str(message).split())
        super().__init__(message)
        self.message = message
        self.partial = partial
        # Thinking received before the failure (kept like ``partial``).
        self.partial_reasoning = ""
        self.retryable = self.default_retryable if retryable is None else retryable

    def __str__(self) -> str:
        return self.message


class MissingCookiesError(AichatError, RuntimeError):
    """The aichat backend needs browser cookies and none were given.

    Raised before any request is made.
    """


class ConfigurationError(AichatError):
    """The profile cannot be used as configured (bad base URL or proxy URL, an
    unusable proxy variable in the environment, ``socksio`` not installed)."""


class TransportError(AichatError):
    """The request did not get an HTTP answer: network, TLS, proxy or timeout."""

    default_retryable = True


class ConnectError(TransportError):
    """The server refused the connection or could not be reached."""


class DNSError(TransportError):
    """The server's host name could not be resolved."""


class TLSError(TransportError):
    """The TLS handshake failed (untrusted or mismatched certificate, ...).

    There is never a silent fallback to an unverified connection.
    """

    default_retryable = False


class ProxyError(TransportError):
    """The proxy failed (as opposed to the server behind it)."""


class ProxyConnectError(ProxyError):
    """The proxy is down, closed the connection, or broke its protocol."""


class ProxyAuthError(ProxyError):
    """The proxy rejected the credentials (HTTP 407 or SOCKS5 auth failure)."""

    default_retryable = False


class ProxyTimeoutError(ProxyError):
    """Nothing came back through the proxy within the time budget."""


class RequestTimeout(TransportError):
    """A time budget ran out."""


class ConnectTimeout(RequestTimeout):
    """Connecting (TCP or TLS handshake) took too long."""


class ReadTimeout(RequestTimeout):
    """The server went silent for longer than the read timeout."""


class IdleTimeout(RequestTimeout):
    """No reply text arrived within the idle deadline (for example a server
    that only sends keep-alive comments, or a proxy that accepts and stalls)."""


class HTTPStatusError(AichatError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        partial: str = "",
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, partial=partial, retryable=retryable)
        self.status = status


class AuthError(HTTPStatusError):
    """401/403: the cookies or the API key were rejected."""


class RateLimitError(HTTPStatusError):
    """429: too many requests. ``retry_after`` is the server's requested wait
    in seconds, or None when it did not say."""

    default_retryable = True

    def __init__(
        self,
        message: str,
        *,
        status: int = 429,
        retry_after: float | None = None,
        partial: str = "",
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, status=status, partial=partial, retryable=retryable)
        self.retry_after = retry_after


class ServerError(HTTPStatusError):
    """5xx: the server failed."""

    default_retryable = True


class UnsupportedInputError(AichatError):
    """The backend cannot take what the request carries (images for the aichat
    protocol, which is text only). Raised before any request is made."""


class ImageInputRefused(HTTPStatusError, UnsupportedInputError):
    """The server answered that the model does not accept images (llama.cpp
    without a multimodal projector, a text-only Ollama or vLLM model, ...)."""


class ProtocolError(AichatError):
    """The answer is not what the protocol promises: an HTML page, malformed
    JSON, an oversized event, an unexpected body."""


class ServerReportedError(AichatError):
    """The server answered properly but reported a failure in the body
    (``{"response": false}`` or an SSE ``{"error": ...}`` event)."""


class StreamInterrupted(AichatError):
    """The reply stream stopped before it was complete (connection cut, reset,
    or ended without ``[DONE]``). ``partial`` holds the text received."""

    default_retryable = True
