"""Settings in ``config.toml``: profiles, the default profile, theme and key map.

Layout::

    default_profile = "work"

    [ui]
    theme = "aichat-dark"

    [keys]
    "app.quit" = "ctrl+q"

    [sync]                          # aichat-tui sync --init REMOTE writes it
    remote = "me@host:aichat-sync.git"
    auto = true                     # sync at start, after each reply, at quit

    [profiles.work]
    kind = "openai"                 # or "aichat"
    base_url = "https://api.example.com/v1"
    model = "gpt-4o-mini"
    temperature = 0.5
    top_p = 1.0
    timeout = 60.0
    api_key_env = "OPENAI_API_KEY"  # or api_key = "sk-..."
    proxy = "socks5h://user:pass@127.0.0.1:1080"   # "" = no proxy at all
    cookies = "session=abc; cf_clearance=xyz"      # or a [profiles.work.cookies] table

Validation is strict: an unknown key or a wrong type raises :class:`ConfigError`
naming the file, line and key. A missing file gives :func:`default_settings`.
The file holds secrets: it is written 0600 in a 0700 folder, and loading warns
(``Settings.warnings``) when group/other permission bits are set. Saving rewrites
only what changed and never touches a file that fails to parse; comments survive
only while nothing in the file changes (tomli-w cannot write them back).
"""

from __future__ import annotations

import copy
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import tomli_w

from aichat_tui.models import BACKEND_KINDS, Profile, Settings, SyncSettings
from aichat_tui.store.atomic import atomic_write, clean_stale_temps, read_limited
from aichat_tui.store.errors import ConfigError, SaveError
from aichat_tui.store.paths import Paths, _tighten
from aichat_tui.store.toml_codec import (
    decode_error_line,
    decode_text,
    find_key_line,
    toml_error_message,
    toml_error_position,
)

CONFIG_SIZE_LIMIT = 1024 * 1024
_TOP_KEYS = {"default_profile", "ui", "keys", "profiles", "sync"}
_SYNC_KEYS = {"remote", "auto"}
_UI_KEYS = {"theme", "reasoning"}
REASONING_MODES = ("hidden", "collapsed", "expanded")
_DEFAULTS = Profile()
_FLOAT_FIELDS = ("temperature", "top_p", "timeout")
_STR_FIELDS = ("base_url", "model")
_OPTIONAL_STR_FIELDS = ("api_key", "api_key_env", "proxy", "user_agent")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_PROFILE_KEYS = {f.name for f in fields(Profile)} - {"name"}


def default_settings() -> Settings:
    """What a first start uses: one ``local`` profile for an OpenAI-compatible
    server on 127.0.0.1:8080 (llama.cpp, LM Studio, vLLM, ...)."""
    local = Profile(name="local", kind="openai", base_url="http://127.0.0.1:8080/v1")
    return Settings(profiles={"local": local}, default_profile="local")


def parse_cookie_header(text: str) -> dict[str, str]:
    """Cookies from a pasted ``Cookie:`` header value (``a=b; c=d``).

    A leading ``Cookie:`` is ignored, surrounding quotes on a value are removed,
    and parts without ``=`` are skipped.
    """
    text = text.strip()
    if text.lower().startswith("cookie:"):
        text = text[len("cookie:") :]
    cookies: dict[str, str] = {}
    for part in text.replace("\n", ";").split(";"):
        name, sep, val = part.strip().partition("=")
        name, val = name.strip(), val.strip()
        if not sep or not name:
            continue
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1]
        cookies[name] = val
    return cookies


# --- loading -----------------------------------------------------------------------------


