"""Helpers for driving the real AichatApp with Pilot in the reliability tests."""

from __future__ import annotations

from aichat_tui.models import Profile, Settings
from aichat_tui.store import Paths
from aichat_tui.ui.app import AichatApp


class Notices(list):
    """Every notification the app showed, as (message, severity)."""

    def text(self) -> str:
        """All messages joined by newlines."""
        return "\n".join(message for message, _ in self)

    def errors(self) -> list[str]:
        """The messages shown with severity ``error``."""
        return [message for message, severity in self if severity == "error"]


def make_app(paths: Paths, profile: Profile | None) -> tuple[AichatApp, Notices]:
    """The app on real folders with ``profile`` as its default, and a record of
    every notification it shows (the real notify still runs)."""
    settings = Settings()
    if profile is not None:
        settings = Settings(profiles={profile.name: profile}, default_profile=profile.name)
    app = AichatApp(paths=paths, settings=settings)
    notices = Notices()
    real_notify = app.notify

    def notify(message: str, *args: object, **kwargs: object) -> None:
        notices.append((str(message), kwargs.get("severity", "information")))
        real_notify(message, *args, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return app, notices


async def send(pilot, app: AichatApp, text: str) -> None:
    """Type ``text`` into the composer and press Enter."""
    composer = app.workspace.composer
    composer.focus()
    composer.text = text
    await pilot.press("enter")


async def wait_until(pilot, condition, timeout: float = 60.0, what: str = "condition") -> None:
    """Poll ``condition`` while the app runs; fail after ``timeout`` seconds."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def settled(app: AichatApp) -> bool:
    """No reply is streaming, the shown conversation's last message has a status and
    the screen has finished showing it."""
    conv = app.workspace.conv
    return (
        not app.replies
        and conv is not None
        and bool(conv.messages[-1].status)
        and not app.workspace.transcript.streaming()
    )
