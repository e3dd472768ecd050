"""Hostile replies through the real app in a real pseudo-terminal: every byte the app
writes to the terminal is captured and checked (faults 63-65, 69, 58 for the UI).

A benign run is the baseline: whatever sequences Textual itself writes (cursor
moves, colours, its pointer-shape OSC 22) are allowed; a sequence or payload that
only the hostile reply could have produced must never appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from aichat_tui.loopback import LoopbackServer
from aichat_tui.store import Paths

from .helpers import PtyApp, app_args, last_status, only_conversation, poll

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pty")

MARKUP = "[@click=app.quit]x[/] and [/] and [bold]b and [type=x, v={'a[0]'}] [0] [link=https://e]"
ESCAPES = (
    "\x1b]52;c;SGVsbG8=\x07"  # OSC 52: write the clipboard
    " \x1b]0;pwned-title\x07 \x1b]2;pwned-window\x1b\\"  # OSC 0/2: set the title
    " \x1b]8;;https://osc8.example/\x1b\\label\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    " \x1b[2J\x1b[H\x1b[5;5H"  # clear screen, cursor moves
    " \x9b31mC1-CSI"  # 8-bit CSI
    " \x90qDCS-payload\x1b\\"  # DCS
    " NUL\x00DEL\x7f"
    " \u202eevil-bidi\u202c"  # right-to-left override
)
LINKS = "[https://bank.example](https://phish.example/x) <https://bare.example/y>"
HOSTILE = f"VISIBLE-START\n\n{MARKUP}\n\n{ESCAPES}\n\n{LINKS}\n\nENDMARK-7Q"
BENIGN = "VISIBLE-START\n\nplain words and a [link](https://ok.example/)\n\nENDMARK-7Q"
# Strings that only exist inside the hostile control sequences: stripping removes
# the whole sequence, so none of them may reach the terminal.
PAYLOAD_ONLY = [
    "SGVsbG8",
    "pwned-title",
    "pwned-window",
    "osc8.example",
    "DCS-payload",
    "phish.example",
]

CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")
OSC = re.compile(rb"\x1b\](\d*)[;]?([^\x07\x1b]*)(?:\x07|\x1b\\)")


def sequence_kinds(data: bytes) -> set[str]:
    """The kinds of control sequences in ``data``: 'OSC n', 'CSI <final>' with
    'CSI 2J' kept apart, and any other 'ESC x'."""
    kinds = {f"OSC {m.group(1).decode()}" for m in OSC.finditer(data)}
    for m in CSI.finditer(data):
        seq = m.group()
        kinds.add("CSI 2J" if seq == b"\x1b[2J" else f"CSI {chr(seq[-1])}")
    rest = CSI.sub(b"", OSC.sub(b"", data))
    kinds |= {f"ESC {rest[i + 1 : i + 2]!r}" for i in range(len(rest)) if rest[i] == 0x1B}
    return kinds


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A loopback server whose reply is set per test in ``server.reply_text``."""
    srv = LoopbackServer(chunk_chars=5)
    srv.reply_text = BENIGN  # type: ignore[attr-defined]
    srv.reply = lambda messages: srv.reply_text  # type: ignore[attr-defined]
    srv.start_in_thread()
    try:
        yield srv
    finally:
        srv.stop_thread()


def run_once(
    root: Path, server: LoopbackServer, reply: str, prompt: str = "hello"
) -> tuple[bytes, int, Paths]:
    """Start the app, send ``prompt``, wait until ``reply`` is saved and shown, quit."""
    paths = Paths.resolve(config_dir=root / "config", data_dir=root / "data")
    paths.ensure()
    server.reply_text = reply  # type: ignore[attr-defined]
    app = PtyApp(app_args(paths, server.openai_url))
    try:
        app.wait_output(b"Message", 30)
        app.type_prompt(prompt)
        poll(lambda: last_status(paths) == "complete", 60, "the reply to be saved")
        app.wait_output(b"ENDMARK-7Q", 60)
        code = app.quit()
    finally:
        app.close()
    return app.captured(), code, paths


def test_hostile_reply_reaches_the_terminal_only_as_literal_text(
    tmp_path: Path, server: LoopbackServer
) -> None:
    baseline, code, _ = run_once(tmp_path / "benign", server, BENIGN)
    assert code == 0
    allowed = sequence_kinds(baseline)
    prompt = "[@click=app.quit]x[/] title [bold]"
    hostile, code, paths = run_once(tmp_path / "hostile", server, HOSTILE, prompt)
    assert code == 0, "the app must exit normally after a hostile reply"
    conv = only_conversation(paths)
    assert conv is not None and conv.messages[-1].content == HOSTILE  # stored as received

    unexpected = sequence_kinds(hostile) - allowed
    assert not unexpected, f"control sequences only the hostile reply could cause: {unexpected}"
    for marker in (b"\x1b]52", b"\x1b]0;", b"\x1b]2;", b"\x1b]8;", b"\x1bP", b"\x1b[5;5H"):
        assert marker not in hostile, marker
    text = hostile.decode("utf-8", errors="replace")
    c1 = [hex(ord(ch)) for ch in text if 0x80 <= ord(ch) <= 0x9F]
    assert not c1, f"C1 controls reached the terminal: {c1}"
    for char in ("\x00", "\x7f", "\u202e", "\u202c"):
        assert char not in text, repr(char)
    for payload in PAYLOAD_ONLY:
        assert payload not in text, payload
    # ...and what is text stays visible, literally.
    assert "VISIBLE-START" in text
    assert "[@click=app.quit]x[/] and [/] and [bold]b" in text
    assert "evil-bidi" in text and "C1-CSI" in text and "NULDEL" in text
    assert "https://bank.example" in text  # a link label is text; its target is not shown raw
    assert "[@click=app.quit]x[/] title" in text  # the prompt, the title and the sidebar


def test_nul_and_a_1_mb_single_line_keep_the_app_alive(
    tmp_path: Path, server: LoopbackServer
) -> None:
    line = ("0123456789abcdef" * 65536)[:1_000_000]
    nuls = "\x00" * 16
    reply = f"{line}\n\nstart{nuls}middle ENDMARK-7Q"
    server.chunk_chars = 65536  # the whole megabyte in 16 chunks
    captured, code, paths = run_once(tmp_path, server, reply)
    assert code == 0  # the app answered Ctrl+Q after rendering it
    conv = only_conversation(paths)
    assert conv is not None
    assert conv.messages[-1].content == reply  # saved byte-exact, NULs included
    text = captured.decode("utf-8", errors="replace")
    assert "\x00" not in text
    assert "startmiddle" in text
