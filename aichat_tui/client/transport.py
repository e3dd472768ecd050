"""Building the pooled ``httpx.AsyncClient`` for a profile: proxy parsing,
timeouts, TLS context, and the logging filter that keeps secrets out of
httpx/httpcore debug logs.

Proxy rules (httpx 0.28): a configured proxy is used for every request and the
environment's ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` are then ignored;
``Profile.proxy = None`` means "use the environment" and ``""`` means "no
proxy at all". ``SSL_CERT_FILE``/``SSL_CERT_DIR`` are honoured in every case.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import urllib.request
import weakref
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from aichat_tui.client.errors import ConfigurationError
from aichat_tui.models import Profile, split_credentials
from aichat_tui.sanitize import scrub

__all__ = [
    "ProxySpec",
    "Timeouts",
    "build_http_client",
    "collect_secrets",
    "display_url",
    "environment_proxy",
    "install_log_filter",
    "register_secrets",
    "unregister_secrets",
]

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
ENV_PROXY_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@dataclass(frozen=True)
class ProxySpec:
    """A parsed proxy URL. ``display`` never contains credentials."""

    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = ""

    @property
    def display(self) -> str:
        """``scheme://host:port`` for messages."""
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def is_socks(self) -> bool:
        """Whether this is a SOCKS5 proxy."""
        return self.scheme.startswith("socks")

    @classmethod
    def parse(cls, url: str) -> ProxySpec:
        """Parse ``scheme://[user[:password]@]host[:port][/]``.

        The credentials may be percent-encoded or raw: the *last* ``@`` ends
        them, so a raw password may contain ``@ : / #``. Percent escapes
        (``%40``) are decoded. Raises :class:`ConfigurationError`.
        """
        scheme, username, password, hostport = split_credentials(url)
        scheme = scheme.lower()
        if scheme not in PROXY_SCHEMES:
            shown = scheme or "missing"
            raise ConfigurationError(
                f"proxy URL scheme is {shown}; use http://, https://, socks5:// or socks5h://"
            )
        hostport = hostport.rstrip("/")
        if "/" in hostport or not hostport:
            raise ConfigurationError("proxy URL must look like scheme://[user:password@]host:port")
        default_port = {"http": 80, "https": 443}.get(scheme, 1080)
        host, port = hostport, default_port
        match = re.fullmatch(r"(\[[^\]]+\]|[^:]+)(?::(\d*))?", hostport)
        if match is None:
            raise ConfigurationError("proxy URL has an invalid host or port")
        host = match.group(1)
        if match.group(2):
            port = int(match.group(2))
            if not 0 < port < 65536:
                raise ConfigurationError("proxy URL port must be between 1 and 65535")
        return cls(scheme, host, port, username, password)

    def to_httpx(self) -> httpx.Proxy:
        """An ``httpx.Proxy`` with the credentials passed separately."""
        url = f"{self.scheme}://{self.host}:{self.port}"
        auth = (self.username, self.password) if self.username or self.password else None
        return httpx.Proxy(url, auth=auth)


@dataclass(frozen=True)
class Timeouts:
    """Time budgets in seconds.

    ``connect``: TCP + TLS handshake. ``read``: socket silence. ``headers``:
    overall deadline from sending the request to the response headers (bounds
    a SOCKS handshake, which has no timeout of its own in httpcore). ``idle``:
    longest wait between two pieces of reply text (keep-alive comments do not
    count; default twice ``read``). ``total``: optional cap on a whole reply.
    """

    connect: float
    read: float
    headers: float
    idle: float
    total: float | None = None

    @classmethod
    def for_profile(
        cls,
        profile: Profile,
        *,
        connect: float | None = None,
        idle: float | None = None,
        total: float | None = None,
    ) -> Timeouts:
        """Defaults derived from ``profile.timeout``."""
        read = max(0.05, float(profile.timeout))
        connect = connect if connect is not None else min(read, 10.0)
        return cls(
            connect=connect,
            read=read,
            headers=connect + read,
            # Longer than the read timeout: a silent socket is reported as a
            # read timeout; this catches servers that only send keep-alives.
            idle=idle if idle is not None else 2 * read,
            total=total,
        )


