"""The config form's logic, without widgets: validation, secret keeping, proxy URLs.

``ProfileForm`` holds what the user typed (all strings, secrets as typed, empty when
untouched); ``build_profile`` turns it into a ``Profile`` given the stored one, so
empty secret fields keep the old secret and the "clear" flags delete it. Errors come
back keyed by field id so the screen can show them next to the field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from aichat_tui.models import BACKEND_KINDS, Profile
from aichat_tui.sanitize import one_line, scrub

__all__ = [
    "PROXY_SCHEMES",
    "ProfileForm",
    "build_profile",
    "describe_error",
    "fetch_models",
    "form_from_profile",
    "format_number",
    "split_proxy",
]

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def describe_error(error: BaseException, profile: Profile, limit: int = 300) -> str:
    """One line for the user: the client's own message for its errors, else the
    exception's type and text; every secret of ``profile`` masked."""
    from aichat_tui.client import AichatError

    text = str(error) if isinstance(error, AichatError) else f"{type(error).__name__}: {error}"
    return one_line(scrub(text, profile.secrets()), limit)


async def fetch_models(profile: Profile) -> list[str]:
    """The model names ``profile``'s server offers, cleaned for display and sorted.
    Raises whatever the client raises (shown with :func:`describe_error`)."""
    from aichat_tui.client import ChatClient

    async with ChatClient(profile) as client:
        models = await client.list_models()
    return sorted({one_line(model, 200) for model in models if model})


_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class ProfileForm:
    """What the config form holds for one profile. Secret fields are only what the
    user typed now (never the stored value); ``clear_*`` delete the stored one."""

    name: str = ""
    kind: str = "openai"
    base_url: str = ""
    model: str = ""
    temperature: str = ""  # empty: the server's default
    top_p: str = ""
    timeout: str = "60"
    cookies: str = ""
    clear_cookies: bool = False
    api_key: str = ""
    clear_api_key: bool = False
    api_key_env: str = ""
    proxy_mode: str = "env"  # "env" (use HTTP(S)_PROXY etc.), "none", "url"
    proxy_url: str = ""  # without password
    proxy_password: str = ""
    clear_proxy_password: bool = False


def split_proxy(url: str | None) -> tuple[str, bool]:
    """The proxy URL with any password removed, and whether it had one.

    ``socks5h://user:pw@host:1080`` → ``("socks5h://user@host:1080", True)``.
    """
    if not url:
        return "", False
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, False
    user, colon, password = userinfo.partition(":")
    netloc = f"{user}@{hostport}" if user else hostport
    return urlunsplit(parts._replace(netloc=netloc)), bool(colon and password)


def _raw_password(url: str | None) -> str:
    """The still percent-encoded password part of a proxy URL, or ''."""
    if not url:
        return ""
    userinfo, at, _ = urlsplit(url).netloc.rpartition("@")
    return userinfo.partition(":")[2] if at else ""


