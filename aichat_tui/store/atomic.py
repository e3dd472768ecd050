"""Crash-safe file replacement, shared by config.toml, conversations and caches.

A save writes a temp file ``.tmp-<name>-<random>`` in the target's folder,
fsyncs it, ``os.replace``-s it over the target and fsyncs the folder. A kill at
any moment leaves either the old or the new file, plus perhaps a stray temp
file, which :func:`clean_stale_temps` removes later and which no loader reads
(the name starts with a dot and has no ``.toml`` suffix).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import time
from pathlib import Path

from aichat_tui.store.errors import SaveError

TEMP_PREFIX = ".tmp-"
REPLACE_ATTEMPTS = 5


def describe_os_error(exc: OSError) -> str:
    """A short reason for a failed file operation (names a missing folder)."""
    if exc.errno == errno.ENOENT and exc.filename:
        return f"the folder {Path(exc.filename).parent} does not exist"
    return _describe(exc)


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only folder?)"
    if exc.errno == errno.EIO:
        return "input/output error"
    return exc.strerror or type(exc).__name__


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable. Silently skipped where folders
    cannot be opened or fsynced (Windows, some network file systems)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _replace_with_retry(src: str, dst: Path) -> None:
    """``os.replace``, retried a few times on PermissionError: on Windows a
    virus scanner or indexer briefly holding the target raises WinError 5/32."""
    for attempt in range(REPLACE_ATTEMPTS):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == REPLACE_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (2**attempt))


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically and durably, with file ``mode``.

    ``durable=False`` skips both fsyncs: still atomic for a killed process, but
    after a power loss the file may be empty. Only for rebuildable caches.

    Refuses to write through a symlink or over a directory. On any failure the
    temp file is removed, the original is left as it was, and :class:`SaveError`
    names the file and the reason.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise SaveError(f"cannot save {path.name}: folder {folder} does not exist")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SaveError(f"cannot save {path}: {_describe(exc)}") from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a symlink" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        raise SaveError(f"refusing to save {path}: it is {kind}")

    tmp = folder / f"{TEMP_PREFIX}{path.name}-{secrets.token_hex(4)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    except OSError as exc:
        raise SaveError(f"cannot save {path.name} in {folder}: {_describe(exc)}") from exc
    try:
        try:
            if os.name == "posix":
                os.fchmod(fd, mode)  # the umask may have removed bits we want
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        _replace_with_retry(str(tmp), path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SaveError(
            f"cannot save {path}: {_describe(exc)}; the previous version is kept"
        ) from exc
    if not durable:
        return
    try:
        fsync_dir(folder)
    except OSError as exc:
        raise SaveError(f"saved {path} but could not make it durable: {_describe(exc)}") from exc


def clean_stale_temps(folder: Path, max_age: float = 60.0) -> list[Path]:
    """Remove ``.tmp-*`` files older than ``max_age`` seconds left by killed saves.

    Younger ones may belong to a save in progress in another instance.
    Returns the removed paths.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < max_age:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def read_limited(path: Path, limit: int) -> bytes:
    """Read a whole file, refusing (ValueError) one larger than ``limit`` bytes
    before reading it, so a huge file cannot stall the app, and one that is not a
    regular file (a FIFO would block the app forever, a device never end)."""
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file (a FIFO, socket or device)")
        size = st.st_size
        if size > limit:
            raise ValueError(f"file is too large ({size:,} bytes; the limit is {limit:,})")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"file is too large (over {limit:,} bytes)")
    return data
