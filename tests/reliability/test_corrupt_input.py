"""Corrupt and hand-edited files met by the real app at start (faults 16-23): the
app starts, says which file and line, never overwrites or resets a damaged file,
and everything else still works. Parser-level cases (torn files at every byte,
BOM, round trips) are in tests/store/test_files.py and test_config.py."""

from __future__ import annotations

import os

from aichat_tui.loopback import LoopbackServer
from aichat_tui.models import Message, Profile, Settings
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.store.conversations import FILE_SIZE_LIMIT
from aichat_tui.ui.app import AichatApp

from .helpers import save_work_profile
from .uihelpers import make_app, send, settled, wait_until

GOOD_ID = "a" * 32
VALID_HEADER = (
    'schema_version = 1\nid = "{id}"\ntitle = "t"\ncreated = 2026-01-01T00:00:00Z\n'
    "updated = 2026-01-01T00:00:00Z\n"
)
BAD_FILES: dict[str, bytes] = {
    # name -> content; each must be reported and moved aside, byte-exact
    "unterminated": b'schema_version = 1\ntitle = "x\n',
    "duplicate-key": b"schema_version = 1\na = 1\na = 2\n",
    "invalid-utf8": b'schema_version = 1\ntitle = "\xff"\n',
    "empty": b"",
    "whitespace": b"  \n\t\n",
    "nul-garbage": VALID_HEADER.format(id="b" * 32).encode() + b"\0" * 32 + b"garbage",
    "messages-string": VALID_HEADER.format(id="c" * 32).encode() + b'messages = "x"\n',
    "role-int": VALID_HEADER.format(id="d" * 32).encode()
    + b'[[messages]]\nid = "m1"\nrole = 5\ncontent = "x"\ntime = 2026-01-01T00:00:00Z\n',
    "unknown-role": VALID_HEADER.format(id="e" * 32).encode()
    + b'[[messages]]\nid = "m1"\nrole = "wizard"\ncontent = "x"\ntime = 2026-01-01T00:00:00Z\n',
    "time-int": VALID_HEADER.format(id="f" * 32).encode()
    + b'[[messages]]\nid = "m1"\nrole = "user"\ncontent = "x"\ntime = 2024\n',
}


def ids_for(names) -> dict[str, str]:
    """A valid conversation id per bad file (ids are 32 hex digits)."""
    return {name: f"{i:032x}" for i, name in enumerate(names, start=1)}


async def test_damaged_conversations_are_reported_moved_aside_and_the_rest_works(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    store = ConversationStore(app_dirs)
    good = store.create(title="the good one")
    good.messages.append(Message("user", "still here"))
    store.save(good)
    ids = ids_for(BAD_FILES)
    for name, data in BAD_FILES.items():
        (app_dirs.conversations_dir / f"{ids[name]}.toml").write_bytes(data)
    huge = app_dirs.conversations_dir / f"{'9' * 32}.toml"
    huge.touch()
    os.truncate(huge, FILE_SIZE_LIMIT + 1)  # sparse: over the size limit, no real data
    link = app_dirs.conversations_dir / f"{'8' * 32}.toml"
    os.symlink(store.path_of(good.id), link)
    folder = app_dirs.conversations_dir / f"{'7' * 32}.toml"
    folder.mkdir()

    app, notices = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await pilot.pause()
        assert ws.sessions.option_count == 1  # only the good one is listed
        assert ws.conv is not None and ws.conv.id == good.id
        errors = "\n".join(notices.errors())
        for name in BAD_FILES:
            assert ids[name] in errors, f"{name} was not reported"
        assert "line 2" in errors  # the unterminated string names its line
        assert "too large" in errors and "not a regular file" in errors
        # the app still works
        await send(pilot, app, "and now?")
        await wait_until(pilot, lambda: settled(app))
        assert ws.conv.messages[-1].status == "complete"
    # each damaged file was moved aside byte-exact, never rewritten or emptied
    quarantined = {p.name.split(".")[0]: p for p in app_dirs.quarantine_dir.glob("*.toml")}
    for name, data in BAD_FILES.items():
        assert quarantined[ids[name]].read_bytes() == data, name
    assert not (app_dirs.conversations_dir / f"{ids['empty']}.toml").exists()
    # the symlink and the folder were left alone; the link target is intact
    assert link.is_symlink() and folder.is_dir()
    assert ConversationStore(app_dirs).load(good.id).messages[0].content == "still here"


async def test_broken_config_is_never_overwritten_by_the_app(
    app_dirs: Paths, loopback: LoopbackServer
) -> None:
    save_work_profile(app_dirs, base_url=loopback.openai_url, api_key="sk-keep-me")
    text = app_dirs.config_file.read_text()
    broken = text.replace("[profiles.work]", "[profiles.work\n", 1) + "theme = 'x\n"
    app_dirs.config_file.write_text(broken)
    app = AichatApp(paths=app_dirs)
    seen: list[str] = []
    real = app.notify
    app.notify = lambda message, *a, **k: (seen.append(str(message)), real(message, *a, **k))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any(str(app_dirs.config_file) in m and "line" in m for m in seen), seen
        # Things that save settings must refuse, not replace the file with defaults.
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        app.apply_settings(Settings())
        await pilot.pause()
        assert app.is_running
    assert app_dirs.config_file.read_text() == broken  # nothing reset, the key survives
