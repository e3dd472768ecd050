"""Run the real ``aichat-tui`` command with one simulated bug, for the crash-output
test: sending a prompt raises, inside a method whose locals hold the profile
(cookies, API key, proxy password). Usage: ``python -m
tests.reliability.crash_app ARGS...`` (the same arguments as ``aichat-tui``)."""

from __future__ import annotations

import sys

from aichat_tui.cli import main
from aichat_tui.engine import ChatEngine


def broken_send(self: ChatEngine, conv: object, text: str, profile: object, **kwargs: object):
    """Fails like a bug would, with the profile among its locals."""
    secrets = profile.secrets()  # type: ignore[attr-defined]  # noqa: F841 (in the frame)
    raise RuntimeError("simulated bug while sending")


if __name__ == "__main__":
    # The workspace sends through the engine's send(), called in a message handler.
    ChatEngine.send = broken_send  # type: ignore[method-assign]
    sys.exit(main(sys.argv[1:]))
