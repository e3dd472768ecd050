"""An inter-process lock on a small file (flock on POSIX, msvcrt on Windows).

The operating system releases the lock when its holder dies, even by SIGKILL,
so a crashed instance never leaves a stale lock behind. Lock files are never
deleted (deleting one while another process waits on it would split the lock).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType

from aichat_tui.store.atomic import describe_os_error
from aichat_tui.store.errors import LockTimeout, SaveError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class FileLock:
    """Exclusive lock on ``path``; ``timeout`` seconds to get it (0: one try).

    Use as a context manager, or call :meth:`acquire` / :meth:`release`.
    """

    def __init__(self, path: Path, timeout: float = 10.0, what: str = "") -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.what = what or self.path.stem
        self._fd: int | None = None

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Block up to ``timeout`` seconds; raise :class:`LockTimeout` after that."""
        if self._fd is not None:
            raise RuntimeError("lock already held")
        fd = self._open()
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LockTimeout(
                    f"another instance is writing {self.what}; gave up after "
                    f"{self.timeout:g} s (nothing was lost; try again)"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        self._fd = fd

    def _open(self) -> int:
        """Open (or create) the lock file; :class:`SaveError` names the reason
        when it cannot be, e.g. on a read-only or full disk."""
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            first = exc
        try:
            # An existing lock file on a read-only file system can still be
            # locked through a read-only descriptor (flock does not need write).
            return os.open(self.path, os.O_RDONLY)
        except OSError:
            pass
        raise SaveError(
            f"cannot lock {self.what} ({self.path.parent}): {describe_os_error(first)}"
        ) from first

    def try_acquire(self) -> bool:
        """One non-blocking attempt."""
        saved, self.timeout = self.timeout, 0.0
        try:
            self.acquire()
        except LockTimeout:
            return False
        finally:
            self.timeout = saved
        return True

    def release(self) -> None:
        """Release the lock (no-op when not held)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                _unlock(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