class _Checker:
    """Raises ConfigError for a key, with the line found in the source text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, keypath: tuple[str, ...], message: str) -> ConfigError:
        line = find_key_line(self.text, keypath)
        return ConfigError(self.path, message, line=line, key=".".join(keypath))

    def table(self, doc: Any, keypath: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(doc, dict):
            raise self.fail(keypath, f"must be a table, not {_type_name(doc)}")
        return doc

    def unknown(self, doc: Mapping[str, Any], allowed: set[str], where: tuple[str, ...]) -> None:
        for name in doc:
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail((*where, name), f"unknown setting (known: {known})")


def _type_name(obj: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a float",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(obj), type(obj).__name__)


def _read_document(path: Path) -> tuple[dict[str, Any], str] | None:
    """The parsed file and its text, None if it does not exist."""
    try:
        data = read_limited(path, CONFIG_SIZE_LIMIT)
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise ConfigError(path, "is a folder, not a file") from exc
    except ValueError as exc:
        raise ConfigError(path, str(exc)) from exc
    except OSError as exc:
        raise ConfigError(path, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        line = decode_error_line(data, exc)
        raise ConfigError(path, "is not valid UTF-8 text", line=line) from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        line, col = toml_error_position(exc)
        message = toml_error_message(exc) + (f" (column {col})" if col else "")
        raise ConfigError(path, message, line=line) from exc
    except RecursionError as exc:  # tomllib recurses once per nesting level
        raise ConfigError(path, "invalid TOML: nested too deeply") from exc


def _profile(check: _Checker, name: str, doc: Any) -> Profile:
    where = ("profiles", name)
    table = check.table(doc, where)
    check.unknown(table, _PROFILE_KEYS, where)
    values: dict[str, Any] = {"name": name}
    if "kind" in table:
        kind = table["kind"]
        if kind not in BACKEND_KINDS:
            raise check.fail((*where, "kind"), f"must be one of {', '.join(BACKEND_KINDS)}")
        values["kind"] = kind
    for field_name in _STR_FIELDS + _OPTIONAL_STR_FIELDS:
        if field_name in table:
            val = table[field_name]
            if not isinstance(val, str):
                raise check.fail((*where, field_name), f"must be a string, not {_type_name(val)}")
            values[field_name] = val
    base_url = values.get("base_url")
    if base_url is not None and not base_url.lower().startswith(("http://", "https://")):
        raise check.fail((*where, "base_url"), "must start with http:// or https://")
    for field_name in _FLOAT_FIELDS:
        if field_name in table:
            val = table[field_name]
            if isinstance(val, bool) or not isinstance(val, int | float):
                raise check.fail((*where, field_name), f"must be a number, not {_type_name(val)}")
            values[field_name] = float(val)
    ranges = {"temperature": (0.0, 2.0), "top_p": (0.0, 1.0), "timeout": (0.001, 86400.0)}
    for field_name, (low, high) in ranges.items():
        if field_name in values and not low <= values[field_name] <= high:
            raise check.fail((*where, field_name), f"must be between {low:g} and {high:g}")
    if "max_tokens" in table:
        val = table["max_tokens"]
        if isinstance(val, bool) or not isinstance(val, int) or not 1 <= val <= 10_000_000:
            raise check.fail((*where, "max_tokens"), "must be a whole number from 1")
        values["max_tokens"] = val
    if "headers" in table:
        values["headers"] = _headers(check, (*where, "headers"), table["headers"])
    for field_name in ("user_agent",):
        if any(c in (values.get(field_name) or "") for c in "\r\n\0"):
            raise check.fail((*where, field_name), "must be one line")
    if "cookies" in table:
        values["cookies"] = _cookies(check, (*where, "cookies"), table["cookies"])
    return Profile(**values)


def _headers(check: _Checker, where: tuple[str, ...], raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise check.fail(where, "must be a table of 'name = \"value\"'")
    for name, val in raw.items():
        if not _HEADER_NAME.match(name):
            raise check.fail((*where, name), "is not a valid header name")
        if not isinstance(val, str):
            raise check.fail((*where, name), f"must be a string, not {_type_name(val)}")
        if any(c in val for c in "\r\n\0"):
            raise check.fail((*where, name), "must be one line")
    return dict(raw)


def _cookies(check: _Checker, where: tuple[str, ...], raw: Any) -> dict[str, str]:
    if isinstance(raw, str):
        return parse_cookie_header(raw)
    if not isinstance(raw, dict):
        raise check.fail(where, "must be a table or a 'name=value; ...' string")
    for cookie, val in raw.items():
        if not isinstance(val, str):
            raise check.fail((*where, cookie), f"must be a string, not {_type_name(val)}")
    return dict(raw)


def settings_from_document(doc: dict[str, Any], path: Path, text: str = "") -> Settings:
    """Validate a parsed config document into Settings (raises ConfigError)."""
    check = _Checker(path, text)
    check.unknown(doc, _TOP_KEYS, ())
    settings = Settings()
    profiles = check.table(doc.get("profiles", {}), ("profiles",))
    for name, body in profiles.items():
        settings.profiles[name] = _profile(check, name, body)
    if "default_profile" in doc:
        default = doc["default_profile"]
        if not isinstance(default, str):
            raise check.fail(("default_profile",), f"must be a string, not {_type_name(default)}")
        if default not in settings.profiles:
            raise check.fail(("default_profile",), f"no profile named {default!r}")
        settings.default_profile = default
    ui = check.table(doc.get("ui", {}), ("ui",))
    check.unknown(ui, _UI_KEYS, ("ui",))
    if "theme" in ui:
        if not isinstance(ui["theme"], str):
            raise check.fail(("ui", "theme"), f"must be a string, not {_type_name(ui['theme'])}")
        settings.theme = ui["theme"]
    if "reasoning" in ui:
        if ui["reasoning"] not in REASONING_MODES:
            raise check.fail(("ui", "reasoning"), f"must be one of {', '.join(REASONING_MODES)}")
        settings.reasoning = ui["reasoning"]
    keys = check.table(doc.get("keys", {}), ("keys",))
    for binding_id, binding in keys.items():
        if not isinstance(binding, str):
            raise check.fail(("keys", binding_id), f"must be a string, not {_type_name(binding)}")
        settings.keys[binding_id] = binding
    settings.sync = _sync(check, doc.get("sync", {}))
    return settings


def _sync(check: _Checker, raw: Any) -> SyncSettings:
    table = check.table(raw, ("sync",))
    check.unknown(table, _SYNC_KEYS, ("sync",))
    result = SyncSettings()
    if "remote" in table:
        if not isinstance(table["remote"], str):
            raise check.fail(
                ("sync", "remote"), f"must be a string, not {_type_name(table['remote'])}"
            )
        result.remote = table["remote"].strip()
    if "auto" in table:
        if not isinstance(table["auto"], bool):
            raise check.fail(
                ("sync", "auto"), f"must be true or false, not {_type_name(table['auto'])}"
            )
        result.auto = table["auto"]
    return result


def _permission_warnings(path: Path) -> list[str]:
    if os.name != "posix":
        return []
    warnings: list[str] = []
    for target, wanted in ((path, 0o600), (path.parent, 0o700)):
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            continue
        if mode & 0o077:
            warnings.append(
                f"{target} is accessible to other users (mode {mode:04o}); it holds "
                f"secrets: run chmod {wanted:o} {target} (the next save does it)"
            )
    return warnings


def load_settings(paths: Paths) -> Settings:
    """Read and validate config.toml. A missing file gives :func:`default_settings`.

    Raises :class:`ConfigError` (file, line, key) for unreadable, invalid or
    unknown content. ``Settings.warnings`` lists permission problems.
    """
    path = paths.config_file
    found = _read_document(path)
    if found is None:
        _remember_base(path, {})
        return default_settings()
    doc, text = found
    settings = settings_from_document(doc, path, text)
    settings.warnings = _permission_warnings(path)
    _remember_base(path, doc)
    return settings


# --- saving ------------------------------------------------------------------------------

# What this process last read from or wrote to each config file: the base of a
# three-way save, so that edits made by hand (or by another instance) while the
# app runs survive a save of unrelated settings.
_BASES: dict[str, dict[str, Any]] = {}
_MISSING = object()


def _remember_base(path: Path, doc: Mapping[str, Any]) -> None:
    _BASES[str(path.absolute())] = copy.deepcopy(dict(doc))


def _three_way(base: Mapping[str, Any], ours: Mapping[str, Any], disk: Mapping[str, Any]) -> dict:
    """``disk`` with the changes from ``base`` to ``ours`` applied (recursively
    into tables); keys we did not change keep the disk's value."""
    result = copy.deepcopy(dict(disk))
    for name in [*base, *(k for k in ours if k not in base)]:
        before, after = base.get(name, _MISSING), ours.get(name, _MISSING)
        if before == after:
            continue
        if after is _MISSING:
            result.pop(name, None)
        elif (
            isinstance(before, dict)
            and isinstance(after, dict)
            and isinstance(result.get(name), dict)
        ):
            result[name] = _three_way(before, after, result[name])
        else:
            result[name] = copy.deepcopy(after)
    return result


