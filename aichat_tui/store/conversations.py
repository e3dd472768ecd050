"""The conversation store: one TOML file per conversation in ``conversations/``.

Guarantees:

- every write is atomic (:mod:`.atomic`); a kill leaves the old or the new file;
- writers take a per-conversation lock (:mod:`.lock`); when the file changed
  since this store last read or wrote it for that object, the disk version is
  merged in first (messages by id, three-way; nobody's messages are lost);
- a file that fails to load is moved to ``.quarantine/`` (never overwritten),
  reported in :attr:`ConversationStore.problems`, and the rest still load;
- :meth:`ConversationStore.list` answers from a rebuildable index (:mod:`.index`);
- :meth:`ConversationStore.load` reads an unchanged file's rebuildable JSON copy
  (:mod:`.cache`), several times faster than parsing its TOML;
- streaming replies are kept in sidecars and recovered (:mod:`.partial`);
- attached images live in ``<id>.files/`` beside the file (:mod:`.attachments`).
"""

from __future__ import annotations

import contextlib
import copy
import os
import stat
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aichat_tui import branches
from aichat_tui.models import Conversation, ConversationSummary, new_id, utcnow
from aichat_tui.store import schema
from aichat_tui.store.atomic import atomic_write, clean_stale_temps
from aichat_tui.store.attachments import AttachmentFiles
from aichat_tui.store.cache import ConversationCache
from aichat_tui.store.errors import (
    ConversationFileError,
    ConversationNotFound,
    LockTimeout,
    SaveError,
    StoreError,
    TruncatedFile,
)
from aichat_tui.store.index import Index, Stamp, stamp_of, summarize
from aichat_tui.store.lock import FileLock
from aichat_tui.store.merge import META_FIELDS, merge_into
from aichat_tui.store.partial import PartialWriter, find_orphans, fold_in
from aichat_tui.store.paths import Paths, folder_problem
from aichat_tui.store.trash import Trash, TrashEntry

if TYPE_CHECKING:
    from aichat_tui.store.search import SearchHit

FILE_SIZE_LIMIT = 64 * 1024 * 1024


@dataclass
class LoadProblem:
    """A file that could not be loaded: where it was, why (``message`` does not
    repeat the path), and where it was moved (None: left in place)."""

    path: Path
    message: str
    moved_to: Path | None = None


