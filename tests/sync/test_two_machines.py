"""Two machines chatting offline and syncing through one bare repository (issue 15)."""

from __future__ import annotations

import shutil
from pathlib import Path

from aichat_tui.store import ConversationStore
from tests.sync.conftest import Machine, git


def _same_everywhere(a: Machine, b: Machine, remote: Path) -> None:
    assert a.files() == b.files()
    for folder in (a.paths.data_dir, b.paths.data_dir):
        assert git("rev-parse", "HEAD", cwd=folder) == git("rev-parse", "main", cwd=remote)
        assert git("status", "--porcelain", cwd=folder) == ""
    for body in a.files().values():
        assert b"<<<<<<<" not in body and b">>>>>>>" not in body


def test_both_chat_offline_then_every_message_is_everywhere(machines, remote) -> None:
    a, b = machines
    shared = a.store.create(title="shared")
    a.chat(shared, "first")
    a.init(remote)
    b.init(remote)  # b gets the shared conversation
    assert b.texts(shared.id) == ["first", "reply to first"]

    # offline: both add to the shared conversation and start new ones
    a.chat(shared.id, "a says")
    b.chat(shared.id, "b says")
    only_a = a.chat(a.store.create(title="only on a"), "alpha")
    only_b = b.chat(b.store.create(title="only on b"), "beta")

    a.sync()
    report = b.sync()
    assert report.sent and any(only_a.id in p for p in report.received)
    a.sync()

    for m in (a, b):
        texts = m.texts(shared.id)
        assert sorted(texts) == sorted(
            ["first", "reply to first", "a says", "reply to a says", "b says", "reply to b says"]
        )
        # each side's turns stay together, in order
        assert texts.index("reply to a says") == texts.index("a says") + 1
        assert texts.index("reply to b says") == texts.index("b says") + 1
        assert m.texts(only_a.id) == ["alpha", "reply to alpha"]
        assert m.texts(only_b.id) == ["beta", "reply to beta"]
    _same_everywhere(a, b, remote)


def test_a_second_sync_changes_nothing(machines, remote) -> None:
    a, b = machines
    a.chat(a.store.create(), "hi")
    a.init(remote)
    b.init(remote)
    head = git("rev-parse", "HEAD", cwd=b.paths.data_dir)
    report = b.sync()
    assert report.received == [] and not report.sent
    assert git("rev-parse", "HEAD", cwd=b.paths.data_dir) == head


def test_a_delete_here_and_a_new_message_there_keeps_the_message(machines, remote) -> None:
    a, b = machines
    conv = a.chat(a.store.create(title="precious"), "one")
    a.init(remote)
    b.init(remote)
    a.store.delete(conv.id)
    b.chat(conv.id, "two")
    a.sync()  # the deletion travels (as a trash tombstone)
    report = b.sync()
    assert any("precious" in n and "deleted on another machine" in n for n in report.notes)
    assert b.texts(conv.id) == ["one", "reply to one", "two", "reply to two"]
    report = a.sync()
    assert a.texts(conv.id) == ["one", "reply to one", "two", "reply to two"]
    assert conv.id not in [e.id for e in a.store.list_trash()]
    assert conv.id in [s.id for s in a.store.list()]
    _same_everywhere(a, b, remote)


def test_the_deleting_side_merging_last_is_told_too(machines, remote) -> None:
    a, b = machines
    conv = a.chat(a.store.create(title="precious"), "one")
    a.init(remote)
    b.init(remote)
    b.chat(conv.id, "two")
    b.sync()
    a.store.delete(conv.id)
    report = a.sync()
    assert any("precious" in n and "deleted here" in n for n in report.notes)
    assert a.texts(conv.id) == ["one", "reply to one", "two", "reply to two"]
    b.sync()
    _same_everywhere(a, b, remote)


def test_a_plain_delete_travels_and_can_be_restored_elsewhere(machines, remote) -> None:
    a, b = machines
    conv = a.chat(a.store.create(title="old"), "x")
    a.init(remote)
    b.init(remote)
    a.store.delete(conv.id)
    a.sync()
    report = b.sync()
    assert report.notes == []
    assert conv.id not in [s.id for s in b.store.list()]
    assert conv.id in [e.id for e in b.store.list_trash()]
    b.store.restore(conv.id)
    b.sync()
    a.sync()
    assert a.texts(conv.id) == ["x", "reply to x"]
    _same_everywhere(a, b, remote)


