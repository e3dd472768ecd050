"""kill -9 at random moments during saves and during streaming: every file still
parses, nothing that was saved is lost, and a streamed reply is recovered up to
about the last second, marked interrupted."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aichat_tui.store import ConversationStore, Paths
from aichat_tui.store.partial import SUFFIX
from aichat_tui.store.toml_codec import fix_surrogates
from tests.store.crash_worker import STREAM_CONV, reply_text, save_text

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL"),
]
REPO = Path(__file__).resolve().parents[2]


def start_worker(paths: Paths, journal: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start crash_worker and wait until it reports ready."""
    before = journal.read_text().count("ready") if journal.exists() else 0
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.store.crash_worker",
            args[0],
            str(paths.config_dir),
            str(paths.data_dir),
            str(journal),
            *args[1:],
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count("ready") > before:
            return proc
        if proc.poll() is not None:
            raise AssertionError(
                f"worker died: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        time.sleep(0.005)
    proc.kill()
    raise AssertionError("worker did not start")


def kill(proc: subprocess.Popen[bytes]) -> float:
    moment = time.time()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    if proc.stderr:
        proc.stderr.close()
    return moment


def journal_lines(journal: Path) -> list[list[str]]:
    # the last line may be torn by the kill: ignore a line without its newline
    text = journal.read_text()
    complete = text[: text.rfind("\n") + 1]
    return [line.split(" ") for line in complete.splitlines()]


def test_kill_during_saves_never_corrupts_or_loses_a_saved_version(app_dirs: Paths) -> None:
    rng = random.Random(1234)
    journal = app_dirs.data_dir / "save-journal.txt"
    kills = 20
    for round_ in range(kills):
        tag = f"save{round_}"
        proc = start_worker(app_dirs, journal, "save", tag)
        time.sleep(rng.uniform(0.0, 0.3))
        kill(proc)

        store = ConversationStore(app_dirs)
        summaries = {s.id: s for s in store.list()}
        assert store.problems == []
        saved = [int(parts[2]) for parts in journal_lines(journal) if parts[:2] == ["saved", tag]]
        if not saved:
            continue  # killed before its first save finished: the file may not exist
        conv = store.load(tag)
        # either the last journaled version or the one after it (killed after the
        # replace, before the journal line): never a torn or older file
        assert len(conv.messages) in (saved[-1], saved[-1] + 1)
        assert summaries[tag].message_count == len(conv.messages)
        for index, message in enumerate(conv.messages):
            assert message.content == save_text(tag, index)
    # stray temp files are never listed; the young ones are kept for now
    names = os.listdir(app_dirs.conversations_dir)
    assert all(n.endswith(".toml") or n.startswith(".") for n in names)


def test_kill_during_streaming_recovers_the_reply(app_dirs: Paths) -> None:
    rng = random.Random(99)
    journal = app_dirs.data_dir / "stream-journal.txt"
    kills = 12
    recovered_rounds = 0
    for _ in range(kills):
        seen_before = len(journal_lines(journal)) if journal.exists() else 0
        proc = start_worker(app_dirs, journal, "stream")
        moment = kill_after(proc, rng.uniform(0.1, 2.0))

        store = ConversationStore(app_dirs)
        store.recover()
        assert store.problems == []
        assert not [n for n in os.listdir(app_dirs.conversations_dir) if n.endswith(SUFFIX)]
        conv = store.load(STREAM_CONV)
        by_id = {m.id: m for m in conv.messages}
        lines = journal_lines(journal)
        for parts in lines:
            if parts[0] == "saved":
                assert parts[1] in by_id, "a saved message was lost"
        streams: dict[str, list[tuple[int, float]]] = {}
        for parts in lines[seen_before:]:  # this round's reply only
            if parts[0] == "stream":
                streams.setdefault(parts[1], []).append((int(parts[2]), float(parts[3])))
        saved_ids = {parts[1] for parts in lines if parts[0] == "saved"}
        for message_id, progress in streams.items():
            full = reply_text(message_id)
            message = by_id.get(message_id)
            assert message is not None, "a streamed reply vanished"
            assert message.role == "assistant"
            if message_id in saved_ids or message.status == "complete":
                assert message.content == fix_surrogates(full)
                continue
            recovered_rounds += 1
            assert message.status == "interrupted"
            # a prefix of what was streamed (a split emoji may end as U+FFFD)
            text = message.content
            expected = fix_surrogates(full)
            assert expected.startswith(text) or (
                text.endswith("\ufffd") and expected.startswith(text[:-1])
            )
            # at most about a second behind what the worker had when killed
            old_enough = [n for n, at in progress if at <= moment - 1.5]
            if old_enough:
                assert len(text) >= len(fix_surrogates(full[: max(old_enough)])) - 1
    assert recovered_rounds >= kills // 3, "too few kills landed mid-stream to test recovery"


def kill_after(proc: subprocess.Popen[bytes], delay: float) -> float:
    time.sleep(delay)
    return kill(proc)


def test_kill_during_settings_saves_keeps_config_loadable(app_dirs: Paths) -> None:
    from aichat_tui.store import load_settings

    rng = random.Random(7)
    journal = app_dirs.data_dir / "settings-journal.txt"
    previous = ""
    for _ in range(8):
        seen_before = len(journal_lines(journal)) if journal.exists() else 0
        proc = start_worker(app_dirs, journal, "settings")
        time.sleep(rng.uniform(0.0, 0.2))
        kill(proc)
        saved = [int(p[1]) for p in journal_lines(journal)[seen_before:] if p[0] == "saved"]
        settings = load_settings(app_dirs)  # never raises: the old or the new file
        model = settings.profiles["local"].model
        # the last journaled save, or the one after it (killed before its journal line)
        allowed = (
            {f"model-{saved[-1]}", f"model-{saved[-1] + 1}"} if saved else {previous, "model-1"}
        )
        assert model in allowed
        assert len(settings.profiles["local"].cookies) in (0, 200)
        if app_dirs.config_file.exists():
            assert os.stat(app_dirs.config_file).st_mode & 0o777 == 0o600
        previous = model
