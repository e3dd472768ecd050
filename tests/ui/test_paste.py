"""Bracketed pastes arrive as ONE insertion, in order, without control sequences.

Unit tests drive :class:`PasteParser` with the byte splits a terminal read can
produce; a Pilot test covers the composer; a pseudo-terminal test runs the real
app and writes a paste full of escape sequences into the terminal, as a
terminal emulator does.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import textwrap
import threading
from pathlib import Path

from textual import events

from aichat_tui.loopback import Behaviour
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.ui.paste import PasteParser
from aichat_tui.ui.textual_compat import expire_parser_timeout

from .helpers import make_app, wait_until
from .test_pty import _read_until

START, END = "\x1b[200~", "\x1b[201~"
HOSTILE = "one \x1b[31mred\x1b[0m \x1b]0;title\x07two\r\nthree\x1b[A\x1bOP\tfour\x00"
CLEAN = "one red two\nthreeP\tfour"


def _parse(chunks: list[str], parser: PasteParser | None = None) -> list[tuple[str, str]]:
    parser = parser or PasteParser()
    out = [event for chunk in chunks for event in parser.feed(chunk)]
    out += list(parser.feed(""))
    return [
        ("paste", e.text) if isinstance(e, events.Paste) else ("key", e.key)
        for e in out
        if isinstance(e, events.Paste | events.Key)
    ]


def test_paste_is_one_event_between_the_keys_around_it():
    data = f"ab{START}{HOSTILE}{END}cd\x1b[A"
    expected = [("key", "a"), ("key", "b"), ("paste", CLEAN), ("key", "c"), ("key", "d")]
    expected.append(("key", "up"))
    assert _parse([data]) == expected
    # Whatever the read boundaries: one character at a time, and every two-way split.
    assert _parse(list(data)) == expected
    for cut in range(1, len(data)):
        assert _parse([data[:cut], data[cut:]]) == expected, cut


def test_large_paste_of_escape_sequences_is_a_single_event():
    body = "\x1b[1mQ\x1b[0m\x1b" * 40_000  # ~400 KB, every few bytes an ESC
    data = START + body + END
    chunks = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    assert _parse(chunks) == [("paste", "Q" * 40_000)]


def test_lone_escape_held_at_a_read_boundary_is_delivered_by_tick():
    parser = PasteParser()
    assert [e.key for e in parser.feed("x\x1b")] == ["x"]
    # "\x1b" could begin a paste marker: it waits, then tick() delivers the Escape key.
    parser._held_since = 0.0  # as if the escape delay had passed
    expire_parser_timeout(parser)
    keys = [e.key for e in parser.tick() if isinstance(e, events.Key)]
    keys += [e.key for e in parser.tick() if isinstance(e, events.Key)]
    assert keys == ["escape"]


def test_unfinished_paste_at_end_of_input_is_still_delivered():
    assert _parse([START + "abc" + "\x1b[20"]) == [("paste", "abc")]


async def test_composer_paste_is_one_clean_insertion(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = app.workspace.composer
        composer.focus()
        await pilot.press("a", "b")
        app.post_message(events.Paste(HOSTILE))
        await pilot.press("c")
        await wait_until(pilot, lambda: composer.text.endswith("c"), what="typing")
        assert composer.text == "ab" + CLEAN + "c"
        await pilot.press("ctrl+z")  # one insertion: one undo takes all of it back
        await pilot.press("ctrl+z")
        assert CLEAN not in composer.text


CHILD = textwrap.dedent(
    """
    import sys
    from aichat_tui.loopback import LoopbackServer
    from aichat_tui.models import Profile, Settings
    from aichat_tui.store import Paths
    from aichat_tui.ui.app import AichatApp

    server = LoopbackServer(reply=lambda messages: "reply-done", chunk_chars=4)
    server.start_in_thread()
    root = sys.argv[1]
    paths = Paths.resolve(config_dir=root + "/config", data_dir=root + "/data")
    profile = Profile(name="t", kind="openai", base_url=server.openai_url, proxy="")
    settings = Settings(profiles={"t": profile}, default_profile="t")
    AichatApp(paths=paths, settings=settings).run()
    server.stop_thread()
    """
)


def test_real_terminal_paste_with_escapes_is_inserted_whole_and_in_order(tmp_path: Path):
    """~200 KB of pasted terminal output, ESC every few bytes, typed between two keys."""
    body = "".join(f"\x1b[3{i % 8}mline {i}\x1b[0m\x1b[K\r\n" for i in range(8000))
    expected_body = "".join(f"line {i}\n" for i in range(8000))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("TEXTUAL", None)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    os.close(slave)
    out = bytearray()
    writer: threading.Thread | None = None
    try:
        assert _read_until(master, b"Enter sends", out, 60), out[-2000:]
        # Written from a thread: the app's output must keep being read meanwhile.
        payload = ("before " + START + body + END + " after").encode()
        writer = threading.Thread(target=os.write, args=(master, payload), daemon=True)
        writer.start()
        assert _read_until(master, b"after", out, 120), out[-2000:]
        writer.join(60)
        os.write(master, b"\r")
        assert _read_until(master, b"reply-done", out, 60), out[-2000:]
        os.write(master, b"\x11")  # ctrl+q
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    paths = Paths.resolve(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    store = ConversationStore(paths)
    [summary] = store.list()
    conv = store.load(summary.id)
    assert conv.messages[0].content == "before " + expected_body + " after"
    assert conv.messages[1].content == "reply-done"


async def test_pasted_escape_text_is_sent_as_shown(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text="ok"))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.focus()
        app.post_message(events.Paste(HOSTILE))
        await wait_until(pilot, lambda: ws.composer.text == CLEAN, what="paste")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.replies and ws.conv.messages[-1].status)
        assert loopback.requests[-1].json()["messages"][-1]["content"] == CLEAN


BIG = "".join(
    f"{i:07d} plain pasted text, a line of a log file or of source code\n" for i in range(80_000)
)


async def test_huge_paste_is_held_as_one_token_and_sent_whole(loopback, profile_openai, app_dirs):
    """5 MB: the editor shows a token (TextArea's work grows with the document); Enter
    sends and saves every byte; the transcript shows the beginning of it."""
    loopback.push(Behaviour(text="got it"))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.focus()
        await pilot.press("a", "space")
        app.post_message(events.Paste(BIG))
        await pilot.press("space", "z")
        await wait_until(pilot, lambda: ws.composer.text.endswith(" z"), what="paste and keys")
        assert ws.composer.text.startswith("a [pasted text #1: 80,001 lines, 5.")
        assert ws.composer.document.line_count == 1
        assert ws.composer.full_text == "a " + BIG + " z"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.replies and ws.conv.messages[-1].status)
        assert loopback.requests[-1].json()["messages"][-1]["content"] == "a " + BIG + " z"
        assert app.store.load(ws.conv.id).messages[0].content == "a " + BIG + " z"
        view = ws.transcript.view_for(ws.conv.messages[0].id)
        shown = str(view.query_one(".body").render())
        assert len(shown) < 25_000 and "sent and saved in full" in shown
        # Editing that prompt again puts the token back, not 5 MB, in the editor.
        await pilot.press("up")
        await wait_until(pilot, lambda: ws.composer.text.startswith("["), what="recall")
        assert ws.composer.full_text == "a " + BIG + " z"