def test_titles_changed_on_both_sides_take_the_latest_change(machines, remote) -> None:
    a, b = machines
    conv = a.chat(a.store.create(title="start"), "x")
    a.init(remote)
    b.init(remote)
    a.store.rename(conv.id, "older name")
    later = b.store.load(conv.id)
    later.title = "newer name"
    b.store.save(later)  # touches `updated`: the later change
    a.sync()
    b.sync()
    a.sync()
    assert a.store.load(conv.id).title == b.store.load(conv.id).title == "newer name"
    _same_everywhere(a, b, remote)


def test_themes_travel_and_a_clash_keeps_one_version(machines, remote) -> None:
    a, b = machines
    a.init(remote)
    b.init(remote)
    (a.paths.themes_dir / "mine.toml").write_text('name = "mine"\nprimary = "#112233"\n')
    a.sync()
    b.sync()
    assert (b.paths.themes_dir / "mine.toml").read_text().startswith('name = "mine"')
    (a.paths.themes_dir / "mine.toml").write_text('name = "mine"\nprimary = "#aaaaaa"\n')
    (b.paths.themes_dir / "mine.toml").write_text('name = "mine"\nprimary = "#bbbbbb"\n')
    a.sync()
    b.sync()
    a.sync()
    _same_everywhere(a, b, remote)


def test_machine_local_files_are_never_committed(machines, remote) -> None:
    a, _ = machines
    conv = a.chat(a.store.create(), "x")
    a.store.list()  # writes index.json
    a.store.load(conv.id)  # and the JSON cache
    writer = a.store.partial_writer(conv.id, "m1")
    writer.update("streaming…")  # a crash journal (partial sidecar) and its lock
    (a.paths.quarantine_dir / "bad.toml").write_text("broken")
    (a.paths.conversations_dir / "notes.txt").write_text("x")
    a.init(remote)
    writer.close()
    tracked = git("ls-files", cwd=a.paths.data_dir).split()
    assert tracked == [".gitattributes", ".gitignore", f"conversations/{conv.id}.toml"]
    pushed = git("ls-tree", "-r", "--name-only", "main", cwd=remote).split()
    assert pushed == tracked


def test_branches_made_on_both_machines_are_all_kept(machines, remote) -> None:
    from aichat_tui import branches
    from aichat_tui.models import Message

    a, b = machines
    conv = a.chat(a.store.create(title="tree"), "question")
    a.init(remote)
    b.init(remote)
    first_reply = conv.messages[-1]
    made: set[str] = set()
    for machine in (a, b):
        mine = machine.store.load(conv.id)
        again = Message("assistant", f"regenerated on {machine.name}", status="complete")
        branches.add_branch(mine, first_reply.parent, again)
        machine.store.save(mine)
        made.add(again.id)
    a.sync()
    b.sync()
    a.sync()
    for machine in (a, b):
        every = {m.id: m for m in branches.all_messages(machine.store.load(conv.id))}
        assert made | {first_reply.id} <= set(every)
        assert {every[i].parent for i in made} == {first_reply.parent}
        assert branches.branch_count(machine.store.load(conv.id)) >= 3
    _same_everywhere(a, b, remote)


def test_a_data_folder_cloned_by_hand_joins_with_init(machines, remote) -> None:
    a, b = machines
    conv = a.chat(a.store.create(title="cloned"), "x")
    a.init(remote)
    shutil.rmtree(b.paths.data_dir)  # a fresh machine: the clone is its data folder
    git("clone", "-q", str(remote), str(b.paths.data_dir))
    b.store = ConversationStore(b.paths)
    b.init(remote)
    b.chat(conv.id, "from the clone")
    b.sync()
    a.sync()
    assert a.texts(conv.id) == ["x", "reply to x", "from the clone", "reply to from the clone"]
    _same_everywhere(a, b, remote)
