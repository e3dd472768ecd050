"""The original ``Aichat`` provider, with cookies from the stored settings.

:class:`aichat_tui.client.Aichat` takes its cookies from the caller only: the
client layer reads no configuration. This module sits above the client and the
store (like ``commands``) and joins them: when no ``cookies`` are passed, the
aichat profile for the same base URL in ``config.toml`` supplies them.
"""

from __future__ import annotations

from aichat_tui.client.aichat import Aichat as _ClientAichat
from aichat_tui.store import Paths, load_settings

__all__ = ["Aichat", "stored_cookies"]


def stored_cookies(base_url: str) -> dict[str, str]:
    """Cookies of a stored aichat profile for ``base_url`` ({} if none or unreadable)."""
    try:
        settings = load_settings(Paths.resolve())
    except Exception:  # an unreadable config is "no cookies": the caller says what is missing
        return {}
    want = base_url.rstrip("/")
    for profile in settings.profiles.values():
        if profile.kind == "aichat" and profile.base_url.rstrip("/") == want and profile.cookies:
            return dict(profile.cookies)
    return {}


class Aichat(_ClientAichat):
    """``await Aichat.create_async(model, messages)``; cookies default to the stored ones."""

    cookie_source = staticmethod(stored_cookies)
