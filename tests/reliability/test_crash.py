"""kill -9 of the real app (in a pseudo-terminal) at random moments while it saves
prompts and streams replies, then start again (faults 1, 2, 59 end to end).

The store's own kill tests (tests/store/test_crash.py) kill a worker that calls
the store directly; these kill the whole application, UI and all.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aichat_tui.loopback import LoopbackServer
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.store.partial import SUFFIX

from .helpers import PtyApp, app_args, poll

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty and SIGKILL"),
]

REPLY = "".join(f"w{i:04d} " for i in range(1500))  # 9,000 characters
ROUNDS = 7


@pytest.fixture
def slow_server() -> Iterator[LoopbackServer]:
    """A server dripping REPLY (about 1,000 characters a second)."""
    srv = LoopbackServer(reply=lambda messages: REPLY, chunk_chars=10, chunk_delay=0.01)
    srv.start_in_thread()
    try:
        yield srv
    finally:
        srv.stop_thread()


def snapshot(paths: Paths) -> dict[str, dict[str, tuple[str, str, str | None]]]:
    """Every conversation as {conv id: {message id: (role, content, status)}},
    read by a fresh store after recovery."""
    store = ConversationStore(paths)
    store.recover()
    assert store.problems == [], store.problems
    result = {}
    for summary in store.list():
        conv = store.load(summary.id)
        assert summary.message_count == len(conv.messages)
        result[conv.id] = {m.id: (m.role, m.content, m.status) for m in conv.messages}
    assert store.problems == []
    return result


def test_kill_9_of_the_app_while_saving_and_streaming_loses_nothing(
    tmp_path: Path, slow_server: LoopbackServer
) -> None:
    paths = Paths.resolve(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    paths.ensure()
    rng = random.Random(4242)
    before = snapshot(paths)
    interrupted = 0
    for round_ in range(ROUNDS):
        prompt = f"prompt-{round_}"
        app = PtyApp(app_args(paths, slow_server.openai_url))
        try:
            app.wait_output(b"Message", 30)
            app.type_prompt(prompt)
            # early kills land around the prompt's save, later ones mid-stream
            time.sleep(rng.choice([0.0, 0.05, 0.2]) if round_ % 3 == 0 else rng.uniform(1.2, 3))
            app.kill()
        finally:
            app.close()

        after = snapshot(paths)
        # Every file parses (snapshot), no sidecar is left after recovery, and
        # nothing that was on disk before this round is lost or shortened.
        assert not [n for n in os.listdir(paths.conversations_dir) if n.endswith(SUFFIX)]
        for conv_id, messages in before.items():
            for message_id, (role, content, _status) in messages.items():
                assert message_id in after[conv_id], "a stored message was lost"
                new_role, new_content, _ = after[conv_id][message_id]
                assert new_role == role and new_content.startswith(content)
        for messages in after.values():
            for role, content, status in messages.values():
                if role == "user":
                    assert content.startswith("prompt-")
                else:
                    # a reply is a prefix of what was sent, marked unless whole
                    assert REPLY.startswith(content)
                    assert status == "complete" if content == REPLY else status == "interrupted"
        new = [
            (role, content, status)
            for conv_id, messages in after.items()
            for mid, (role, content, status) in messages.items()
            if mid not in before.get(conv_id, {})
        ]
        if any(role == "assistant" and status == "interrupted" for role, _, status in new):
            interrupted += 1
        before = after
    assert interrupted >= 2, "too few kills landed mid-stream to test recovery"


def test_restarted_app_shows_the_recovered_reply_as_interrupted(
    tmp_path: Path, slow_server: LoopbackServer
) -> None:
    paths = Paths.resolve(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    paths.ensure()
    app = PtyApp(app_args(paths, slow_server.openai_url))
    try:
        app.wait_output(b"Message", 30)
        app.type_prompt("tell me everything")
        app.wait_output(b"w0300", 30)  # mid-stream, and the sidecar has been written
        poll(
            lambda: any(n.endswith(SUFFIX) for n in os.listdir(paths.conversations_dir)),
            10,
            "the partial-reply sidecar",
        )
        app.kill()
    finally:
        app.close()

    again = PtyApp(app_args(paths, slow_server.openai_url))
    try:
        again.wait_output(b"Recovered 1 unfinished", 30)
        again.wait_output(b"interrupted", 30)
        assert again.quit() == 0
    finally:
        again.close()
    store = ConversationStore(paths)
    [summary] = store.list()
    messages = store.load(summary.id).messages
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[0].content == "tell me everything"
    assert messages[1].status == "interrupted"
    assert messages[1].content and REPLY.startswith(messages[1].content)
