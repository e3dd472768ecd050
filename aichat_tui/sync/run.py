"""One sync: commit what changed here, fetch, merge, push (retried when the push
is refused because another machine pushed meanwhile). Also ``--init``."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from aichat_tui.models import Settings, split_credentials
from aichat_tui.store.errors import LockTimeout, SaveError
from aichat_tui.store.lock import FileLock
from aichat_tui.store.paths import Paths
from aichat_tui.sync.errors import SyncError
from aichat_tui.sync.repo import BRANCH, SyncRepo

PUSH_ATTEMPTS = 3


@dataclass
class SyncReport:
    """What a completed sync did: synced files changed here and what was sent,
    plus notes for the user (refused files, deletions met by edits)."""

    received: list[str] = field(default_factory=list)
    sent: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the user."""
        got = len(self.received)
        parts = [f"{got} file(s) updated here" if got else "nothing new from the remote"]
        parts.append("changes sent" if self.sent else "nothing to send")
        return "synced: " + ", ".join(parts)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret config.toml holds (keys, cookies, proxy passwords, the
    remote's password): none of them may be committed or printed."""
    found = [s for profile in settings.profiles.values() for s in profile.secrets()]
    password = split_credentials(settings.sync.remote)[2]
    if password:
        found.append(password)
    return found


def _repo(paths: Paths, remote: str, settings: Settings) -> SyncRepo:
    if not remote.strip():
        raise SyncError(
            "not-set-up", "no sync remote is configured: run `aichat-tui sync --init REMOTE`"
        )
    try:
        paths.ensure()
    except OSError as exc:
        raise SyncError("error", f"cannot create {exc.filename}: {exc.strerror}") from exc
    return SyncRepo(paths, remote.strip(), secrets_of(settings))


def _sync_lock(paths: Paths) -> FileLock:
    return FileLock(paths.locks_dir / "sync.lock", 0.0, what="the sync repository")


def sync(paths: Paths, settings: Settings, *, allow_unrelated: bool = False) -> SyncReport:
    """Sync the data folder with ``settings.sync.remote``; raises SyncError (one line,
    nothing lost locally) when it cannot."""
    repo = _repo(paths, settings.sync.remote, settings)
    lock = _sync_lock(paths)
    try:
        lock.acquire()
    except LockTimeout:
        raise SyncError("busy", "another sync of this data folder is running") from None
    except SaveError as exc:
        raise SyncError("error", str(exc)) from exc
    try:
        return _sync_locked(repo, allow_unrelated)
    finally:
        lock.release()


def _sync_locked(repo: SyncRepo, allow_unrelated: bool) -> SyncReport:
    repo.check_state()
    repo.configure()
    host = socket.gethostname() or "this machine"
    report = SyncReport(notes=repo.notes)
    repo.commit_local(f"aichat-tui: conversations from {host}")
    for attempt in range(PUSH_ATTEMPTS):
        theirs = repo.fetch()
        if theirs is not None:
            report.received += repo.merge(theirs, allow_unrelated=allow_unrelated)
        if theirs == repo.head():
            return report
        try:
            repo.push()
        except SyncError as exc:
            if exc.kind != "rejected" or attempt == PUSH_ATTEMPTS - 1:
                if exc.kind == "rejected":
                    raise SyncError(
                        "rejected",
                        f"the remote kept refusing the push ({exc}); your conversations are "
                        "safe here, sync again later",
                    ) from exc
                raise
            continue
        report.sent = True
        return report
    return report


def init(paths: Paths, settings: Settings, remote: str) -> SyncReport:
    """Set up (or re-point) the repository in the data folder, remember ``remote``
    in config.toml and sync. A remote that already holds conversations (another
    machine's) is merged with this machine's."""
    from aichat_tui.store.config import save_settings

    settings.sync.remote = remote.strip()
    repo = _repo(paths, settings.sync.remote, settings)
    host = socket.gethostname() or "a machine"
    if not repo.exists:
        repo.create()
        repo.configure()
        repo.commit_setup(f"aichat-tui: sync set up on {host}")
    elif repo.unborn():  # e.g. cloned by hand: start on our branch
        repo.git.run("symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
        repo.configure()
        if repo.unborn():
            repo.commit_setup(f"aichat-tui: sync set up on {host}")
    save_settings(paths, settings)
    return sync(paths, settings, allow_unrelated=True)
