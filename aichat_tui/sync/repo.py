"""The git repository in the data folder: set-up, committing what may travel,
fetching, merging (conflicts resolved, never left as markers) and pushing."""

from __future__ import annotations

import contextlib
import shlex
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from aichat_tui.store.atomic import atomic_write
from aichat_tui.store.errors import StoreError
from aichat_tui.store.lock import FileLock
from aichat_tui.store.paths import Paths
from aichat_tui.sync import layout, treemerge
from aichat_tui.sync.errors import SyncError
from aichat_tui.sync.git import NETWORK_TIMEOUT, Git, first_line

BRANCH = "main"
REMOTE_NAME = "origin"
REMOTE_REF = f"refs/remotes/{REMOTE_NAME}/{BRANCH}"
_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}


def driver_command() -> str:
    """The merge driver as git runs it: this Python and this package, so it works
    wherever aichat-tui is installed (re-registered at every sync)."""
    python = shlex.quote(sys.executable.replace("\\", "/"))
    return f"{python} -m aichat_tui.sync.driver %O %A %B %P"


class SyncRepo:
    """The data folder as a git work tree. ``notes`` collects what the user is told."""

    def __init__(self, paths: Paths, remote: str, secrets: list[str]) -> None:
        self.paths = paths
        self.root = paths.data_dir
        self.remote = remote
        self.git = Git(self.root, secrets)
        self.secret_forms = layout.secret_forms(secrets)
        self.notes: list[str] = []

    # --- set-up ---------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        """Whether the data folder has a repository."""
        return (self.root / ".git").exists()

    def create(self) -> None:
        """A new repository on branch ``main`` (any git version)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.git.run("init", "-q")
        self.git.run("symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")

    def unborn(self) -> bool:
        """Whether HEAD is a valid branch name without any commit (a fresh clone
        of a remote whose default branch does not exist, say)."""
        if self._commit("HEAD") is not None:
            return False
        return self.git.run("symbolic-ref", "-q", "HEAD", check=False).code == 0

    def configure(self) -> None:
        """Write the ignore/attribute files and register the merge driver, the remote
        and (only if git has none) an identity for the commits."""
        for name, text in (
            (".gitignore", layout.GITIGNORE),
            (".gitattributes", layout.GITATTRIBUTES),
        ):
            path = self.root / name
            try:
                current = path.read_text(encoding="utf-8") if path.is_file() else None
                if current != text:
                    atomic_write(path, text.encode("utf-8"), mode=0o644)
            except (OSError, StoreError) as exc:
                raise SyncError("error", f"cannot write {path}: {exc}") from exc
        config = self._config()
        wanted = {
            f"merge.{layout.DRIVER_NAME}.name": "aichat-tui conversation merge (messages by id)",
            f"merge.{layout.DRIVER_NAME}.driver": driver_command(),
            f"remote.{REMOTE_NAME}.url": self.remote,
            f"remote.{REMOTE_NAME}.fetch": f"+refs/heads/*:refs/remotes/{REMOTE_NAME}/*",
        }
        for key, value in wanted.items():
            if config.get(key.lower()) != value:
                self.git.run("config", key, value)
        identity = self.git.run("config", "--get", "user.email", check=False).out.strip()
        if not identity:
            host = socket.gethostname() or "localhost"
            self.git.run("config", "user.name", f"aichat-tui on {host}")
            self.git.run("config", "user.email", f"aichat-tui@{host}")

    def _config(self) -> dict[str, str]:
        out = self.git.run("config", "--local", "--list", "-z", check=False).out
        found: dict[str, str] = {}
        for entry in out.split("\0"):
            key, _, value = entry.partition("\n")
            if key:
                found[key.lower()] = value
        return found

    def check_state(self) -> None:
        """Refuse (SyncError "broken") a repository that is mid-operation or damaged;
        nothing is touched then."""
        if not self.exists:
            raise SyncError(
                "not-set-up",
                f"{self.root} has no sync repository: run `aichat-tui sync --init REMOTE`",
            )
        git_dir = self.root / ".git"
        for name, what in _IN_PROGRESS.items():
            if (git_dir / name).exists():
                raise SyncError(
                    "broken",
                    f"the sync repository {git_dir} is in the middle of {what}: finish or "
                    f"abort it with git (nothing was changed)",
                )
        if (git_dir / "index.lock").exists():
            raise SyncError(
                "broken",
                f"{git_dir / 'index.lock'} exists: another git command is running there, or one "
                "crashed (then delete that file)",
            )
        head = self.git.run("rev-parse", "--verify", "-q", "HEAD", check=False)
        if head.code != 0:
            detail = first_line(head.err) if head.err.strip() else "HEAD names no commit"
            raise SyncError(
                "broken",
                f"the sync repository {git_dir} is damaged ({detail}); nothing was changed",
            )

    # --- local commits --------------------------------------------------------------------

    def commit_local(self, message: str) -> bool:
        """Commit the conversations, trash and themes that may travel; report the rest.
        Returns whether a commit was made."""
        status = self.git.run(
            "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"
        ).out
        add: list[str] = []
        for entry in status.split("\0"):
            if len(entry) < 4:
                continue
            code, relpath = entry[:2], entry[3:]
            if not (self.root / relpath).exists() and not (self.root / relpath).is_symlink():
                if self._deleted_by_hand(relpath):
                    continue
                add.append(relpath)
                continue
            reason = layout.refusal(self.root, relpath, self.secret_forms)
            if reason is None:
                add.append(relpath)
                continue
            self.notes.append(f"not synced: {relpath}: {reason}")
            if code[0] not in (" ", "?"):
                self.git.run("reset", "-q", "--", relpath, check=False)
        for chunk in _chunks(add):
            self.git.run("add", "-A", "--", *chunk)
        self._unstage_strays()
        if self.git.run("diff", "--cached", "--quiet", check=False).code == 0:
            return False
        self.git.run("commit", "-q", "--no-verify", "-m", message)
        return True

    def commit_setup(self, message: str) -> None:
        """The first commit: the ignore and attribute files alone (what else may
        travel is committed, and reported, by the sync that follows)."""
        self.git.run("add", "--", ".gitignore", ".gitattributes")
        self.git.run("commit", "-q", "--no-verify", "-m", message)

    def _deleted_by_hand(self, relpath: str) -> bool:
        """A conversation that left ``conversations/`` without going to the trash
        (moved to the quarantine, or removed by hand) is not a deletion to sync:
        the last synced version is put back. Returns whether it was."""
        if layout.kind_of(relpath) != "conversation":
            return False
        if (self.paths.trash_dir / Path(relpath).name).exists():
            return False
        back = self.git.run("checkout", "HEAD", "--", relpath, check=False)
        if back.code != 0:
            return False
        self.notes.append(
            f"{relpath} was removed outside aichat-tui: put back the last synced version "
            "(delete sessions in aichat-tui so that the deletion syncs)"
        )
        return True

    def _unstage_strays(self) -> None:
        """Whatever else was staged (``git add -f`` by hand) does not travel."""
        staged = self.git.run("diff", "--cached", "--name-only", "-z").out
        for relpath in filter(None, staged.split("\0")):
            if not (self.root / relpath).exists():
                continue
            reason = layout.refusal(self.root, relpath, self.secret_forms)
            if reason is not None:
                self.git.run("reset", "-q", "--", relpath, check=False)
                self.notes.append(f"not synced: {relpath}: {reason}")

    # --- the remote -----------------------------------------------------------------------

    def fetch(self) -> str | None:
        """Fetch the remote; its branch's commit, or None when it has none yet."""
        self.git.run("fetch", "-q", "--prune", "--no-tags", REMOTE_NAME, timeout=NETWORK_TIMEOUT)
        return self._commit(REMOTE_REF)

    def _commit(self, ref: str) -> str | None:
        found = self.git.run("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
        return found.out.strip() or None

    def head(self) -> str:
        """The current commit."""
        commit = self._commit("HEAD")
        if commit is None:
            raise SyncError("broken", "the sync repository has no current commit")
        return commit

    def push(self) -> None:
        """Push ``main``; a refused push raises SyncError("rejected")."""
        result = self.git.run(
            "push",
            "-q",
            "--no-verify",
            REMOTE_NAME,
            f"HEAD:refs/heads/{BRANCH}",
            timeout=NETWORK_TIMEOUT,
            check=False,
        )
        if result.code != 0:
            raise self.git.error(result)

    # --- merging --------------------------------------------------------------------------

    def merge(self, theirs: str, *, allow_unrelated: bool) -> list[str]:
        """Merge the remote commit ``theirs`` (:mod:`.treemerge`); returns the synced
        paths it changed here. The conversations it touches are locked meanwhile (the
        app waits to save them), and what was written here before is committed first."""
        head = self.head()
        if self._is_ancestor(theirs, head):
            return []
        base = self.git.run("merge-base", head, theirs, check=False).out.strip()
        if not base and not allow_unrelated:
            raise SyncError(
                "unrelated",
                f"the remote {self.remote} holds another, unrelated history (not this data "
                "folder's); nothing was changed. To combine both, run "
                "`aichat-tui sync --init REMOTE` again",
            )
        theirs_tree = self._tree(theirs)
        base_tree = self._tree(base) if base else {}
        incoming = {
            p for p in set(base_tree) | set(theirs_tree) if base_tree.get(p) != theirs_tree.get(p)
        }
        ids = sorted(
            {Path(p).stem for p in incoming if layout.kind_of(p) in ("conversation", "trash")}
        )
        with self._locked(ids):
            self.commit_local("aichat-tui: conversations changed while syncing")
            head = self.head()
            ours_tree = self._tree(head)
            blobs = self._blobs(treemerge.needed_blobs(base_tree, ours_tree, theirs_tree))
            plan = treemerge.plan_merge(base_tree, ours_tree, theirs_tree, blobs)
            self._refuse_dirty(plan.writes, ours_tree)
            self._apply(plan.writes)
            tree = self.git.run("write-tree").out.strip()
            if base == head and tree == self.git.run("rev-parse", f"{theirs}^{{tree}}").out.strip():
                commit = theirs  # a fast-forward
            else:
                commit = self.git.run(
                    "commit-tree", tree, "-p", head, "-p", theirs, "-m", "aichat-tui: sync"
                ).out.strip()
            self.git.run("update-ref", "-m", "aichat-tui sync", "HEAD", commit, head)
            self.notes.extend(plan.notes)
        return [p for p in plan.writes if layout.kind_of(p) not in (None, "setup")]

    def _is_ancestor(self, older: str, newer: str) -> bool:
        return self.git.run("merge-base", "--is-ancestor", older, newer, check=False).code == 0

    @contextlib.contextmanager
    def _locked(self, conv_ids: list[str]) -> Iterator[None]:
        """The store's per-conversation locks, so no save lands mid-merge."""
        held: list[FileLock] = []
        try:
            for conv_id in conv_ids:
                lock = FileLock(
                    self.paths.locks_dir / f"{conv_id}.lock", 30.0, what=f"conversation {conv_id}"
                )
                try:
                    lock.acquire()
                except StoreError as exc:
                    raise SyncError("busy", str(exc)) from exc
                held.append(lock)
            yield
        finally:
            for lock in held:
                lock.release()

    def _tree(self, commit: str) -> dict[str, str]:
        """Every file of a commit: path -> blob id."""
        out = self.git.run("ls-tree", "-r", "-z", "--full-tree", commit).out
        tree: dict[str, str] = {}
        for entry in filter(None, out.split("\0")):
            info, _, path = entry.partition("\t")
            _mode, kind, blob = info.split()
            if kind == "blob":
                tree[path] = blob
        return tree

    def _blobs(self, ids: set[str]) -> dict[str, bytes]:
        """The contents of many blobs in one ``git cat-file --batch``."""
        if not ids:
            return {}
        order = sorted(ids)
        raw = self.git.run(
            "cat-file", "--batch", stdin="".join(f"{b}\n" for b in order).encode()
        ).raw
        found: dict[str, bytes] = {}
        at = 0
        for blob in order:
            end = raw.index(b"\n", at)
            header = raw[at:end].split()
            if len(header) != 3 or header[1] != b"blob":
                raise SyncError("broken", f"the sync repository lacks object {blob}")
            size = int(header[2])
            found[blob] = raw[end + 1 : end + 1 + size]
            at = end + 1 + size + 1
        return found

    def _refuse_dirty(self, writes: dict[str, bytes | None], ours: dict[str, str]) -> None:
        """Never overwrite a change here that was not committed (a refused file)."""
        paths = list(writes)
        dirty = set()
        for chunk in _chunks(paths):
            out = self.git.run("diff", "--name-only", "-z", "HEAD", "--", *chunk).out
            dirty.update(filter(None, out.split("\0")))
        dirty.update(p for p in paths if p not in ours and (self.root / p).exists())
        if dirty:
            first = sorted(dirty)[0]
            raise SyncError(
                "conflict",
                f"{first} changed on another machine and has changes here that cannot be "
                "synced (see the notes above); nothing was changed",
            )

    def _apply(self, writes: dict[str, bytes | None]) -> None:
        """Write the merged files into the data folder and the index."""
        for relpath, data in writes.items():
            path = self.root / relpath
            try:
                if data is None:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                    if path.parent.name.endswith(".files"):
                        with contextlib.suppress(OSError):
                            path.parent.rmdir()  # only when it is now empty
                else:
                    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    atomic_write(path, data)
            except (OSError, StoreError) as exc:
                raise SyncError("error", f"cannot write {path}: {exc}") from exc
        listing = "".join(f"{p}\0" for p in writes).encode("utf-8")
        self.git.run("update-index", "--add", "--remove", "-z", "--stdin", stdin=listing)


def _chunks(items: list[str], size: int = 200) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