def format_number(value: float) -> str:
    """A float as typed by a person, exact (``0.5``, ``60``, ``0.123456789``): the
    form must round-trip stored values without rounding them."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def form_from_profile(profile: Profile) -> ProfileForm:
    """A form showing ``profile``; secret fields stay empty."""
    if profile.proxy is None:
        mode, url = "env", ""
    elif profile.proxy == "":
        mode, url = "none", ""
    else:
        mode, url = "url", split_proxy(profile.proxy)[0]
    return ProfileForm(
        name=profile.name,
        kind=profile.kind,
        base_url=profile.base_url,
        model=profile.model,
        temperature="" if profile.temperature is None else format_number(profile.temperature),
        top_p="" if profile.top_p is None else format_number(profile.top_p),
        timeout=format_number(profile.timeout),
        api_key_env=profile.api_key_env or "",
        proxy_mode=mode,
        proxy_url=url,
    )


def _number(text: str, low: float, high: float, *, low_open: bool = False) -> float | str:
    """The number in ``text`` if within bounds, else an error message."""
    try:
        value = float(text.strip())
    except ValueError:
        return "enter a number"
    if not math.isfinite(value):
        return "enter a finite number"
    if value < low or (low_open and value == low) or value > high:
        bracket = "(" if low_open else "["
        return f"must be in {bracket}{low:g}, {high:g}]"
    return value


def _check_base_url(text: str) -> str | None:
    if not text:
        return "required"
    if any(c.isspace() for c in text) or _CONTROL_RE.search(text):
        return "no spaces or control characters"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must start with http:// or https:// and name a host"
    if parts.username or parts.password:
        return "no credentials in the URL: use the API key or cookies fields"
    return None


def _cookies(text: str) -> dict[str, str] | str:
    from aichat_tui.store import parse_cookie_header

    try:
        cookies = parse_cookie_header(text)
    except ValueError as error:
        # The parser's message is about the format; never echo the pasted value.
        return f"could not read cookies: {str(error)[:80]}" if str(error) else "bad cookies"
    if not cookies:
        return "no cookies found: paste a 'Cookie:' header or name=value pairs"
    return dict(cookies)


def _proxy(form: ProfileForm, old: str | None, errors: dict[str, str]) -> str | None:
    if form.proxy_mode == "env":
        return None
    if form.proxy_mode == "none":
        return ""
    text = form.proxy_url.strip()
    if not text:
        errors["proxy_url"] = "required when the proxy is set to a URL"
        return old
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        errors["proxy_url"] = "not a valid URL"
        return old
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        errors["proxy_url"] = f"scheme must be one of {', '.join(PROXY_SCHEMES)}; host required"
        return old
    if any(c.isspace() for c in text) or _CONTROL_RE.search(text):
        errors["proxy_url"] = "no spaces or control characters"
        return old
    base, typed_in_url = split_proxy(text)
    if typed_in_url and not form.proxy_password:
        return text  # the user typed user:password@ into the URL itself
    if form.proxy_password:
        password = quote(form.proxy_password, safe="")
    elif form.clear_proxy_password:
        password = ""
    else:
        password = _raw_password(old)  # empty field keeps the stored password
    if not password:
        return base
    parts = urlsplit(base)
    user, at, hostport = parts.netloc.rpartition("@")
    if not at or not user:
        errors["proxy_password"] = "a proxy password needs a user name in the URL (user@host)"
        return old
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{hostport}"))


def build_profile(
    form: ProfileForm, old: Profile | None, taken_names: set[str]
) -> tuple[Profile | None, dict[str, str]]:
    """Validate ``form`` and build the Profile it describes.

    ``old`` is the stored profile (its secrets are kept where the form's secret
    fields are empty); ``taken_names`` are the other profiles' names. Returns the
    profile, or ``None`` and errors keyed by field id.
    """
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = "required"
    elif _CONTROL_RE.search(name) or len(name) > 64:
        errors["name"] = "at most 64 printable characters"
    elif name in taken_names:
        errors["name"] = "another profile has this name"
    if form.kind not in BACKEND_KINDS:
        errors["kind"] = f"must be one of {', '.join(BACKEND_KINDS)}"
    base_url = form.base_url.strip()
    if (problem := _check_base_url(base_url)) is not None:
        errors["base_url"] = problem
    model = form.model.strip()
    if _CONTROL_RE.search(model):
        errors["model"] = "no control characters"
    numbers: dict[str, float | None] = {}
    for key, low, high, low_open in (
        ("temperature", 0.0, 2.0, False),
        ("top_p", 0.0, 1.0, False),
        ("timeout", 0.0, 3600.0, True),
    ):
        if key != "timeout" and not getattr(form, key).strip():
            numbers[key] = None  # not set: the server decides
            continue
        result = _number(getattr(form, key), low, high, low_open=low_open)
        if isinstance(result, str):
            errors[key] = result
        else:
            numbers[key] = result
    cookies = dict(old.cookies) if old else {}
    if form.cookies.strip():
        parsed = _cookies(form.cookies)
        if isinstance(parsed, str):
            errors["cookies"] = parsed
        else:
            cookies = parsed
    elif form.clear_cookies:
        cookies = {}
    api_key = old.api_key if old else None
    if form.api_key.strip():
        api_key = form.api_key.strip()
        if _CONTROL_RE.search(api_key) or " " in api_key:
            errors["api_key"] = "no spaces or control characters"
    elif form.clear_api_key:
        api_key = None
    api_key_env = form.api_key_env.strip() or None
    if api_key_env and not _ENV_NAME_RE.match(api_key_env):
        errors["api_key_env"] = "letters, digits and _ only, not starting with a digit"
    proxy = _proxy(form, old.proxy if old else None, errors)
    if errors:
        return None, errors
    profile = Profile(
        name=name,
        kind=form.kind,  # type: ignore[arg-type]  # checked against BACKEND_KINDS above
        base_url=base_url,
        model=model,
        temperature=numbers["temperature"],
        top_p=numbers["top_p"],
        timeout=numbers["timeout"] or 60.0,
        cookies=cookies,
        api_key=api_key,
        api_key_env=api_key_env,
        proxy=proxy,
        # Not on the form (config.toml only): kept as they were.
        max_tokens=old.max_tokens if old else None,
        user_agent=old.user_agent if old else None,
        headers=dict(old.headers) if old else {},
    )
    return profile, {}
