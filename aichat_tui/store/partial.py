"""Partial replies: a small sidecar file per streaming reply, and crash recovery.

While a reply streams, :class:`PartialWriter` keeps ``<conv>.<msg>.partial.json``
beside the conversation, rewritten atomically at most once per ``interval``
(the first update is written at once). The writer holds a lock for its whole
life, so :func:`find_orphans` skips sidecars of replies still streaming in
another instance; the OS drops the lock when the writer's process dies, even
by SIGKILL. On the next start the store folds each orphan back into its
conversation as an ``interrupted`` reply, on its branch: the sidecar names the
message the reply answers (``parent``), so a reply that was regenerating an
older turn goes back under that turn, not onto the end of another branch.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from aichat_tui import branches
from aichat_tui.models import Conversation, Message, utcnow
from aichat_tui.store.atomic import atomic_write, read_limited
from aichat_tui.store.lock import FileLock
from aichat_tui.store.paths import Paths

SUFFIX = ".partial.json"
PARTIAL_VERSION = 1


def sidecar_path(paths: Paths, conv_id: str, message_id: str) -> Path:
    """Where the partial text of one reply is kept while it streams."""
    return paths.conversations_dir / f"{conv_id}.{message_id}{SUFFIX}"


def _lock_path(paths: Paths, conv_id: str, message_id: str) -> Path:
    return paths.locks_dir / f"{conv_id}.{message_id}.partial.lock"


class PartialWriter:
    """Keeps the text streamed so far for one reply in a sidecar file.

    ``update(text)`` takes the *whole* text received so far; it writes at once
    the first time and then at most once per ``interval`` seconds. ``flush()``
    writes pending text now. ``close()`` removes the sidecar: call it after the
    final message has been saved into the conversation (if that save failed,
    ``detach()`` instead keeps the sidecar for :meth:`ConversationStore.recover`).
    """

    def __init__(
        self,
        paths: Paths,
        conv_id: str,
        message_id: str,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        parent: str | None = None,
    ) -> None:
        self.path = sidecar_path(paths, conv_id, message_id)
        self.conv_id = conv_id
        self.message_id = message_id
        self.parent = parent
        self.interval = interval
        self._clock = clock
        self._started = utcnow()
        self._pending: str | None = None
        self._written: str | None = None
        self._last_write: float | None = None
        self.writes = 0
        paths.locks_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = FileLock(_lock_path(paths, conv_id, message_id), timeout=5.0)
        self._lock.acquire()
        self.closed = False

    def update(self, text: str) -> None:
        """Record the text so far; write it if the last write is ``interval`` old."""
        if self.closed:
            raise RuntimeError("PartialWriter is closed")
        self._pending = text
        now = self._clock()
        if self._last_write is None or now - self._last_write >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Write the pending text now (no-op if it is already on disk)."""
        if self.closed or self._pending is None or self._pending == self._written:
            return
        body = {
            "version": PARTIAL_VERSION,
            "conversation_id": self.conv_id,
            "message_id": self.message_id,
            "parent": self.parent,
            "started": self._started.isoformat(),
            "time": utcnow().isoformat(),
            "text": self._pending,
        }
        # ensure_ascii keeps lone surrogates (a split emoji) encodable
        atomic_write(self.path, json.dumps(body, ensure_ascii=True).encode("ascii"))
        self._written = self._pending
        self._last_write = self._clock()
        self.writes += 1

    def close(self) -> None:
        """Remove the sidecar and release the lock. Idempotent."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        lock_file = self._lock.path
        self._lock.release()
        with contextlib.suppress(OSError):
            os.unlink(lock_file)

    def detach(self) -> None:
        """Write the pending text, release the lock and keep the sidecar, so that
        :meth:`ConversationStore.recover` folds the reply in later. For when the
        final save failed: the text then survives on disk anyway."""
        if self.closed:
            return
        try:
            self.flush()
        finally:
            self.closed = True
            self._lock.release()

    def __enter__(self) -> PartialWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass
class Orphan:
    """A sidecar left by a dead writer, read and locked for recovery."""

    path: Path
    conv_id: str
    message_id: str
    started: datetime
    text: str
    lock: FileLock
    parent: str | None = None

    def discard(self) -> None:
        """Remove the sidecar and its lock file once its text is safe."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        lock_file = self.lock.path
        self.lock.release()
        with contextlib.suppress(OSError):
            os.unlink(lock_file)


SIDECAR_SIZE_LIMIT = 256 * 2**20


def read_sidecar(path: Path) -> tuple[str, str, datetime, str, str | None]:
    """(conversation id, message id, start time, text, parent id or None);
    ValueError if damaged. Sidecars written before branches have no parent."""
    try:
        raw = json.loads(read_limited(path, SIDECAR_SIZE_LIMIT))  # no FIFO waits
        started = datetime.fromisoformat(raw["started"])
        conv_id, message_id, text = raw["conversation_id"], raw["message_id"], raw["text"]
        parent = raw.get("parent")
    except (OSError, KeyError, TypeError, AttributeError, json.JSONDecodeError, ValueError) as exc:
        raise ValueError(f"damaged partial-reply file: {exc}") from exc
    if not all(isinstance(v, str) for v in (conv_id, message_id, text)):
        raise ValueError("damaged partial-reply file: wrong types")
    if parent is not None and not isinstance(parent, str):
        raise ValueError("damaged partial-reply file: wrong types")
    return conv_id, message_id, started, text, parent


def find_orphans(paths: Paths) -> tuple[list[Orphan], list[tuple[Path, str]]]:
    """Sidecars whose writer is gone (each returned locked), and damaged ones
    as (path, reason). Sidecars of live writers are left alone."""
    orphans: list[Orphan] = []
    damaged: list[tuple[Path, str]] = []
    folder = paths.conversations_dir
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(SUFFIX))
    except OSError:
        return orphans, damaged
    for name in names:
        parts = name[: -len(SUFFIX)].split(".")
        if len(parts) != 2 or name.startswith("."):
            continue
        lock = FileLock(_lock_path(paths, parts[0], parts[1]))
        if not lock.try_acquire():
            continue  # its writer is alive
        path = folder / name
        if not path.exists():
            lock.release()
            continue
        try:
            conv_id, message_id, started, text, parent = read_sidecar(path)
        except ValueError as exc:
            lock.release()
            damaged.append((path, str(exc)))
            continue
        orphans.append(Orphan(path, conv_id, message_id, started, text, lock, parent))
    return orphans, damaged


def fold_in(
    conv: Conversation, message_id: str, started: datetime, text: str, parent: str | None = None
) -> bool:
    """Put a recovered partial reply into ``conv``, marked ``interrupted``: as a new
    message, or over a shorter unfinished one with that id (on any branch). A
    complete message is never replaced. A new reply goes under ``parent``: at the
    end of the active path when that is where ``parent`` is (or when ``parent`` is
    None or unknown), else as a new branch beside the one on screen. Returns
    whether ``conv`` changed."""
    existing = branches.find(conv, message_id)
    if existing is None:
        reply = Message("assistant", text, time=started, status="interrupted", id=message_id)
        branches.link(conv)
        tip = conv.messages[-1].id if conv.messages else None
        if parent is None or parent == tip or branches.find(conv, parent) is None:
            conv.messages.append(reply)
        else:
            reply.parent = parent
            conv.off_path.append(reply)
        return True
    if existing.status == "complete" or len(existing.content) >= len(text):
        return False
    existing.content = text
    existing.status = "interrupted"
    return True