def display_url(url: str) -> str:
    """``host[:port]`` of a URL, without credentials or path (for messages)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "the server"
    if not parsed.host:
        return "the server"
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    if parsed.port and parsed.port != default:
        return f"{parsed.host}:{parsed.port}"
    return parsed.host


def collect_secrets(profile: Profile, proxy: ProxySpec | None) -> list[str]:
    """Every secret to scrub: the profile's own list plus the parsed proxy
    password in raw, percent-encoded and repr-escaped forms."""
    found = set(profile.secrets())
    for value in [*list(profile.cookies.values()), profile.resolved_api_key() or ""]:
        if value:
            found.add(value)
    if proxy is not None and proxy.password:
        found.update({proxy.password, quote(proxy.password, safe="")})
    try:
        base = httpx.URL(profile.base_url)
        if base.password:
            found.add(base.password)
        # Keys are sometimes passed in the query string (?key=...).
        found.update(value for _name, value in base.params.multi_items() if len(value) >= 6)
    except (httpx.InvalidURL, TypeError, ValueError):
        pass
    for value in list(found):
        found.add(repr(value.encode("utf-8"))[2:-1])  # as it shows inside b'...'
    return [s for s in found if len(s) >= 3]


def environment_proxy(url: str) -> ProxySpec | None:
    """The environment proxy that applies to ``url`` (for naming it in
    messages; httpx does the actual selection). None if none or unparsable."""
    try:
        target = httpx.URL(url)
        proxies = urllib.request.getproxies_environment()
        host = target.host
        if not host or urllib.request.proxy_bypass_environment(host, proxies):
            return None
        value = proxies.get(target.scheme) or proxies.get("all")
        if not value:
            return None
        return ProxySpec.parse(value if "://" in value else f"http://{value}")
    except (ConfigurationError, ValueError, TypeError, httpx.InvalidURL):
        return None


def _env_proxy_problem() -> str | None:
    """Name the environment proxy variable httpx would reject, if any."""
    for name in ENV_PROXY_VARS:
        value = os.environ.get(name)
        if not value:
            continue
        candidate = value if "://" in value else f"http://{value}"
        try:
            httpx.Proxy(candidate)
        except (ValueError, TypeError, httpx.InvalidURL):
            scheme = candidate.split("://", 1)[0]
            return f"{name} (scheme {scheme!r})"
    return None


def build_http_client(
    proxy_setting: str | None,
    proxy: ProxySpec | None,
    timeouts: Timeouts,
) -> httpx.AsyncClient:
    """The pooled client for one profile. Raises :class:`ConfigurationError`
    for an unusable environment proxy or a missing ``socksio``."""
    # verify: always honour SSL_CERT_FILE/SSL_CERT_DIR, even when trust_env is
    # off to keep environment proxies out.
    ssl_context = httpx.create_ssl_context(trust_env=True)
    timeout = httpx.Timeout(
        connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=timeouts.connect
    )
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=5, keepalive_expiry=30)
    kwargs: dict = {"timeout": timeout, "limits": limits, "verify": ssl_context}
    # trust_env only decides about environment proxies here (TLS is set above).
    kwargs["trust_env"] = proxy is None and proxy_setting is None
    if proxy is not None:
        kwargs["proxy"] = proxy.to_httpx()
    try:
        return httpx.AsyncClient(**kwargs)
    except ImportError as exc:
        raise ConfigurationError(
            "SOCKS proxies need the socksio package: pip install 'aichat-tui[socks]'"
        ) from exc
    except (ValueError, TypeError, httpx.InvalidURL) as exc:
        bad = _env_proxy_problem() if proxy is None else None
        if bad:
            raise ConfigurationError(
                f"the environment variable {bad} is not a usable proxy; fix it, or set the "
                "profile's proxy (an explicit proxy, or none, overrides the environment)"
            ) from exc
        raise ConfigurationError("the proxy settings cannot be used") from exc


# -- secret-scrubbing log filter ----------------------------------------------

_SENSITIVE = re.compile(
    r"(\(b'(?:cookie|authorization|proxy-authorization|set-cookie)', b')[^']*(')"
    r"|(auth=\(b'[^']*', b')[^']*(')"
    r"|([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]*(@)",
    re.IGNORECASE,
)
_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aichat_tui.client",
)
_secrets: dict[int, tuple[str, ...]] = {}
_secrets_lock = threading.Lock()
_installed = False


class SecretFilter(logging.Filter):
    """Rewrites log records so that no registered secret and no cookie or
    authorization header value survives (httpcore logs request headers and
    SOCKS credentials at DEBUG level)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record in place; always keep it."""
        with _secrets_lock:
            secrets = {s for group in _secrets.values() for s in group}
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = _SENSITIVE.sub(_mask, message)
        if secrets:
            clean = scrub(clean, secrets)
        if clean != message:
            record.msg = clean
            record.args = ()
        return True


def _mask(match: re.Match[str]) -> str:
    for first in (1, 3, 5):
        if match.group(first) is not None:
            return f"{match.group(first)}***{match.group(first + 1)}"
    return match.group(0)


def install_log_filter() -> None:
    """Attach :class:`SecretFilter` to the httpx/httpcore/client loggers (once)."""
    global _installed
    if _installed:
        return
    shared = SecretFilter()
    for name in _LOGGERS:
        logging.getLogger(name).addFilter(shared)
    _installed = True


def register_secrets(owner: object, secrets: list[str]) -> None:
    """Make the log filter scrub ``secrets`` while ``owner`` is alive (they are
    dropped when it is garbage collected, or by :func:`unregister_secrets`)."""
    key = id(owner)
    with _secrets_lock:
        _secrets[key] = tuple(secrets)
    try:
        weakref.finalize(owner, _secrets.pop, key, None)
    except TypeError:
        pass  # not weak-referenceable: only unregister_secrets() drops them


def unregister_secrets(owner: object) -> None:
    """Forget the secrets registered for ``owner``."""
    with _secrets_lock:
        _secrets.pop(id(owner), None)
