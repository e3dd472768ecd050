"""Atomic writes under failure: replace retried on PermissionError, fsync EIO and
ENOSPC reported with the original intact and no temp file left, missing or
read-only folders named, stray temp files cleaned by age and never loaded."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from aichat_tui.models import Message
from aichat_tui.store import (
    ConversationStore,
    Paths,
    SaveError,
    StoreError,
    atomic,
    atomic_write,
    clean_stale_temps,
)


def temps(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if n.startswith(atomic.TEMP_PREFIX)]


def test_write_creates_0600_file_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "f.toml"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600
    assert temps(tmp_path) == []


def test_replace_permission_error_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.toml"
    target.write_bytes(b"old")
    real_replace = os.replace
    calls = []

    def flaky(src: str, dst: Path) -> None:
        calls.append(src)
        if len(calls) <= 2:
            raise PermissionError(13, "WinError 32: in use")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    atomic_write(target, b"new")
    assert len(calls) == 3 and target.read_bytes() == b"new"
    assert temps(tmp_path) == []


def test_permanent_replace_failure_keeps_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.toml"
    target.write_bytes(b"old")

    def denied(src: str, dst: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", denied)
    with pytest.raises(SaveError, match="previous version is kept"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old" and temps(tmp_path) == []


@pytest.mark.parametrize(
    ("where", "code", "words"),
    [("fsync", errno.EIO, "input/output error"), ("write", errno.ENOSPC, "disk is full")],
)
def test_io_errors_fail_the_save_and_keep_the_file(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch, where: str, code: int, words: str
) -> None:
    conv = store.create(title="keep me")
    path = store.path_of(conv.id)
    before = path.read_bytes()

    def broken(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, where, broken)
    conv.messages.append(Message("user", "new text"))
    with pytest.raises(SaveError) as caught:
        store.save(conv)
    assert words in str(caught.value) and str(path) in str(caught.value)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert temps(path.parent) == []
    assert conv.messages[-1].content == "new text"  # in-memory state kept for a retry
    store.save(conv)
    assert store.load(conv.id).messages[-1].content == "new text"


def test_folder_fsync_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.toml"
    real_fsync = os.fsync
    calls = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the first is the file, the second the folder
            raise OSError(errno.EIO, "I/O error")
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    with pytest.raises(SaveError, match="durable"):
        atomic_write(target, b"data")


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="does not exist") as caught:
        atomic_write(tmp_path / "gone" / "f.toml", b"x")
    assert str(tmp_path / "gone") in str(caught.value)


def test_read_only_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.name == "posix" and os.geteuid() != 0:
        os.chmod(folder, 0o500)
    else:  # root ignores permission bits: fake the refusal the OS would give
        real_open = os.open

        def refuse(path: str, *args: int) -> int:
            if str(path).startswith(str(folder)):
                raise PermissionError(errno.EACCES, "Permission denied")
            return real_open(path, *args)

        monkeypatch.setattr(atomic.os, "open", refuse)
    try:
        with pytest.raises(SaveError, match="permission denied") as caught:
            atomic_write(folder / "f.toml", b"x")
        assert str(folder) in str(caught.value)
        assert not (folder / "f.toml").exists()
    finally:
        os.chmod(folder, 0o700)


def test_stale_temps_cleaned_by_age_and_never_loaded(app_dirs: Paths) -> None:
    folder = app_dirs.conversations_dir
    old = folder / f"{atomic.TEMP_PREFIX}abc.toml-1234"
    young = folder / f"{atomic.TEMP_PREFIX}def.toml-5678"
    for path in (old, young):
        path.write_text('schema_version = 1\ntitle = "half-writ')
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    store = ConversationStore(app_dirs)
    assert not old.exists() and young.exists()
    assert store.list() == [] and store.problems == []
    assert clean_stale_temps(folder, max_age=0) == [young]


def test_unusable_data_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        ConversationStore(Paths(config_dir=tmp_path / "c", data_dir=blocker / "data"))


def test_durability_order_file_fsync_then_replace_then_folder_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No LazyFS here: check instead that the data is fsynced before the rename
    makes it visible, and the folder after it (the order that makes a save
    durable or absent after power loss, never half-written)."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        import stat as stat_

        kind = "folder" if stat_.S_ISDIR(os.fstat(fd).st_mode) else "file"
        events.append(f"fsync {kind}")
        real_fsync(fd)

    def replace(src: str, dst: Path) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic_write(tmp_path / "f.toml", b"data")
    assert events == ["fsync file", "replace", "fsync folder"]


def test_cache_writes_skip_fsync_but_stay_atomic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(atomic.os, "fsync", calls.append)
    target = tmp_path / "index.json"
    atomic_write(target, b"{}", durable=False)
    assert target.read_bytes() == b"{}" and calls == [] and temps(tmp_path) == []
