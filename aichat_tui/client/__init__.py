"""The chat client: no Textual, no Rich.

``ChatClient`` streams replies from an ``aichat`` or ``openai`` profile;
``Aichat`` keeps the original provider's contract; every failure is one of the
documented errors in :mod:`aichat_tui.client.errors`.
"""

from __future__ import annotations

from aichat_tui.client import errors
from aichat_tui.client.aichat import Aichat, flatten_prompt
from aichat_tui.client.chat import (
    INTERACTIVE_MAX_RETRY_WAIT,
    INTERACTIVE_RETRIES,
    ChatClient,
    ChatRequest,
    RetryNotice,
)
from aichat_tui.client.errmap import parse_retry_after
from aichat_tui.client.errors import (
    AichatError,
    AuthError,
    ConfigurationError,
    ConnectError,
    ConnectTimeout,
    DNSError,
    HTTPStatusError,
    IdleTimeout,
    ImageInputRefused,
    MissingCookiesError,
    ProtocolError,
    ProxyAuthError,
    ProxyConnectError,
    ProxyError,
    ProxyTimeoutError,
    RateLimitError,
    ReadTimeout,
    RequestTimeout,
    ServerError,
    ServerReportedError,
    StreamInterrupted,
    TLSError,
    TransportError,
    UnsupportedInputError,
)
from aichat_tui.client.sse import ServerSentEvent, SSEDecoder
from aichat_tui.client.transport import ProxySpec, Timeouts

__all__ = [
    "INTERACTIVE_MAX_RETRY_WAIT",
    "INTERACTIVE_RETRIES",
    "Aichat",
    "AichatError",
    "AuthError",
    "ChatClient",
    "ChatRequest",
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
    "ProxySpec",
    "ProxyTimeoutError",
    "RateLimitError",
    "ReadTimeout",
    "RequestTimeout",
    "RetryNotice",
    "SSEDecoder",
    "ServerError",
    "ServerReportedError",
    "ServerSentEvent",
    "StreamInterrupted",
    "TLSError",
    "Timeouts",
    "TransportError",
    "UnsupportedInputError",
    "errors",
    "flatten_prompt",
    "parse_retry_after",
]
