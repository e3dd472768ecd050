"""Disk faults while the real app runs (faults 4-7 end to end): a full disk and a
read-only folder are real (a small tmpfs, filled or remounted read-only); EIO from
fsync and a replace that keeps failing are injected, since no real disk can be
asked to fail on cue. In every case: a clear message, the old file intact, the
conversation kept in memory, no crash, and the next save works once the fault is
gone. The store-level versions are in tests/store/test_atomic.py."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Message, Profile
from aichat_tui.store import ConversationStore, Paths

from .helpers import fill, remount, tmpfs
from .uihelpers import make_app, send, settled, wait_until

REPLY = "a reply that must not be lost"


def seeded(paths: Paths) -> tuple[str, bytes]:
    """One stored conversation with a finished exchange; (id, file bytes)."""
    store = ConversationStore(paths)
    conv = store.create(title="Kept")
    conv.messages += [
        Message("user", "old question"),
        Message("assistant", "old answer", status="complete"),
    ]
    store.save(conv)
    return conv.id, store.path_of(conv.id).read_bytes()


async def run_fault(
    paths: Paths,
    profile: Profile,
    loopback: LoopbackServer,
    start_fault,
    stop_fault,
    expected: str,
) -> None:
    """Send a prompt while the fault is on; check message, old file, memory; then
    clear the fault and check that the next reply saves everything."""
    conv_id, old_bytes = seeded(paths)
    loopback.push(Behaviour(text=REPLY))
    app, notices = make_app(paths, profile)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        assert ws.conv is not None and ws.conv.id == conv_id
        start_fault()
        try:
            await send(pilot, app, "new question")
            await wait_until(pilot, lambda: settled(app), what="the reply to end")
            await wait_until(pilot, lambda: notices.errors(), what="an error notice")
            # A clear message naming the problem...
            assert any(expected in message for message in notices.errors()), notices
            assert not any("Internal error" in m or "Traceback" in m for m, _ in notices)
            # ...the file on disk untouched...
            assert ConversationStore(paths).path_of(conv_id).read_bytes() == old_bytes
            # ...and the conversation kept in memory and on screen.
            assert app.is_running
            contents = [m.content for m in ws.conv.messages]
            assert contents[:3] == ["old question", "old answer", "new question"]
            assert contents[3] == REPLY and ws.conv.messages[3].status == "complete"
            assert ws.transcript.view_for(ws.conv.messages[2].id) is not None
        finally:
            stop_fault()
        # Once the disk works again the next exchange saves everything.
        await send(pilot, app, "after the fault")
        await wait_until(pilot, lambda: settled(app) and len(ws.conv.messages) == 6)
    saved = ConversationStore(paths).load(conv_id).messages
    assert [m.content for m in saved][:4] == ["old question", "old answer", "new question", REPLY]
    assert saved[-2].content == "after the fault" and saved[-1].status == "complete"


@pytest.fixture
def tmpfs_paths(tmp_path: Path):
    """Config on the normal disk, data on a 256 KB tmpfs."""
    with tmpfs(tmp_path / "mnt") as mount:
        paths = Paths.resolve(config_dir=tmp_path / "config", data_dir=mount / "data")
        paths.ensure()
        yield paths, mount


async def test_disk_full_while_chatting(tmpfs_paths, loopback, profile_openai) -> None:
    paths, mount = tmpfs_paths
    fillers: list[Path] = []
    await run_fault(
        paths,
        profile_openai,
        loopback,
        lambda: fillers.append(fill(mount)),
        lambda: [f.unlink() for f in fillers],
        "disk is full",
    )
    # the failed saves left no temp files behind
    assert not [n for n in os.listdir(paths.conversations_dir) if n.startswith(".tmp-")]


async def test_read_only_data_folder_while_chatting(tmpfs_paths, loopback, profile_openai):
    paths, mount = tmpfs_paths
    await run_fault(
        paths,
        profile_openai,
        loopback,
        lambda: remount(mount, "ro"),
        lambda: remount(mount, "rw"),
        "read-only",
    )


async def test_fsync_eio_while_chatting(app_dirs, loopback, profile_openai, monkeypatch):
    real_fsync = os.fsync
    failing = {"on": False}

    def fsync(fd: int) -> None:
        if failing["on"]:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    await run_fault(
        app_dirs,
        profile_openai,
        loopback,
        lambda: failing.update(on=True),
        lambda: failing.update(on=False),
        "input/output error",
    )


async def test_replace_failing_for_good_while_chatting(
    app_dirs, loopback, profile_openai, monkeypatch
):
    real_replace = os.replace
    failing = {"on": False}

    def replace(src, dst, *args, **kwargs):
        if failing["on"] and str(dst).endswith(".toml"):
            raise PermissionError(errno.EACCES, "Access is denied", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    await run_fault(
        app_dirs,
        profile_openai,
        loopback,
        lambda: failing.update(on=True),
        lambda: failing.update(on=False),
        "permission denied",
    )


async def test_data_folder_removed_while_chatting(app_dirs, loopback, profile_openai) -> None:
    seeded(app_dirs)
    loopback.push(Behaviour(text=REPLY))
    app, notices = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        shutil.rmtree(app_dirs.conversations_dir)
        await send(pilot, app, "new question")
        await wait_until(pilot, lambda: settled(app))
        await wait_until(pilot, lambda: notices.errors(), what="an error notice")
        assert any(str(app_dirs.conversations_dir) in m for m in notices.errors()), notices
        assert app.is_running
        assert [m.content for m in app.workspace.conv.messages][-2:] == ["new question", REPLY]


def test_save_is_durable_before_it_returns(app_dirs: Paths, monkeypatch) -> None:
    """Fault 3 without LazyFS (not installable here: it needs FUSE and a build):
    record the system calls of a save and check the order that makes it durable
    -- the new bytes are fsynced before the rename, and the folder after it, all
    before save() returns -- so a power cut leaves the old or the new file."""
    store = ConversationStore(app_dirs)
    conv = store.create(title="durable")
    conv.messages.append(Message("user", "x" * 10_000))
    target = store.path_of(conv.id)
    events: list[tuple[str, str]] = []
    real_write, real_fsync, real_replace = os.write, os.fsync, os.replace
    names: dict[int, str] = {}
    real_open = os.open

    def spy_open(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        names[fd] = str(path)
        return fd

    def spy_write(fd, data):
        events.append(("write", names.get(fd, "?")))
        return real_write(fd, data)

    def spy_fsync(fd):
        events.append(("fsync", names.get(fd, "?")))
        return real_fsync(fd)

    def spy_replace(src, dst, *args, **kwargs):
        events.append(("replace", str(dst)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "write", spy_write)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    monkeypatch.setattr(os, "replace", spy_replace)
    store.save(conv)
    monkeypatch.undo()
    replace = events.index(("replace", str(target)))
    temp = next(name for kind, name in events[:replace] if kind == "write" and ".tmp-" in name)
    assert ("fsync", temp) in events[:replace]  # data on disk before the rename
    last_write = max(i for i, (kind, name) in enumerate(events) if kind == "write" and name == temp)
    assert events.index(("fsync", temp)) > last_write
    assert ("fsync", str(target.parent)) in events[replace:]  # the rename itself is durable
    assert ConversationStore(app_dirs).load(conv.id).messages[-1].content == "x" * 10_000


async def test_new_session_on_a_read_only_disk_is_refused_with_a_message(
    tmpfs_paths, loopback, profile_openai
) -> None:
    paths, mount = tmpfs_paths
    conv_id, old_bytes = seeded(paths)
    app, notices = make_app(paths, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        remount(mount, "ro")
        try:
            await pilot.press("ctrl+n")
            await wait_until(pilot, lambda: notices.errors(), what="an error notice")
            assert any("read-only" in m for m in notices.errors()), notices
            assert app.is_running and app.workspace.conv.id == conv_id  # still on the old one
            app.workspace.composer.text = "typed on a read-only disk"
        finally:
            remount(mount, "rw")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.workspace.conv.id != conv_id, what="the new session")
    assert ConversationStore(paths).path_of(conv_id).read_bytes() == old_bytes


async def test_rename_and_delete_on_a_read_only_disk_are_refused_with_a_message(
    tmpfs_paths, loopback, profile_openai
) -> None:
    from aichat_tui.ui.screens.confirm import ConfirmScreen
    from aichat_tui.ui.screens.prompt import PromptScreen

    paths, mount = tmpfs_paths
    conv_id, old_bytes = seeded(paths)
    app, notices = make_app(paths, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        remount(mount, "ro")
        try:
            await pilot.press("f2")  # rename
            await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
            await pilot.press("x", "enter")
            await wait_until(pilot, lambda: len(notices.errors()) >= 1, what="rename error")
            await pilot.press("f8")  # delete
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: len(notices.errors()) >= 2, what="delete error")
            assert app.is_running
            assert app.workspace.conv is not None and app.workspace.conv.id == conv_id
        finally:
            remount(mount, "rw")
    assert ConversationStore(paths).path_of(conv_id).read_bytes() == old_bytes


def test_cli_ask_on_a_full_disk_is_one_clear_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    from .helpers import ROOT, clean_env

    server = LoopbackServer(reply=lambda m: "the printed reply")
    server.start_in_thread()
    try:
        with tmpfs(tmp_path / "mnt") as mount:
            paths = Paths.resolve(config_dir=tmp_path / "config", data_dir=mount / "data")
            paths.ensure()
            fill(mount)
            done = subprocess.run(
                [sys.executable, "-m", "aichat_tui", "--config-dir", str(paths.config_dir),
                 "--data-dir", str(paths.data_dir), "ask", "--base-url", server.openai_url,
                 "--model", "m", "--save", "--no-stdin", "hello"],
                capture_output=True, env=clean_env(), cwd=ROOT, timeout=60,
            )  # fmt: skip
    finally:
        server.stop_thread()
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode != 0
    assert "Traceback" not in err and err.count("\n") <= 2, err
    assert "disk is full" in err, err


async def test_quit_on_a_read_only_disk_warns_and_fails(tmpfs_paths, loopback, profile_openai):
    """Issue 16 item 5: the data disk goes read-only while chatting; quitting cannot
    save the new prompt, so it is rescued to a private copy, a warning is kept for
    stderr and the exit code is 1 (it was 0 with nothing said, the prompt lost)."""
    import tempfile

    paths, mount = tmpfs_paths
    rescue = mount.parent / "rescue"
    rescue.mkdir()
    old_tempdir, tempfile.tempdir = tempfile.tempdir, str(rescue)
    app, _notices = make_app(paths, profile_openai)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await send(pilot, app, "first, saved")
            await wait_until(pilot, lambda: settled(app), what="the first reply")
            conv_id = app.workspace.conv.id
            remount(mount, "ro")
            await send(pilot, app, "second, on a read-only disk")
            await wait_until(pilot, lambda: settled(app), what="the second reply")
            await pilot.press("ctrl+q")
            await wait_until(pilot, lambda: not app.is_running, what="the app to close")
    finally:
        tempfile.tempdir = old_tempdir
        remount(mount, "rw")
    assert app.return_code == 1
    assert any("could not be saved" in line for line in app.exit_warnings)
    copies = list(rescue.rglob(f"{conv_id}.toml"))
    assert len(copies) == 1
    assert "second, on a read-only disk" in copies[0].read_text()
    assert oct(copies[0].stat().st_mode & 0o777) == "0o600"
    on_disk = ConversationStore(paths).load(conv_id).messages
    assert [m.content for m in on_disk if m.role == "user"] == ["first, saved"]