class _BadFile(Exception):
    """Internal: a file failed to load; ``stamp`` is the version that failed."""

    def __init__(self, error: ConversationFileError, stamp: Stamp | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.stamp = stamp


@dataclass
class _Seen:
    """What one in-memory Conversation object was last synced with on disk."""

    ref: weakref.ref[Conversation]
    stamp: Stamp | None
    meta: dict[str, object] = field(default_factory=dict)
    message_ids: set[str] = field(default_factory=set)


class ConversationStore:
    """Conversations on disk for one :class:`Paths` (see the module docstring)."""

    def __init__(self, paths: Paths, *, lock_timeout: float = 10.0) -> None:
        self.paths = paths
        self.lock_timeout = lock_timeout
        self.problems: list[LoadProblem] = []
        # Called with each new problem as it is found (the CLI prints it at once;
        # the workspace reads ``problems``): one place decides what is reported.
        self.on_problem: Callable[[LoadProblem], None] | None = None
        self.parse_count = 0  # files parsed in full so far (the index tests count these)
        self.header_count = 0  # files whose header alone was read for the index
        try:
            paths.ensure()
        except OSError as exc:
            raise StoreError(folder_problem(exc, paths.data_dir)) from exc
        for folder in (paths.conversations_dir, paths.data_dir, paths.trash_dir, paths.cache_dir):
            clean_stale_temps(folder)
        self.index = Index(paths.index_file)
        self.cache = ConversationCache(paths.cache_dir)
        self.files = AttachmentFiles(paths.conversations_dir)
        self.trash = Trash(paths)
        self.trash.purge()
        self._seen: dict[int, _Seen] = {}

    # --- files ---------------------------------------------------------------------------

    def path_of(self, conv_id: str) -> Path:
        """The file of a conversation (raises StoreError for an unsafe id)."""
        if not schema.valid_id(conv_id):
            raise StoreError(f"invalid conversation id {conv_id!r}")
        return self.paths.conversations_dir / f"{conv_id}.toml"

    def _lock(self, conv_id: str, timeout: float | None = None) -> FileLock:
        return FileLock(
            self.paths.locks_dir / f"{conv_id}.lock",
            self.lock_timeout if timeout is None else timeout,
            what=f"conversation {conv_id}",
        )

    def _read_bytes(self, path: Path) -> tuple[bytes, Stamp]:
        """A file's bytes and the stamp of that very version (fstat of the handle
        read, so a concurrent replace cannot pair old bytes with a new stamp).
        Raises FileNotFoundError, OSError, or _BadFile (stamp None when the path is
        not a regular file: such a path is reported, never moved or written)."""
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            error = ConversationFileError(path, "not a regular file (symlinks are not followed)")
            raise _BadFile(error, None)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            stamp = stamp_of(st)
            if not stat.S_ISREG(st.st_mode):
                raise _BadFile(ConversationFileError(path, "not a regular file"), None)
            if st.st_size > FILE_SIZE_LIMIT:
                message = (
                    f"file is too large ({st.st_size:,} bytes; the limit is {FILE_SIZE_LIMIT:,})"
                )
                raise _BadFile(ConversationFileError(path, message), stamp)
            data = handle.read(FILE_SIZE_LIMIT + 1)
        if len(data) > FILE_SIZE_LIMIT:
            raise _BadFile(ConversationFileError(path, "file is too large"), stamp)
        return data, stamp

    def _read(self, path: Path, *, locked: bool = False) -> tuple[Conversation, Stamp]:
        """Parse a file (raises _BadFile for bad content, OSError for I/O). A file
        cut short is recovered (see :meth:`_recover_truncated`); ``locked``: the
        caller holds the conversation's lock."""
        data, stamp = self._read_bytes(path)
        self.parse_count += 1
        try:
            return schema.loads(data, path), stamp
        except TruncatedFile as exc:
            return exc.conv, self._recover_truncated(path, data, stamp, exc, locked=locked)  # type: ignore[return-value]
        except ConversationFileError as exc:
            raise _BadFile(exc, stamp) from None

    def _recover_truncated(
        self, path: Path, data: bytes, stamp: Stamp, exc: TruncatedFile, *, locked: bool
    ) -> Stamp:
        """A file holding fewer messages than its header says (cut at a message
        boundary): the original is copied to quarantine, the file is rewritten
        with the messages that are there (so every reader agrees on them), and the
        user is told. Returns the stamp of the file now on disk."""
        conv: Conversation = exc.conv  # type: ignore[assignment]
        there = len(conv.messages)
        guard = contextlib.nullcontext() if locked else self._lock(path.stem, timeout=1.0)
        try:
            with guard:
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode) or stamp_of(st) != stamp:
                    return stamp  # replaced meanwhile: the next read judges the new one
                stamped = utcnow().strftime("%Y%m%dT%H%M%S%f")
                kept = self.paths.quarantine_dir / f"{path.stem}.{stamped}{path.suffix}"
                atomic_write(kept, data)
                self._note(kept, f"{exc}; the {there} message(s) there were recovered")
                atomic_write(path, schema.dumps(conv).encode("utf-8"))
                new = stamp_of(os.stat(path))
        except (StoreError, OSError):
            self._problem(path, f"{exc.detail}; loaded the {there} that are there")
            return stamp
        self._problem(
            path,
            f"{exc.detail}; recovered the {there} that are there (original kept in {kept})",
            kept,
        )
        return new

    def _summarize_file(self, conv_id: str, path: Path) -> ConversationSummary:
        """A summary for the index: from the file's header when it has a message
        count (files written here), else from a full parse (which validates it)."""
        data, stamp = self._read_bytes(path)
        header = schema.loads_header(data, path)
        if header is not None and schema.count_message_tables(data) < header[1]:
            header = None  # fewer messages than it says: parse it (and recover it)
        if header is not None:
            self.header_count += 1
            conv, count = header
            conv.id = conv_id
            summary = summarize(conv)
            summary.message_count = count
        else:
            self.parse_count += 1
            try:
                conv = schema.loads(data, path)
            except TruncatedFile as exc:
                conv = exc.conv  # type: ignore[assignment]
                stamp = self._recover_truncated(path, data, stamp, exc, locked=False)
            except ConversationFileError as exc:
                raise _BadFile(exc, stamp) from None
            conv.id = conv_id
            summary = summarize(conv)
        self.index.put(conv_id, stamp, summary)
        return summary

    def _problem(self, path: Path, message: str, moved_to: Path | None = None) -> None:
        if not any(p.path == path and p.message == message for p in self.problems):
            problem = LoadProblem(path, message, moved_to)
            self.problems.append(problem)
            if self.on_problem is not None:
                self.on_problem(problem)

    def _quarantine(self, path: Path, error: ConversationFileError, stamp: Stamp) -> None:
        """Move a bad file aside, but only if it is still the version that failed
        (another instance may have just replaced it with a good one)."""
        moved: Path | None = None
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if stat.S_ISREG(st.st_mode) and stamp_of(st) == stamp:
            stamped = utcnow().strftime("%Y%m%dT%H%M%S%f")
            moved = self.paths.quarantine_dir / f"{path.stem}.{stamped}{path.suffix}"
            try:
                os.replace(path, moved)
            except OSError:
                moved = None
            else:
                self._note(moved, str(error))
        note = f"{error.detail} (moved to {moved})" if moved else error.detail
        self._problem(path, note, moved)

    def _note(self, moved: Path, text: str) -> None:
        """Write the reason next to a quarantined file; both private (0600), as
        every file the app writes (a hand-made file may have come in as 0644)."""
        with contextlib.suppress(OSError):
            os.chmod(moved, 0o600)
        with contextlib.suppress(SaveError):
            note = moved.parent / f"{moved.name}.error.txt"
            atomic_write(note, (text + "\n").encode("utf-8"), durable=False)

    def _fail_load(self, conv_id: str, path: Path, bad: _BadFile) -> None:
        """Report a file that failed to load and move it aside (under its lock)."""
        self.index.drop(conv_id)
        self.cache.drop(conv_id)
        if bad.stamp is None:  # not a regular file: report only
            self._problem(path, bad.error.detail)
            return
        try:
            with self._lock(conv_id, timeout=1.0):
                self._quarantine(path, bad.error, bad.stamp)
        except LockTimeout:
            self._problem(path, bad.error.detail)

    def _remember(self, conv: Conversation, stamp: Stamp | None) -> None:
        key = id(conv)
        if key not in self._seen:
            weakref.finalize(conv, self._seen.pop, key, None)
        self._seen[key] = _Seen(
            ref=weakref.ref(conv),
            stamp=stamp,
            meta={name: getattr(conv, name) for name in META_FIELDS},
            message_ids={m.id for m in branches.all_messages(conv)},
        )

    def _seen_for(self, conv: Conversation) -> _Seen | None:
        seen = self._seen.get(id(conv))
        return seen if seen is not None and seen.ref() is conv else None

    # --- public API ----------------------------------------------------------------------

    def list(self) -> list[ConversationSummary]:
        """Every conversation, newest ``updated`` first, answered from the index
        (only files that changed since they were indexed are parsed)."""
        summaries: list[ConversationSummary] = []
        present: set[str] = set()
        try:
            entries = list(os.scandir(self.paths.conversations_dir))
        except OSError as exc:
            raise StoreError(f"cannot list {self.paths.conversations_dir}: {exc.strerror}") from exc
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not name.endswith(".toml"):
                continue
            conv_id = name[: -len(".toml")]
            path = Path(entry.path)
            if not schema.valid_id(conv_id):
                self._problem(path, "ignored: not a valid conversation file name")
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    what = "a symlink (links are not followed)" if entry.is_symlink() else None
                    self._problem(path, f"ignored: {what or 'not a regular file'}")
                    continue
                summary = self.index.get(conv_id, stamp_of(entry.stat(follow_symlinks=False)))
                if summary is None:
                    summary = self._summarize_file(conv_id, path)
            except FileNotFoundError:
                continue  # deleted meanwhile
            except _BadFile as bad:
                self._fail_load(conv_id, path, bad)
                continue
            except OSError as exc:
                self._problem(path, f"cannot be read: {exc.strerror}")
                continue
            present.add(conv_id)
            summaries.append(summary)
        self.index.keep_only(present)
        self.index.flush()
        self.cache.keep_only(present)
        summaries.sort(key=lambda s: s.updated, reverse=True)
        return summaries

    def load(self, conv_id: str) -> Conversation:
        """Read one conversation. A damaged file is moved to quarantine and
        :class:`ConversationFileError` names it (file, line, key)."""
        path = self.path_of(conv_id)
        cached = self._load_cached(conv_id, path)
        if cached is not None:
            self.files.bind(cached)
            return cached
        try:
            conv, stamp = self._read(path)
        except FileNotFoundError:
            raise ConversationNotFound(conv_id) from None
        except _BadFile as bad:
            self._fail_load(conv_id, path, bad)
            raise bad.error from None
        except OSError as exc:
            raise ConversationFileError(path, f"cannot be read: {exc.strerror}") from exc
        conv.id = conv_id
        self.files.bind(conv)
        self._remember(conv, stamp)
        self.index.put(conv_id, stamp, summarize(conv))
        self.cache.put(conv_id, stamp, conv)
        return conv

    def _load_cached(self, conv_id: str, path: Path) -> Conversation | None:
        """The cached copy of the file's current version, if there is one. The
        copy was made from the version with exactly this stamp, so pairing them is
        right even if the file is replaced right after the stat."""
        try:
            st = os.lstat(path)
        except OSError:
            return None  # the full read reports it
        if not stat.S_ISREG(st.st_mode):
            return None
        stamp = stamp_of(st)
        conv = self.cache.get(conv_id, stamp)
        if conv is not None:
            self._remember(conv, stamp)
            self.index.put(conv_id, stamp, summarize(conv))
        return conv

    def changed_on_disk(self, conv: Conversation) -> bool:
        """Whether the file was changed (by another instance) since this object
        was loaded or saved here. The UI can then :meth:`load` it again."""
        seen = self._seen_for(conv)
        try:
            current: Stamp | None = stamp_of(os.lstat(self.path_of(conv.id)))
        except FileNotFoundError:
            current = None
        return seen is None or seen.stamp != current

    def save(
        self, conv: Conversation, *, touch: bool = True, lock_timeout: float | None = None
    ) -> None:
        """Write ``conv`` atomically under its lock. If the file changed since this
        object was loaded or saved, the disk version is merged into ``conv`` first
        (in place). ``touch`` sets ``conv.updated`` to now; ``lock_timeout`` (default:
        the store's) bounds the wait for another writer. Raises SaveError."""
        path = self.path_of(conv.id)
        if touch:
            conv.updated = utcnow()
        with self._lock(conv.id, lock_timeout):
            try:
                st: os.stat_result | None = os.lstat(path)
            except FileNotFoundError:
                st = None
            seen = self._seen_for(conv)
            if st is not None and (seen is None or seen.stamp != stamp_of(st)):
                try:
                    disk, _ = self._read(path, locked=True)
                except FileNotFoundError:
                    disk = None
                except _BadFile as bad:
                    if bad.stamp is None:
                        raise SaveError(f"refusing to save {path}: {bad.error.message}") from None
                    self._quarantine(path, bad.error, bad.stamp)
                    disk = None
                except OSError as exc:
                    raise SaveError(f"cannot read {path} before saving: {exc.strerror}") from exc
                if disk is not None:
                    self.files.bind(disk)
                    merge_into(
                        conv, disk, seen.meta if seen else None, seen.message_ids if seen else set()
                    )
            # images before the file that refers to them; unreferenced ones after it
            self.files.write(conv)
            atomic_write(path, schema.dumps(conv).encode("utf-8"))
            stamp = stamp_of(os.stat(path))
            self.files.prune(conv)
        self._remember(conv, stamp)
        self.index.put(conv.id, stamp, summarize(conv))
        self.cache.put(conv.id, stamp, conv)

    def create(
        self,
        *,
        title: str = "New chat",
        profile: str | None = None,
        model: str | None = None,
        system_prompt: str = "",
    ) -> Conversation:
        """A new, saved, empty conversation."""
        conv = Conversation(title=title, profile=profile, model=model, system_prompt=system_prompt)
        self.save(conv, touch=False)
        return conv

    def rename(self, conv_id: str, title: str) -> None:
        """Change a conversation's title (its ``updated`` time is kept)."""
        conv = self.load(conv_id)
        conv.title = title
        self.save(conv, touch=False)

    def duplicate(self, conv_id: str) -> Conversation:
        """A saved copy with a new id, ``(copy)`` added to the title, fresh message ids."""
        source = self.load(conv_id)
        now = utcnow()
        copy_ = copy.deepcopy(source)
        copy_.id = new_id()
        copy_.title = f"{source.title} (copy)"
        copy_.created = copy_.updated = now
        branches.link(copy_)
        fresh = {m.id: new_id() for m in branches.all_messages(copy_)}
        for message in branches.all_messages(copy_):
            message.id = fresh[message.id]
            message.parent = fresh.get(message.parent) if message.parent else None
        self.save(copy_, touch=False)
        return copy_

    def delete(self, conv_id: str) -> None:
        """Move a conversation to the trash (restorable for 30 days)."""
        path = self.path_of(conv_id)
        with self._lock(conv_id):
            if not path.is_file():
                raise ConversationNotFound(conv_id)
            self.trash.put(conv_id, path)
        self.index.drop(conv_id)
        self.cache.drop(conv_id)

    def restore(self, conv_id: str) -> None:
        """Bring a conversation back from the trash."""
        path = self.path_of(conv_id)
        with self._lock(conv_id):
            self.trash.take(conv_id, path)

    def list_trash(self) -> list[TrashEntry]:
        """Conversations in the trash, most recently deleted first."""
        return self.trash.entries()

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Case-insensitive substring search over titles and message text."""
        from aichat_tui.store.search import search_conversations  # on use (issue 6)

        return search_conversations(self, query, limit)

    def partial_writer(
        self, conv_id: str, message_id: str, parent: str | None = None
    ) -> PartialWriter:
        """A sidecar writer for a reply being streamed into ``conv_id`` as a child
        of ``parent`` (the prompt it answers), so recovery puts it on its branch."""
        self.path_of(conv_id)  # validates the id
        if not schema.valid_id(message_id):  # it becomes part of a file name
            raise StoreError(f"invalid message id {message_id!r}")
        return PartialWriter(self.paths, conv_id, message_id, parent=parent)

    def recover(self) -> list[str]:
        """Fold replies left unfinished by a dead process back into their
        conversations, marked ``interrupted``. Returns the conversation ids changed."""
        changed: list[str] = []
        orphans, damaged = find_orphans(self.paths)
        for path, reason in damaged:
            moved = self.paths.quarantine_dir / path.name
            with contextlib.suppress(OSError):
                os.replace(path, moved)
                self._note(moved, f"{path}: {reason}")
            self._problem(path, f"{reason} (moved to {moved})", moved)
        for orphan in orphans:
            try:
                if orphan.text:
                    conv = self.load(orphan.conv_id)
                    if fold_in(conv, orphan.message_id, orphan.started, orphan.text, orphan.parent):
                        self.save(conv)
                        changed.append(orphan.conv_id)
                orphan.discard()
            except ConversationNotFound:
                moved = self.paths.quarantine_dir / orphan.path.name
                with contextlib.suppress(OSError):
                    os.replace(orphan.path, moved)
                    self._note(moved, f"{orphan.path}: partial reply for a missing conversation")
                orphan.discard()
                self._problem(orphan.path, "partial reply for a missing conversation", moved)
            except StoreError as exc:
                orphan.lock.release()  # keep the sidecar for the next start
                self._problem(orphan.path, f"could not recover a partial reply: {exc}")
        return changed
