"""Several instances on the same data (faults 24-27) through the real app and the
real command line. Store-level versions (150 appends × 2 processes, a killed lock
holder) are in tests/store/test_concurrency.py."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from aichat_tui.loopback import LoopbackServer
from aichat_tui.models import Message, Profile, Settings
from aichat_tui.store import ConversationStore, Paths, save_settings
from aichat_tui.ui.app import LOCK_TIMEOUT

from .helpers import ROOT, clean_env, poll
from .uihelpers import make_app, send, settled, wait_until


async def test_conversation_changed_by_another_instance_is_merged_not_overwritten(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    store = ConversationStore(app_dirs)
    conv = store.create(title="shared")
    conv.messages.append(Message("user", "from the start"))
    store.save(conv)
    app, notices = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        assert ws.conv.id == conv.id
        # another instance adds a message and renames the conversation meanwhile
        other = ConversationStore(app_dirs)
        theirs = other.load(conv.id)
        theirs.messages.append(Message("user", "written by the other instance"))
        theirs.title = "renamed elsewhere"
        other.save(theirs)
        await send(pilot, app, "written here")
        await wait_until(pilot, lambda: settled(app))
    saved = ConversationStore(app_dirs).load(conv.id)
    contents = [m.content for m in saved.messages]
    assert "from the start" in contents
    assert "written by the other instance" in contents  # not blindly overwritten
    assert "written here" in contents and saved.messages[-1].status == "complete"
    assert saved.title == "renamed elsewhere"
    assert not notices.errors()


def hold_lock(paths: Paths, journal: Path, conv_id: str) -> subprocess.Popen[bytes]:
    """Another process taking the conversation's lock and keeping it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.store.crash_worker",
            "hold-lock",
            str(paths.config_dir),
            str(paths.data_dir),
            str(journal),
            conv_id,
        ],
        cwd=ROOT,
    )


async def test_lock_held_by_another_process_is_reported_without_losing_anything(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    store = ConversationStore(app_dirs)
    conv = store.create(title="locked")
    journal = app_dirs.data_dir / "journal.txt"
    holder = hold_lock(app_dirs, journal, conv.id)
    try:
        poll(lambda: journal.exists() and "locked" in journal.read_text(), 20, "the lock")
        app, notices = make_app(app_dirs, profile_openai)
        # the UI waits at most LOCK_TIMEOUT (not the store's 10 s), then says so
        assert app.store.lock_timeout == LOCK_TIMEOUT <= 2.0
        async with app.run_test(size=(120, 40)) as pilot:
            await send(pilot, app, "while locked")
            await wait_until(pilot, lambda: settled(app))
            assert any("another instance" in m for m in notices.errors()), notices
            assert app.is_running
            assert app.workspace.conv.messages[0].content == "while locked"
            holder.kill()
            holder.wait(10)
            await send(pilot, app, "after the lock")  # the next save writes everything
            await wait_until(pilot, lambda: settled(app) and len(app.workspace.conv.messages) == 4)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
    contents = [m.content for m in ConversationStore(app_dirs).load(conv.id).messages]
    assert contents[0] == "while locked" and contents[2] == "after the lock"
    assert len(contents) == 4


def test_two_cli_processes_appending_to_one_session_keep_everything(tmp_path: Path) -> None:
    server = LoopbackServer(reply=lambda m: f"re: {m[-1]['content']}", chunk_chars=64)
    server.start_in_thread()
    try:
        paths = Paths.resolve(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
        paths.ensure()
        profile = Profile(
            name="p", kind="openai", base_url=server.openai_url, model="m", timeout=20.0, proxy=""
        )
        save_settings(paths, Settings(profiles={"p": profile}, default_profile="p"))
        conv = ConversationStore(paths).create(title="shared")
        env = clean_env()
        script = (
            "import sys\n"
            "from aichat_tui.cli import main\n"
            "for i in range(12):\n"
            "    args = ['ask', '--no-stdin', '--session', sys.argv[1], f'{sys.argv[2]}-{i}']\n"
            "    code = main(args)\n"
            "    assert code == 0, code\n"
        )
        env.update(
            AICHAT_TUI_CONFIG_DIR=str(paths.config_dir), AICHAT_TUI_DATA_DIR=str(paths.data_dir)
        )
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, conv.id, name],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for name in ("left", "right")
        ]
        deadline = time.monotonic() + 120
        for proc in procs:
            _, err = proc.communicate(timeout=max(1, deadline - time.monotonic()))
            assert proc.returncode == 0, err.decode()
    finally:
        server.stop_thread()
    messages = ConversationStore(paths).load(conv.id).messages
    prompts = sorted(m.content for m in messages if m.role == "user")
    assert prompts == sorted(f"{n}-{i}" for n in ("left", "right") for i in range(12))
    replies = {m.content for m in messages if m.role == "assistant"}
    assert replies == {f"re: {p}" for p in prompts}