def _profile_document(profile: Profile, old: Mapping[str, Any]) -> dict[str, Any]:
    """The profile's table. Starts from the old table so that key order, the
    cookie style (header string or table) and explicitly written defaults are kept."""
    doc: dict[str, Any] = dict(old)
    for field_name in ("kind", *_STR_FIELDS, *_FLOAT_FIELDS, *_OPTIONAL_STR_FIELDS):
        val = getattr(profile, field_name)
        if val is None:
            doc.pop(field_name, None)
        elif field_name in doc:
            if doc[field_name] != val:
                doc[field_name] = val
        elif val != getattr(_DEFAULTS, field_name) or field_name in ("kind", "base_url"):
            doc[field_name] = val
    if profile.max_tokens is not None:
        doc["max_tokens"] = profile.max_tokens
    else:
        doc.pop("max_tokens", None)
    if profile.headers:
        doc["headers"] = dict(profile.headers)
    else:
        doc.pop("headers", None)
    old_cookies = doc.get("cookies")
    if isinstance(old_cookies, str):
        old_cookies = parse_cookie_header(old_cookies)
    if old_cookies == profile.cookies:
        pass  # unchanged: keep the style the user wrote (header string or table)
    elif profile.cookies:
        doc["cookies"] = dict(profile.cookies)
    else:
        doc.pop("cookies", None)
    return doc


