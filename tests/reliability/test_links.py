"""Hostile links in model Markdown, clicked with the mouse in the real app (faults
67-68): nothing opens without a confirmation that shows the real target, and
dangerous schemes are refused outright.

tests/ui/test_injection.py posts LinkClicked for a list of schemes; here the
links are rendered from a streamed reply and really clicked.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from textual.widgets import Markdown

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from aichat_tui.store import Paths
from aichat_tui.ui.screens.link import LinkScreen
from aichat_tui.ui.text import check_link

from .uihelpers import make_app, send, settled, wait_until

# (markdown, the real target, may it be opened after confirmation?)
CASES = [
    (
        "[https://bank.example/login](https://evil.example/steal)",
        "https://evil.example/steal",
        True,
    ),
    ("<https://bare.example/autolink>", "https://bare.example/autolink", True),
    ("[click me](javascript:alert(document.cookie))", "javascript:alert(document.cookie)", False),
    ("[a](JavaScript:alert(1))", "JavaScript:alert(1)", False),
    ("[a](file:///etc/passwd)", "file:///etc/passwd", False),
    ("[a](data:text/html;base64,PHNjcmlwdD4=)", "data:text/html;base64,PHNjcmlwdD4=", False),
    ("[a](ssh://attacker.example/x)", "ssh://attacker.example/x", False),
    ("[a](vscode://file/etc/passwd)", "vscode://file/etc/passwd", False),
    ("[a](ms-msdt:/id%20PCWDiagnostic)", "ms-msdt:/id%20PCWDiagnostic", False),
    ("[a](../../etc/passwd)", "../../etc/passwd", False),
    ("[a](-oProxyCommand=calc)", "-oProxyCommand=calc", False),
    ("[a](https:evil.example)", "https:evil.example", False),
]


async def click_first_link(pilot, app) -> None:
    """Click the first character of the last reply's first paragraph (the link)."""
    markdown = app.workspace.query(Markdown).last()
    paragraph = markdown.children[0]
    await pilot.click(paragraph, offset=(1, 0))


@pytest.mark.parametrize(("source", "target", "allowed"), CASES, ids=[c[1][:24] for c in CASES])
async def test_clicked_link_needs_confirmation_showing_the_real_target(
    source: str,
    target: str,
    allowed: bool,
    app_dirs: Paths,
    loopback: LoopbackServer,
    profile_openai: Profile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    loopback.push(Behaviour(text=f"{source} trailing words"))
    app, _ = make_app(app_dirs, profile_openai)
    # A browser launch is the one thing a test cannot have: record it instead.
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "links please")
        await wait_until(pilot, lambda: settled(app))
        await pilot.pause()
        await click_first_link(pilot, app)
        if not allowed:
            # markdown-it itself does not turn javascript:, file: and data: into
            # links (they stay literal text); the others must reach the dialog,
            # which refuses them.
            for _ in range(10):
                await pilot.pause(0.02)
            if not isinstance(app.screen, LinkScreen):
                assert opened == []
                assert source.split("](")[0][1:] in app.workspace.query(Markdown).last().source
                return
            dialog = app.screen
            assert str(dialog.query_one("#link-target").render()) in (target, unquote(target))
            assert dialog.refusal is not None and not dialog.query("#open")
            await pilot.press("enter")
            await pilot.press("escape")
            await pilot.pause()
            assert opened == []
            return
        await wait_until(pilot, lambda: isinstance(app.screen, LinkScreen), what="the dialog")
        dialog = app.screen
        assert str(dialog.query_one("#link-target").render()) == target  # not the label
        assert opened == []  # nothing opened by the click itself
        assert dialog.refusal is None
        await pilot.press("escape")  # the user says no
        await wait_until(pilot, lambda: not isinstance(app.screen, LinkScreen))
        assert opened == []
        await click_first_link(pilot, app)
        await wait_until(pilot, lambda: isinstance(app.screen, LinkScreen))
        await pilot.click("#open")
        await wait_until(pilot, lambda: opened == [target], what="the confirmed open")
        assert app.is_running


def test_link_checks_resist_obfuscation() -> None:
    for href in (
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "\x00javascript:x",
        "javascript\x1b:x",
        "\u202ehttps://evil",
        "//evil.example/x",
        "mailto",
    ):
        _, refusal = check_link(href)
        assert refusal is not None, href
    for href in ("https://ok.example/a?b#c", "http://127.0.0.1:8080/", "mailto:a@b.example"):
        assert check_link(href) == (href, None)
