"""Untrusted text (replies, titles, errors) is never markup, actions or raw escapes."""

from __future__ import annotations

from textual.widgets import Markdown

from aichat_tui.loopback import Behaviour
from aichat_tui.ui.screens.link import LinkScreen

from .helpers import make_app, rendered_segments_text, screen_text, settled, wait_until

MARKUP = "[@click=app.quit]x[/] and [/] and [bold]b and [type=x, v={'a[0]'}] [0] [link=https://e]"
ESCAPES = (
    "\x1b]52;c;SGVsbG8=\x07 \x1b]0;pwned\x07 \x1b]8;;https://evil\x1b\\l\x1b]8;;\x1b\\ "
    "\x1b[2J\x1b[H \x9b31m \x00\x7f \u202eevil"
)
REPLY = f"{MARKUP}\n\n{ESCAPES}\n\nend of reply"
CONTROL = ("\x1b", "\x9b", "\x9d", "\x07", "\x00", "\x7f", "\u202e")


async def _send(pilot, app, text: str) -> None:
    app.workspace.composer.focus()
    app.workspace.composer.text = text
    await pilot.press("enter")


async def test_reply_markup_and_escapes_are_inert(loopback, profile_openai, app_dirs):
    # Small chunks so escape sequences are split across chunks.
    loopback.push(Behaviour(text=REPLY, chunk_chars=3))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, MARKUP)  # as a prompt too, and so as the title
        await wait_until(pilot, lambda: settled(app))
        reply = ws.conv.messages[-1]
        assert reply.status == "complete"
        assert reply.content == REPLY  # stored as received
        view = ws.transcript.view_for(reply.id)
        await wait_until(pilot, lambda: "end of reply" in view.text)
        assert MARKUP in view.text
        assert not any(c in view.text for c in CONTROL)
        assert "evil" in view.text  # bidi override removed, text kept
        user_view = ws.transcript.view_for(ws.conv.messages[0].id)
        assert user_view.text == MARKUP
        # The title and sidebar show the markup literally.
        assert ws.conv.title.startswith("[@click=app.quit]x[/]")
        assert "[@click=app.quit]x[/]" in str(ws.query_one("#header-title").render())
        assert "[@click=app.quit]x[/]" in ws.sessions.get_option_at_index(0).prompt.plain
        frame = rendered_segments_text(app)
        assert not any(c in frame for c in CONTROL)
        assert "[@click=app.quit]x[/]" in screen_text(app)
        # Clicking the literal text runs no action.
        await pilot.click(view, offset=(3, 1))
        await pilot.click(user_view, offset=(3, 1))
        await pilot.pause()
        assert app.is_running
        # Copy strips control sequences too.
        await pilot.press("ctrl+y")
        assert app.clipboard.startswith(MARKUP)
        assert not any(c in app.clipboard for c in CONTROL)


async def test_error_text_with_markup_is_shown_literally(loopback, profile_openai, app_dirs):
    loopback.push(
        Behaviour(status=400, body='{"error": {"message": "[/] boom [@click=app.quit]q[/]"}}')
    )
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "hi")
        await wait_until(pilot, lambda: settled(app))
        assert ws.conv.messages[-1].status == "error"
        assert app.is_running
        assert "\x1b" not in rendered_segments_text(app)


async def _click_link(pilot, app, href: str) -> LinkScreen:
    markdown = app.workspace.query(Markdown).last()
    markdown.post_message(Markdown.LinkClicked(markdown, href))
    await wait_until(pilot, lambda: isinstance(app.screen, LinkScreen), what="link dialog")
    screen = app.screen

    def laid_out() -> bool:
        # A click lands where the widget IS: wait for the dialog's layout, not a pause.
        targets = screen.query("#link-target")
        return bool(targets) and targets.first().region.width > 0

    await wait_until(pilot, laid_out, what="link dialog laid out")
    return screen


async def test_links_need_confirmation_and_allow_list(
    loopback, profile_openai, app_dirs, monkeypatch
):
    opened: list[str] = []
    loopback.push(
        Behaviour(text="[https://bank.example](https://evil.example/x) [a](javascript:alert(1))")
    )
    app = make_app(app_dirs, profile_openai)
    # Opening a browser is the one thing a test cannot have; record it instead.
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(120, 40)) as pilot:
        await _send(pilot, app, "links")
        await wait_until(pilot, lambda: settled(app))
        for bad in (
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,x",
            "ssh://h",
            "vscode://x",
            "ms-msdt:/id",
            "../relative",
            "-oProxyCommand=x",
            "https://e.example/\x1b]8;;x\x07",
        ):
            screen = await _click_link(pilot, app, bad)
            assert screen.refusal is not None
            assert not screen.query("#open")
            assert "\x1b" not in screen.query_one("#link-target").render().plain
            await pilot.press("escape")
        screen = await _click_link(pilot, app, "https://evil.example/x")
        assert screen.query_one("#link-target").render().plain == "https://evil.example/x"
        await pilot.press("escape")  # cancel: nothing opens
        assert opened == []
        screen = await _click_link(pilot, app, "https://evil.example/x")
        await pilot.click("#open")
        await wait_until(pilot, lambda: opened == ["https://evil.example/x"])
        assert app.is_running
