"""Each way a sync can fail, with real git and real repositories in temp folders:
one clear line, nothing lost locally, and the data folder keeps working."""

from __future__ import annotations

import http.server
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aichat_tui.cli import main
from aichat_tui.store import load_settings, save_settings
from aichat_tui.store.lock import FileLock
from aichat_tui.sync import SyncError
from tests.sync.conftest import Machine, cli_args, git


def _set_remote(machine: Machine, remote: str) -> None:
    settings = load_settings(machine.paths)
    settings.sync.remote = remote
    save_settings(machine.paths, settings)


def _fails(machine: Machine, kind: str) -> str:
    with pytest.raises(SyncError) as caught:
        machine.sync()
    assert caught.value.kind == kind, str(caught.value)
    message = str(caught.value)
    assert "\n" not in message and message
    return message


def _intact(machine: Machine, conv_id: str, texts: list[str]) -> None:
    """The conversation is still there and the store still works."""
    assert machine.texts(conv_id) == texts
    more = machine.chat(conv_id, "still works")
    assert len(more.messages) == len(texts) + 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_git_on_the_machine(machines, remote, tmp_path, monkeypatch, capsys) -> None:
    a, _ = machines
    conv = a.chat(a.store.create(), "hello")
    a.init(remote)
    a.chat(conv.id, "offline")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    message = _fails(a, "no-git")
    assert "git is not installed" in message
    code = main(cli_args(a))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "git is not installed" in err
    _intact(a, conv.id, ["hello", "reply to hello", "offline", "reply to offline"])


def test_remote_unreachable_is_offline(machines, remote, capsys) -> None:
    a, _ = machines
    conv = a.chat(a.store.create(), "hello")
    a.init(remote)
    _set_remote(a, f"http://127.0.0.1:{_closed_port()}/remote.git")
    a.chat(conv.id, "offline")
    message = _fails(a, "offline")
    assert "127.0.0.1" in message
    # the local change was committed before fetching: it is safe in the repository
    assert "offline" in git("show", f"HEAD:conversations/{conv.id}.toml", cwd=a.paths.data_dir)
    code = main(cli_args(a))
    assert code == 4 and capsys.readouterr().err.count("\n") == 1
    _intact(a, conv.id, ["hello", "reply to hello", "offline", "reply to offline"])


class _Refuse(http.server.BaseHTTPRequestHandler):
    """A git HTTP remote that wants credentials and accepts none."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def auth_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_authentication_failure_never_prompts(machines, remote, auth_server, capsys) -> None:
    a, _ = machines
    conv = a.chat(a.store.create(), "hello")
    a.init(remote)
    _set_remote(a, f"http://{auth_server}/remote.git")
    _fails(a, "auth")  # no username to give, and no prompt: it fails at once
    _set_remote(a, f"http://me:hunter2-secret@{auth_server}/remote.git")
    message = _fails(a, "auth")
    assert "hunter2-secret" not in message
    code = main(cli_args(a))
    err = capsys.readouterr().err
    assert code == 5 and err.count("\n") == 1 and "hunter2-secret" not in err
    _intact(a, conv.id, ["hello", "reply to hello"])


def test_a_rejected_push_is_retried_after_fetching_and_merging(machines, remote) -> None:
    a, b = machines
    conv = a.chat(a.store.create(), "hello")
    a.init(remote)
    b.init(remote)
    b.chat(conv.id, "from b")
    a.chat(conv.id, "from a")
    # b pushes while the remote is receiving a's push: a's push is refused
    hook = remote / "hooks" / "pre-receive"
    marker = a.paths.data_dir.parent / "b-pushed"
    hook.write_text(
        "#!/bin/sh\n"
        f'[ -e "{marker}" ] && exit 0\n'
        f'touch "{marker}"\n'
        f'"{sys.executable}" -m aichat_tui sync --config-dir "{b.paths.config_dir}" '
        f'--data-dir "{b.paths.data_dir}" >"{marker}.log" 2>&1 </dev/null\n'
    )
    hook.chmod(0o755)
    report = a.sync()
    assert marker.exists() and report.sent
    assert sorted(a.texts(conv.id)) == sorted(
        ["hello", "reply to hello", "from a", "reply to from a", "from b", "reply to from b"]
    )
    assert git("rev-parse", "HEAD", cwd=a.paths.data_dir) == git("rev-parse", "main", cwd=remote)


def test_a_remote_with_unrelated_history_is_refused_then_init_combines(
    machines, remote, tmp_path, monkeypatch
) -> None:
    a, b = machines
    other = tmp_path / "other.git"
    git("init", "-q", "--bare", str(other))
    mine = a.chat(a.store.create(title="mine"), "a")
    a.init(remote)
    theirs = b.chat(b.store.create(title="theirs"), "b")
    # (set up in the same second, both first commits would be the very same commit)
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2001-01-01T00:00:00Z")
    b.init(other)
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    head = git("rev-parse", "HEAD", cwd=a.paths.data_dir)
    _set_remote(a, str(other))
    message = _fails(a, "unrelated")
    assert "unrelated" in message and "--init" in message
    assert git("rev-parse", "HEAD", cwd=a.paths.data_dir) == head
    assert [s.id for s in a.store.list()] == [mine.id]
    a.init(other)  # explicitly combining both
    assert {s.id for s in a.store.list()} == {mine.id, theirs.id}


def test_a_repository_in_the_middle_of_a_merge_is_left_alone(machines, remote) -> None:
    a, _ = machines
    conv = a.chat(a.store.create(), "hello")
    a.init(remote)
    head = git("rev-parse", "HEAD", cwd=a.paths.data_dir)
    (a.paths.data_dir / ".git" / "MERGE_HEAD").write_text(head)
    a.chat(conv.id, "later")
    message = _fails(a, "broken")
    assert "middle of a merge" in message
    assert git("rev-parse", "HEAD", cwd=a.paths.data_dir) == head
    _intact(a, conv.id, ["hello", "reply to hello", "later", "reply to later"])


def test_a_corrupt_head_is_reported_and_no_enclosing_repository_is_touched(
    machines, remote, tmp_path
) -> None:
    a, _ = machines
    git("init", "-q", str(tmp_path))  # the data folder now sits inside another repository
    conv = a.chat(a.store.create(), "hello")
    a.init(remote)
    (a.paths.data_dir / ".git" / "HEAD").write_text("garbage\n")
    message = _fails(a, "broken")
    assert "damaged" in message
    assert git("status", "--porcelain", "--untracked-files=no", cwd=tmp_path) == ""
    assert not (tmp_path / ".git" / "refs" / "heads" / "main").exists()
    _intact(a, conv.id, ["hello", "reply to hello"])


def test_a_second_sync_at_the_same_time_is_refused(machines, remote) -> None:
    a, _ = machines
    a.init(remote)
    with FileLock(a.paths.locks_dir / "sync.lock"):
        assert "another sync" in _fails(a, "busy")


def test_sync_before_init_says_how_to_set_it_up(machines, capsys) -> None:
    a, _ = machines
    code = main(cli_args(a))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "sync --init REMOTE" in err


def test_the_git_child_gets_no_terminal_and_no_prompts(machines, remote) -> None:
    """What git is started with: no stdin, no prompt, batch-mode ssh with the
    user's ssh configuration (no -F), a new session (no controlling terminal)."""
    from aichat_tui.sync.git import Git

    env = Git(machines[0].paths.data_dir)._env()
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_SSH_COMMAND"] == "ssh -o BatchMode=yes"
    if os.name == "posix":
        out = Git(Path(remote)).run("var", "GIT_EDITOR", check=False)
        assert out.code == 0