def settings_document(settings: Settings, old: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The TOML document for ``settings``, built on the previous document ``old``."""
    doc: dict[str, Any] = copy.deepcopy(dict(old or {}))
    if settings.default_profile:
        doc["default_profile"] = settings.default_profile
    else:
        doc.pop("default_profile", None)
    ui = dict(doc.get("ui", {}))
    if settings.theme != Settings().theme or "theme" in ui:
        ui["theme"] = settings.theme
    if settings.reasoning != Settings().reasoning or "reasoning" in ui:
        ui["reasoning"] = settings.reasoning
    if ui:
        doc["ui"] = ui
    if settings.keys or "keys" in doc:
        doc["keys"] = dict(settings.keys)
    sync = dict(doc.get("sync", {}))
    for name, val, default in (
        ("remote", settings.sync.remote, ""),
        ("auto", settings.sync.auto, False),
    ):
        if val != default or name in sync:
            sync[name] = val
    if sync:
        doc["sync"] = sync
    old_profiles = doc.get("profiles", {})
    profiles = {
        name: _profile_document(profile, old_profiles.get(name, {}))
        for name, profile in settings.profiles.items()
    }
    if profiles or "profiles" in doc:
        doc["profiles"] = profiles
    # tables after plain keys keeps the file readable and valid
    order = ["default_profile", "ui", "keys", "sync", "profiles"]
    return {name: doc[name] for name in sorted(doc, key=order.index) if name in doc}


def save_settings(paths: Paths, settings: Settings) -> None:
    """Write config.toml atomically (0600 in a 0700 folder), changing only what
    differs from the file on disk. Nothing is written when nothing changed.

    Three-way: compared with what this process last loaded or saved, only the
    settings changed in ``settings`` are written; whatever was edited in the
    file meanwhile (by hand or by another instance) and not changed here is kept.

    Raises :class:`ConfigError` instead of overwriting a file that fails to
    parse or writing settings that would not load back (naming the key), and
    :class:`SaveError` when the write fails.
    """
    path = paths.config_file
    try:
        paths.config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise SaveError(f"cannot create the folder {paths.config_dir}: {exc.strerror}") from exc
    _tighten(paths.config_dir)
    clean_stale_temps(paths.config_dir)
    found = _read_document(path)
    old = found[0] if found else None
    if found:
        settings_from_document(found[0], path, found[1])  # refuse to replace a broken file
    base = _BASES.get(str(path.absolute()))
    if base is None or old is None:
        doc = settings_document(settings, old)
    else:
        doc = _three_way(base, settings_document(settings, base), old)
    # never write a file the next start would refuse (e.g. a default profile
    # that was deleted, a temperature out of range)
    settings_from_document(copy.deepcopy(doc), path)
    if found is not None and doc == old:
        if os.name == "posix":
            os.chmod(path, 0o600)
    else:
        atomic_write(path, tomli_w.dumps(doc).encode("utf-8"), mode=0o600)
    _remember_base(path, doc)
