"""Options shared by several commands, and turning them into paths, settings and a
profile (the chosen one with this run's endpoint overrides applied)."""

from __future__ import annotations

import argparse
import dataclasses
import os
from typing import Any
from urllib.parse import urlsplit

from aichat_tui.commands import EXIT_CONFIG, EXIT_USAGE, CliError, wrap
from aichat_tui.models import BACKEND_KINDS, Profile, Settings

# Every secret seen while this process runs, so that any error text or --debug
# traceback can be scrubbed before it is printed.
SECRETS: set[str] = set()

CLI_PROFILE_NAME = "command-line"


def add_location_options(parser: argparse.ArgumentParser, *, nested: bool) -> None:
    """``--config-dir``, ``--data-dir`` and ``--debug``.

    On a subcommand (``nested``) the defaults are suppressed, so a value given before
    the subcommand is not reset by the subcommand's parser.
    """
    default: Any = argparse.SUPPRESS if nested else None
    parser.add_argument(
        "--config-dir",
        metavar="DIR",
        default=default,
        help="folder holding config.toml (default: $AICHAT_TUI_CONFIG_DIR or the platform's)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="folder holding conversations (default: $AICHAT_TUI_DATA_DIR or the platform's)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if nested else False,
        help="on an unexpected error, print the traceback (secrets scrubbed)",
    )


def add_endpoint_options(parser: argparse.ArgumentParser, *, nested: bool) -> None:
    """``--profile`` and the one-off endpoint overrides (``--kind`` ... ``--api-key-env``)."""
    default: Any = argparse.SUPPRESS if nested else None
    group = parser.add_argument_group(
        "endpoint",
        wrap(
            "Use a profile from config.toml and override parts of it for this run only. "
            "The chosen profile's cookies and API key are not sent when --base-url "
            "points at another host."
        ),
    )
    group.add_argument(
        "--profile", metavar="NAME", default=default, help="profile to use (default: the default)"
    )
    group.add_argument(
        "--kind", choices=BACKEND_KINDS, default=default, help="backend protocol (default: openai)"
    )
    group.add_argument("--base-url", metavar="URL", default=default, help="backend base URL")
    group.add_argument("--model", metavar="NAME", default=default, help="model name")
    group.add_argument(
        "--cookie",
        metavar="'K=V; K2=V2'",
        default=default,
        help="cookies for the aichat backend, as a Cookie header (other local users can "
        "see arguments in `ps`: prefer storing cookies in a profile)",
    )
    group.add_argument(
        "--proxy",
        metavar="URL",
        default=default,
        help="http://, socks5:// or socks5h:// proxy URL; '' for no proxy at all",
    )
    group.add_argument(
        "--api-key-env",
        metavar="NAME",
        default=default,
        help="environment variable holding the API key (a key is never taken as an argument)",
    )


def resolve_paths(args: argparse.Namespace) -> Any:
    """The app's folders: ``--config-dir``/``--data-dir`` > environment > platform."""
    from aichat_tui.store import Paths

    return Paths.resolve(
        config_dir=getattr(args, "config_dir", None), data_dir=getattr(args, "data_dir", None)
    )


def read_settings(paths: Any) -> Settings:
    """``config.toml`` as Settings; a broken file is one clear line and exit code 3."""
    from aichat_tui.store import ConfigError, load_settings

    try:
        settings = load_settings(paths)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from exc
    for profile in settings.profiles.values():
        SECRETS.update(profile.secrets())
    return settings


def has_endpoint_overrides(args: argparse.Namespace) -> bool:
    """Whether any one-off endpoint option was given."""
    names = ("kind", "base_url", "model", "cookie", "proxy", "api_key_env")
    return any(getattr(args, name, None) is not None for name in names)


def _origin(url: str) -> tuple[str, str, int | None]:
    try:
        parts = urlsplit(url)
        return (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port)
    except ValueError:
        return ("", url, None)


def chosen_profile(
    settings: Settings, args: argparse.Namespace, config_file: Any
) -> Profile | None:
    """The profile named by ``--profile``, else the default one (None when none exist)."""
    name = getattr(args, "profile", None)
    if name is None:
        return settings.profile()
    found = settings.profile(name)
    if found is None:
        known = ", ".join(sorted(settings.profiles)) or "none"
        raise CliError(
            f"no profile named {name!r} in {config_file} (profiles: {known})", EXIT_USAGE
        )
    return found


def build_profile(
    settings: Settings, args: argparse.Namespace, config_file: Any, *, required: bool
) -> Profile | None:
    """The chosen profile with this run's overrides applied.

    Returns None only when nothing is configured, nothing was given and ``required``
    is false (the workspace then shows its own first-run configuration).
    """
    base = chosen_profile(settings, args, config_file)
    if not has_endpoint_overrides(args):
        if base is None and required:
            raise CliError(
                f"no profile configured: add one to {config_file} (or in the workspace's "
                "config screen), pass --base-url URL, or try `aichat-tui --demo`",
                EXIT_CONFIG,
            )
        return base
    base_url = getattr(args, "base_url", None)
    if base is None:
        if base_url is None:
            raise CliError(
                f"no profile configured and no --base-url given: add a profile to "
                f"{config_file}, pass --base-url URL, or try `aichat-tui --demo`",
                EXIT_CONFIG,
            )
        base = Profile(name=CLI_PROFILE_NAME, kind="openai", base_url=base_url, cookies={})
    changes: dict[str, Any] = {}
    if base_url is not None:
        if not urlsplit(base_url).scheme.startswith("http") or not urlsplit(base_url).hostname:
            raise CliError(
                f"--base-url must be an http:// or https:// URL, not {base_url!r}", EXIT_USAGE
            )
        if _origin(base_url) != _origin(base.base_url):
            # Never hand the profile's credentials to a different host.
            changes.update(cookies={}, api_key=None, api_key_env=None)
        changes["base_url"] = base_url
    if getattr(args, "kind", None) is not None:
        changes["kind"] = args.kind
    if getattr(args, "model", None) is not None:
        changes["model"] = args.model
    if getattr(args, "cookie", None) is not None:
        from aichat_tui.store import parse_cookie_header

        try:
            cookies = parse_cookie_header(args.cookie)
        except ValueError as exc:
            raise CliError(f"--cookie: {exc}", EXIT_USAGE) from exc
        if not cookies:
            raise CliError("--cookie holds no name=value pair", EXIT_USAGE)
        changes["cookies"] = cookies
    if getattr(args, "proxy", None) is not None:
        changes["proxy"] = args.proxy
    if getattr(args, "api_key_env", None) is not None:
        name = args.api_key_env
        if not os.environ.get(name):
            raise CliError(f"--api-key-env: environment variable {name} is not set", EXIT_CONFIG)
        changes.update(api_key=None, api_key_env=name)
    profile = dataclasses.replace(base, **changes)
    SECRETS.update(profile.secrets())
    return profile
