"""Thinking, endings and usage in the workspace (issue 11), with Pilot: a server
that streams thinking, waits until the test has seen it, then answers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aichat_tui.loopback import Behaviour
from aichat_tui.models import Profile
from aichat_tui.ui.widgets.message_view import MessageView
from aichat_tui.ui.widgets.thinking import ThinkingBlock
from tests.client.helpers import tcp_server

from .helpers import make_app, screen_text, wait_until

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _event(delta: dict, finish: str | None = None) -> bytes:
    chunk = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _thinking_server(answer_now: asyncio.Event):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
        )
        writer.write(_event({"role": "assistant", "reasoning_content": "Let me weigh "}))
        writer.write(_event({"reasoning_content": "the options carefully."}))
        await writer.drain()
        await answer_now.wait()
        writer.write(_event({"content": "The answer is 42."}))
        writer.write(_event({}, "stop"))
        chunk = {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 9}}
        writer.write(b"data: " + json.dumps(chunk).encode() + b"\n\ndata: [DONE]\n\n")
        await writer.drain()
        writer.close()

    return handler


async def _send(pilot, app, text: str) -> None:
    composer = app.workspace.composer
    composer.focus()
    composer.text = text
    await pilot.press("enter")


def _block(app) -> ThinkingBlock | None:
    views = list(app.workspace.transcript.query(MessageView))
    return views[-1].thinking() if views else None


async def test_thinking_streams_open_then_folds_when_the_answer_starts(app_dirs):
    answer_now = asyncio.Event()
    async with tcp_server(_thinking_server(answer_now)) as port:
        profile = Profile(
            name="think", kind="openai", base_url=f"http://127.0.0.1:{port}/v1", proxy=""
        )
        app = make_app(app_dirs, profile)
        async with app.run_test(size=(80, 24)) as pilot:
            await _send(pilot, app, "hard question")
            await wait_until(
                pilot,
                lambda: (b := _block(app)) is not None and b.text.endswith("carefully."),
                what="thinking shown live",
            )
            block = _block(app)
            assert block is not None and block.expanded and block.live and block.display
            await wait_until(
                pilot,
                lambda: (
                    "Thinking… · 35 chars" in screen_text(app)
                    and "the options carefully." in screen_text(app)
                ),
                what="thinking drawn while it streams",
            )
            answer_now.set()
            await wait_until(pilot, lambda: not app.replies, what="reply done")
            assert not block.expanded and not block.live
            await wait_until(
                pilot,
                lambda: "7 → 9 tokens" in screen_text(app) and "42." in screen_text(app),
                what="answer and usage line drawn",
            )
            text = screen_text(app)
            assert "▸ Thinking · 35 chars · " in text and " s" in text
            assert "the options carefully." not in text  # folded
            assert "The answer is 42." in text
            assert "7 → 9 tokens" in text  # the quiet usage line
            await pilot.press("alt+t")  # the toggle key opens it again
            assert block.expanded
            await wait_until(
                pilot, lambda: "the options carefully." in screen_text(app), what="reopened"
            )
            saved = app.store.load(app.workspace.conv.id).messages[-1]
            assert saved.reasoning == "Let me weigh the options carefully."
            assert saved.finish_reason == "stop" and saved.usage is not None


async def test_truncated_thinking_only_reply_says_so(loopback, profile_openai, app_dirs):
    """Issue 11: an empty reply saved and shown as 'complete'."""
    body = (FIXTURES / "real_servers" / "llamacpp-reasoning-deepseek.sse").read_bytes()
    loopback.push(Behaviour(body=body, content_type="text/event-stream", body_chunk=200))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        await _send(pilot, app, "think")
        await wait_until(pilot, lambda: not app.replies, what="reply done")
        await wait_until(pilot, lambda: "raise max_tokens" in screen_text(app), what="hint")
        text = screen_text(app)
        assert "truncated" in text
        assert "raise max_tokens" in text
        message = app.workspace.conv.messages[-1]
        assert message.finish_reason == "length" and message.content == ""
        block = _block(app)
        assert block is not None and block.expanded  # nothing else to show: left open


async def test_hidden_setting_shows_no_thinking(loopback, profile_openai, app_dirs):
    body = (FIXTURES / "documented_shapes" / "vllm-reasoning.sse").read_bytes()
    loopback.push(Behaviour(body=body, content_type="text/event-stream"))
    app = make_app(app_dirs, profile_openai)
    app.settings.reasoning = "hidden"
    async with app.run_test(size=(80, 24)) as pilot:
        await _send(pilot, app, "hi")
        await wait_until(pilot, lambda: not app.replies, what="reply done")
        await wait_until(pilot, lambda: "Hello there!" in screen_text(app), what="answer")
        assert "Thinking" not in screen_text(app)
        assert app.workspace.conv.messages[-1].reasoning  # still saved


async def test_the_toggle_key_is_listed_in_help(loopback, profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(100, 40)) as pilot:
        from aichat_tui.ui.screens.help import collect_bindings

        rows = collect_bindings(app.workspace)
        assert any("workspace.toggle_thinking" in str(row) for row in rows)
        await pilot.pause()


async def test_session_max_tokens_reaches_the_server(loopback, profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        await _send(pilot, app, "first")
        await wait_until(pilot, lambda: not app.replies, what="reply done")
        assert "max_tokens" not in loopback.requests[-1].json()
        app.workspace.conv.max_tokens = 77  # what the session settings screen sets
        await _send(pilot, app, "second")
        await wait_until(pilot, lambda: not app.replies, what="reply done")
        assert loopback.requests[-1].json()["max_tokens"] == 77
        assert app.store.load(app.workspace.conv.id).max_tokens == 77
