"""Issue 16, items 3, 6 and 8, and what the second outside attack found, from outside:
the real CLI in subprocesses, real pipes, real files in temp folders."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationStore, Paths
from tests.cli.chatgpt_export import conversations
from tests.reliability.helpers import ROOT, clean_env, run_cli


def home_paths(home: Path) -> Paths:
    return Paths.resolve(config_dir=home / "config", data_dir=home / "data")


def test_workspace_with_its_output_piped_refuses_at_once(tmp_path: Path) -> None:
    """Item 6: `aichat-tui --demo </dev/null | head -3` never exited."""
    env = clean_env(AICHAT_TUI_DATA_DIR=str(tmp_path / "d"), AICHAT_TUI_CONFIG_DIR=str(tmp_path))
    for extra in ("--demo", ""):
        pipeline = subprocess.Popen(
            f"{sys.executable} -m aichat_tui {extra} </dev/null | head -3",
            shell=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            out, err = pipeline.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(pipeline.pid, 9)
            raise AssertionError(f"aichat-tui {extra} | head -3 did not exit") from None
        lines = err.decode().strip().splitlines()
        assert out == b"" and len(lines) == 1, err
        assert "the workspace needs a terminal" in lines[0] and "aichat-tui ask" in lines[0]


def test_symlinks_in_the_conversations_folder_are_reported_by_the_cli(tmp_path: Path) -> None:
    """Item 8: the CLI skipped them silently while the workspace listed them."""
    paths = home_paths(tmp_path)
    store = ConversationStore(paths)
    target = tmp_path / "elsewhere.toml"
    target.write_text("secret = 1\n")
    link = paths.conversations_dir / ("a" * 32 + ".toml")
    link.symlink_to(target)
    out = run_cli(tmp_path, "sessions", "list")
    assert out.returncode == 0
    store.list()  # what the workspace shows comes from the same store
    assert [f"{p.path}: {p.message}" for p in store.problems] == [
        f"{link}: ignored: a symlink (links are not followed)"
    ]
    assert f"aichat-tui: warning: {link}: ignored: a symlink (links are not followed)" in (
        out.stderr.splitlines()
    )
    assert link.is_symlink() and target.read_text() == "secret = 1\n"


def walk_modes(root: Path) -> dict[Path, int]:
    found = {root: stat.S_IMODE(os.lstat(root).st_mode)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            found[path] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def test_every_file_of_a_busy_cli_session_is_private(tmp_path: Path) -> None:
    """Item 3: quarantine notes were 0644. A busy session under umask 022: imports,
    renames, deletes, a damaged file, a truncated one, a hand-made 0644 file, an
    export to a new file; then every file and folder written is 0600 / 0700."""
    paths = home_paths(tmp_path)
    store = ConversationStore(paths)
    conv = Conversation(title="two")
    conv.messages = [Message("user", "q"), Message("assistant", "a", status="complete")]
    store.save(conv)
    path = store.path_of(conv.id)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"[[messages]]")])  # cut short
    damaged = paths.conversations_dir / ("b" * 32 + ".toml")
    damaged.write_text('title = "x\n')
    os.chmod(damaged, 0o644)  # hand-made files come in with the umask's mode
    source = tmp_path / "conversations.json"
    source.write_text(json.dumps(conversations()))
    old = os.umask(0o022)
    try:
        steps = [
            ("import", str(source)),
            ("sessions", "list"),
            ("sessions", "show", conv.id[:8]),
            ("sessions", "rename", conv.id[:8], "renamed"),
            ("export", conv.id[:8], "-f", "json", "-o", str(paths.data_dir / "out.json")),
            ("sessions", "delete", conv.id[:8]),
            ("sessions", "search", "q"),
        ]
        for step in steps:
            out = run_cli(tmp_path, *step)
            assert out.returncode == 0, (step, out.stderr)
    finally:
        os.umask(old)
    modes = {**walk_modes(paths.config_dir), **walk_modes(paths.data_dir)}
    notes = [p for p in modes if p.name.endswith(".error.txt")]
    assert len(notes) == 2, sorted(modes)  # the damaged file and the cut one
    assert (paths.data_dir / "out.json") in modes and paths.trash_dir in modes
    wrong = {str(p): oct(m) for p, m in modes.items() if m != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}


def test_import_from_devices_pipes_and_fifos_ends(tmp_path: Path) -> None:
    """Attack: `import /dev/zero` read without end (zipfile's probe); a FIFO was
    opened twice (the probe, then the read) and hung."""
    for device in ("/dev/zero", "/dev/urandom"):
        out = run_cli(tmp_path, "import", device, timeout=120)
        assert out.returncode == 2 and "not valid JSON" in out.stderr, out.stderr
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(
        [sys.executable, "-c", f"open({str(fifo)!r}, 'w').write({json.dumps(conversations())!r})"]
    )
    try:
        out = run_cli(tmp_path, "import", str(fifo), timeout=120)
    finally:
        writer.wait(timeout=60)
    assert out.returncode == 0 and "2 imported" in out.stdout, out.stderr
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("conversations.json", json.dumps(conversations()))
    piped = run_cli(tmp_path, "import", "/dev/stdin", input=archive.read_bytes())
    assert piped.returncode == 2 and "save it to a file first" in piped.stderr


def test_a_fifo_as_config_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Attack: config.toml as a FIFO blocked `ask` (and the workspace) forever."""
    (tmp_path / "config").mkdir()
    os.mkfifo(tmp_path / "config" / "config.toml")
    out = run_cli(tmp_path, "ask", "hi", timeout=120)
    assert out.returncode == 3
    assert "config.toml: not a regular file (a FIFO, socket or device)" in out.stderr


def test_a_50_mb_title_does_not_bloat_the_index(tmp_path: Path) -> None:
    """Attack: a hand-made file with a 50 MB title made index.json 50 MB, read
    again by every start (1.4 s, 120 MB for `sessions list`)."""
    paths = home_paths(tmp_path)
    ConversationStore(paths)
    huge = paths.conversations_dir / ("c" * 32 + ".toml")
    huge.write_text('schema_version = 1\ntitle = "' + "x" * 20_000_000 + '"\n')
    out = run_cli(tmp_path, "sessions", "list")
    assert out.returncode == 0 and "cccccccc" in out.stdout
    assert paths.index_file.stat().st_size < 100_000


def test_hostile_theme_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    """Attack: a theme nested 50,000 deep crashed the workspace at start with a
    RecursionError traceback; a FIFO named *.toml is skipped, not waited on."""
    from aichat_tui.ui.themes import load_themes

    paths = home_paths(tmp_path)
    paths.ensure()
    (paths.themes_dir / "deep.toml").write_text("x = " + "[" * 50_000)
    (paths.themes_dir / "types.toml").write_text('name = 5\n[colors]\nprimary = "#zzzzzz"\n')
    os.mkfifo(paths.themes_dir / "fifo.toml")
    themes, errors = load_themes(paths)
    assert themes  # the bundled ones still load
    assert any("deep.toml: invalid TOML: nested too deeply" in e for e in errors), errors
    assert any("types.toml" in e for e in errors), errors
    assert not any("fifo" in e for e in errors)  # not a file: not a theme


def test_fifos_in_place_of_the_index_cache_and_sidecars_never_block(tmp_path: Path) -> None:
    """Attack: index.json as a FIFO hung `sessions list` (and the workspace's
    start) forever; the cache copies and reply sidecars were read the same way."""
    from aichat_tui.store.cache import ConversationCache
    from aichat_tui.store.index import Index
    from aichat_tui.store.partial import read_sidecar

    paths = home_paths(tmp_path)
    store = ConversationStore(paths)
    conv = Conversation(title="still here")
    conv.messages = [Message("user", "u")]
    store.save(conv)
    paths.index_file.unlink(missing_ok=True)
    os.mkfifo(paths.index_file)
    out = run_cli(tmp_path, "sessions", "list", timeout=120)
    assert out.returncode == 0 and "still here" in out.stdout
    assert Index(paths.index_file).entries == {}
    cache = ConversationCache(paths.cache_dir)
    paths.cache_dir.mkdir(exist_ok=True)
    copy = paths.cache_dir / f"{conv.id}.json"
    copy.unlink(missing_ok=True)
    os.mkfifo(copy)
    assert cache.get(conv.id, (1, 2, 3, 4)) is None  # type: ignore[arg-type]
    sidecar = tmp_path / "x.partial.json"
    os.mkfifo(sidecar)
    try:
        read_sidecar(sidecar)
    except ValueError as exc:
        assert "not a regular file" in str(exc)
    else:
        raise AssertionError("a FIFO sidecar was accepted")
