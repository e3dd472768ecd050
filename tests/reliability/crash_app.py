"""Run the real ``aichat-tui`` command with one simulated bug, for the crash-output
test: creating the HTTP client raises, inside a method whose locals hold the
profile (cookies, API key, proxy password). Usage: ``python -m
tests.reliability.crash_app ARGS...`` (the same arguments as ``aichat-tui``)."""

from __future__ import annotations

import sys

from aichat_tui import client
from aichat_tui.cli import main
from aichat_tui.ui import app as app_module


class BrokenClient(client.ChatClient):
    """A client whose construction fails like a bug would."""

    def __init__(self, profile: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug while creating the client")


if __name__ == "__main__":
    # The app may import ChatClient at module level or when first needed.
    client.ChatClient = BrokenClient  # type: ignore[misc]
    if hasattr(app_module, "ChatClient"):
        app_module.ChatClient = BrokenClient  # type: ignore[misc]
    sys.exit(main(sys.argv[1:]))
