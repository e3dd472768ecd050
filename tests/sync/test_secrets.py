"""Secrets never travel: no committed or pushed object holds a profile's key,
cookie or proxy password, even when config.toml is copied into a synced folder."""

from __future__ import annotations

import shutil

from aichat_tui.cli import main
from aichat_tui.models import Message, Profile
from aichat_tui.store import load_settings, save_settings
from tests.sync.conftest import cli_args, git

KEY = "sk-live-0123456789abcdef"
COOKIE = "cf-clearance-secret-cookie"
PROXY_PASSWORD = "pr0xy-p@ss:word"


def _all_objects(repo) -> bytes:
    """Every object's content in a repository (all commits, trees and blobs)."""
    listing = git("rev-list", "--all", "--objects", cwd=repo).split("\n")
    shas = [line.split(" ")[0] for line in listing if line.strip()]
    return b"".join(
        git("cat-file", "-p", sha, cwd=repo).encode("utf-8", "surrogateescape") for sha in shas
    )


def test_no_secret_is_ever_committed_or_pushed(machines, remote, capsys) -> None:
    a, _ = machines
    settings = load_settings(a.paths)
    settings.profiles["work"] = Profile(
        name="work",
        kind="aichat",
        base_url="https://chat.example",
        api_key=KEY,
        cookies={"cf_clearance": COOKIE},
        proxy=f"socks5h://me:{PROXY_PASSWORD}@127.0.0.1:1080",
    )
    save_settings(a.paths, settings)
    fine = a.chat(a.store.create(title="fine"), "ordinary")
    leaky = a.store.create(title="pasted a key")
    leaky.messages.append(Message("user", f"why does {KEY} fail?"))
    a.store.save(leaky)
    # the mistakes: config.toml copied into every synced folder, under synced names
    shutil.copy(a.paths.config_file, a.paths.conversations_dir / "config.toml")
    shutil.copy(a.paths.config_file, a.paths.themes_dir / "config.toml")
    shutil.copy(a.paths.config_file, a.paths.trash_dir / "backup.toml")
    code = main(cli_args(a, "--init", str(remote)))
    err = capsys.readouterr().err
    assert code == 0
    assert "not synced: conversations/config.toml" in err
    assert "not synced: themes/config.toml" in err
    assert f"not synced: conversations/{leaky.id}.toml: it contains a secret" in err
    for secret in (KEY, COOKIE, PROXY_PASSWORD):
        assert secret not in err
    # what did travel
    pushed = git("ls-tree", "-r", "--name-only", "main", cwd=remote).split()
    assert pushed == [".gitattributes", ".gitignore", f"conversations/{fine.id}.toml"]
    for repo in (remote, a.paths.data_dir):
        everything = _all_objects(repo)
        for secret in (KEY, COOKIE, PROXY_PASSWORD):
            assert secret.encode() not in everything
    # a file forced into the index by hand is taken out again
    git("add", "-f", "conversations/config.toml", cwd=a.paths.data_dir)
    a.chat(fine.id, "more")
    report = a.sync()
    assert any("conversations/config.toml" in n for n in report.notes)
    assert KEY.encode() not in _all_objects(remote)
