"""Conversation trees (issue 13) in the store: old linear files load unchanged,
a tree round-trips through the TOML file, the JSON cache, the crash journal and
the JSON export, and two writers adding branches to one conversation keep both."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aichat_tui import branches
from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationStore, Paths, from_json, schema, to_json, to_markdown
from aichat_tui.store.partial import PartialWriter
from tests.store.test_concurrency import REPO

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

OLD_FILE = """schema_version = 1
id = "oldlinear"
title = "Written before branches"
created = 2026-01-02T03:04:05.678000+00:00
updated = 2026-01-02T03:05:05.678000+00:00
system_prompt = ""
message_count = 3

[[messages]]
id = "m1"
role = "user"
time = 2026-01-02T03:04:05.678000+00:00
content = "first"

[[messages]]
id = "m2"
role = "assistant"
time = 2026-01-02T03:04:06.678000+00:00
status = "complete"
content = "second"

[[messages]]
id = "m3"
role = "user"
time = 2026-01-02T03:04:07.678000+00:00
content = "third"
"""


def msg(role: str, text: str, minute: int, mid: str) -> Message:
    status = "complete" if role == "assistant" else None
    return Message(role, text, time=T0 + timedelta(minutes=minute), status=status, id=mid)  # type: ignore[arg-type]


def tree() -> Conversation:
    """u1 a1 u2 a2, then u2 edited (u2b, a2b: active), then a2b regenerated twice
    (a2c, a2d), then back on u2b's newest reply: 4 branches."""
    conv = Conversation(id="tree", title="A tree", created=T0, updated=T0)
    conv.messages += [
        msg("user", "first question", 0, "u1"),
        msg("assistant", "first answer", 1, "a1"),
        msg("user", "original second question", 2, "u2"),
        msg("assistant", "original second answer", 3, "a2"),
    ]
    conv.add_branch("a1", msg("user", "edited second question", 4, "u2b"))
    conv.messages.append(msg("assistant", "answer to the edit", 5, "a2b"))
    conv.add_branch("u2b", msg("assistant", "regenerated once", 6, "a2c"))
    conv.add_branch("u2b", msg("assistant", "regenerated twice", 7, "a2d"))
    return conv


def contents(messages: list[Message]) -> list[str]:
    return [m.content for m in messages]


def test_an_old_linear_file_loads_as_one_branch_and_is_written_back_unchanged() -> None:
    conv = schema.loads(OLD_FILE.encode(), Path("oldlinear.toml"))
    assert contents(conv.messages) == ["first", "second", "third"]
    assert [m.parent for m in conv.messages] == [None, "m1", "m2"] and conv.off_path == []
    assert conv.siblings("m2") == [conv.messages[1]] and conv.leaves() == [conv.messages[2]]
    assert schema.dumps(conv) == OLD_FILE  # a linear conversation is still version 1


def test_branch_helpers_switch_and_follow_the_newest_leaf() -> None:
    conv = tree()
    assert contents(conv.messages) == [
        "first question",
        "first answer",
        "edited second question",
        "regenerated twice",
    ]
    assert [m.id for m in conv.siblings("a2d")] == ["a2b", "a2c", "a2d"]
    assert [m.id for m in conv.siblings("u2b")] == ["u2", "u2b"]
    assert [m.id for m in conv.leaves()] == ["a2", "a2b", "a2c", "a2d"]
    conv.switch_to("u2")  # the original question: its reply follows
    assert [m.id for m in conv.messages] == ["u1", "a1", "u2", "a2"]
    conv.switch_to("u2b")  # back: the most recent of its replies
    assert conv.messages[-1].id == "a2d"
    assert branches.step_sibling(conv, "a2d", -1) is not None
    assert conv.messages[-1].id == "a2c"
    assert branches.step_sibling(conv, "a2b", -1) is None  # no earlier version
    ids = {m.id for m in branches.all_messages(conv)}
    assert ids == {"u1", "a1", "u2", "a2", "u2b", "a2b", "a2c", "a2d"}  # nothing lost


def test_a_tree_round_trips_through_the_toml_file_readably() -> None:
    conv = tree()
    text = schema.dumps(conv)
    assert text.startswith("schema_version = 2\n") and 'active_leaf = "a2d"' in text
    # the active path is written first, top to bottom, then the other branches
    order = [text.index(f'id = "{i}"') for i in ("u1", "a1", "u2b", "a2d", "u2", "a2")]
    assert order == sorted(order)
    back = schema.loads(text.encode(), Path("tree.toml"))
    assert back == conv
    assert schema.dumps(back) == text


def test_a_tree_round_trips_through_the_store_and_its_json_cache(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    conv = tree()
    store.save(conv, touch=False)
    cold = ConversationStore(app_dirs)
    cold.cache.drop(conv.id)
    parsed = cold.load(conv.id)  # from the TOML file (rewrites the cache)
    warm = ConversationStore(app_dirs)
    cached = warm.load(conv.id)
    assert (cold.cache.hits, warm.cache.hits) == (0, 1)
    assert parsed == conv and cached == conv
    assert warm.list()[0].message_count == 4  # the active path


def test_the_active_branch_survives_reopening(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    conv = tree()
    conv.switch_to("u2")
    store.save(conv)
    again = ConversationStore(app_dirs).load(conv.id)
    assert [m.id for m in again.messages] == ["u1", "a1", "u2", "a2"]


def test_a_crashed_regeneration_is_recovered_onto_its_branch(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    conv = tree()
    store.save(conv)
    # regenerating a1 (a middle reply) while a2d's branch is on screen: then killed
    writer = store.partial_writer(conv.id, "a1new", parent="u1")
    writer.update("half of a new first answer")
    writer.detach()  # the lock goes as when the process dies; the sidecar stays
    # and a reply to the active branch's last message, killed too
    tail = PartialWriter(app_dirs, conv.id, "tailreply", parent="a2d")
    tail.update("a follow-up")
    tail.detach()
    assert sorted(ConversationStore(app_dirs).recover()) == [conv.id, conv.id]
    back = ConversationStore(app_dirs).load(conv.id)
    assert [m.id for m in back.messages] == ["u1", "a1", "u2b", "a2d", "tailreply"]
    assert back.messages[-1].status == "interrupted"
    assert [m.id for m in back.siblings("a1")] == ["a1", "a1new"]
    recovered = branches.find(back, "a1new")
    assert recovered is not None and recovered.content == "half of a new first answer"


def test_json_export_and_import_round_trip_the_whole_tree() -> None:
    conv = tree()
    conv.switch_to("a2b")
    text = to_json(conv)
    assert '"version": 2' in text and '"active_leaf": "a2b"' in text
    back = from_json(text)
    assert back == conv
    linear = Conversation(id="lin", created=T0, updated=T0, messages=[msg("user", "x", 0, "x")])
    assert '"version": 1' in to_json(linear) and '"parent"' not in to_json(linear)


def test_markdown_writes_the_active_path_and_optionally_every_branch() -> None:
    conv = tree()
    plain = to_markdown(conv)
    assert "regenerated twice" in plain and "original second answer" not in plain
    full = to_markdown(conv, all_branches=True)
    assert "# Other branches (3)" in full
    assert "## Branch 1 of 4 (after message 2)" in full and "original second answer" in full
    assert "## Branch 2 of 4 (after message 3)" in full and "answer to the edit" in full
    assert full.count("first question") == 1  # shared messages are written once


def test_search_finds_text_on_any_branch_and_names_it(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    store.save(tree())
    hit = store.search("original second answer")[0]
    assert (hit.message_id, hit.leaf_id, hit.branch, hit.message_index) == ("a2", "a2", 1, None)
    hit = store.search("edited second")[0]  # on the active path
    assert (hit.message_id, hit.leaf_id, hit.message_index) == ("u2b", "a2d", 2)
    hit = store.search("answer to the edit")[0]
    assert (hit.message_id, hit.leaf_id, hit.branch) == ("a2b", "a2b", 2)


def test_two_instances_adding_different_branches_keep_both(app_dirs: Paths) -> None:
    one, two = ConversationStore(app_dirs), ConversationStore(app_dirs)
    base = Conversation(id="shared", created=T0, updated=T0)
    base.messages += [
        msg("user", "q1", 0, "u1"),
        msg("assistant", "r1", 1, "a1"),
        msg("user", "q2", 2, "u2"),
        msg("assistant", "r2", 3, "a2"),
    ]
    one.save(base)
    mine, theirs = one.load("shared"), two.load("shared")
    theirs.add_branch("a1", msg("user", "q2 edited", 4, "u2x"))  # they edit a prompt
    theirs.messages.append(msg("assistant", "r2 for the edit", 5, "a2x"))
    two.save(theirs)
    mine.add_branch("u2", msg("assistant", "r2 again", 6, "a2y"))  # we regenerate
    one.save(mine)
    assert [m.id for m in mine.messages] == ["u1", "a1", "u2", "a2y"]  # ours stays on screen
    final = ConversationStore(app_dirs).load("shared")
    assert {m.id for m in branches.all_messages(final)} == {
        "u1", "a1", "u2", "a2", "u2x", "a2x", "a2y"
    }  # fmt: skip
    assert [m.id for m in final.siblings("u2")] == ["u2", "u2x"]
    assert [m.id for m in final.siblings("a2")] == ["a2", "a2y"]
    assert branches.find(final, "a2x").parent == "u2x"  # type: ignore[union-attr]


def test_two_processes_adding_branches_to_one_conversation_keep_all(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    conv = Conversation(id="racing", created=T0, updated=T0)
    conv.messages += [msg("user", "q", 0, "u1"), msg("assistant", "r", 1, "a1")]
    conv.messages += [msg("user", "q2", 2, "u2"), msg("assistant", "r2", 3, "a2")]
    store.save(conv)
    journal = app_dirs.data_dir / "journal.txt"
    args = [str(app_dirs.config_dir), str(app_dirs.data_dir), str(journal), "racing"]
    worker = [sys.executable, "-m", "tests.store.crash_worker", "branch"]
    procs = [
        subprocess.Popen([*worker, *args, "u1", "assistant", "40"], cwd=REPO),  # regenerations
        subprocess.Popen([*worker, *args, "a1", "user", "40"], cwd=REPO),  # edited prompts
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    final = ConversationStore(app_dirs).load("racing")
    every = branches.all_messages(final)
    assert len(every) == 4 + 80 and len({m.id for m in every}) == 84
    replies = [m.content for m in final.siblings("a1")]
    prompts = [m.content for m in final.siblings("u2")]
    pid_a, pid_b = procs[0].pid, procs[1].pid
    assert sorted(replies) == sorted(["r", *(f"{pid_a}-{i}" for i in range(40))])
    assert sorted(prompts) == sorted(["q2", *(f"{pid_b}-{i}" for i in range(40))])
    assert branches.find(final, "a2").parent == "u2"  # type: ignore[union-attr]


def test_duplicate_keeps_the_tree_with_fresh_ids(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    store.save(tree())
    copy_ = store.duplicate("tree")
    every = branches.all_messages(copy_)
    assert len(every) == 8 and not {m.id for m in every} & {"u1", "a1", "u2", "a2d"}
    assert len(copy_.leaves()) == 4 and contents(copy_.messages)[-1] == "regenerated twice"


def test_switching_branches_in_a_2000_message_tree_keeps_every_message() -> None:
    conv = Conversation(id="big", created=T0, updated=T0)
    for i in range(2000):
        role = "user" if i % 2 == 0 else "assistant"
        conv.messages.append(msg(role, f"m{i}", i, f"m{i}"))
    for i in range(1, 2000, 200):  # a regenerated reply every 200 messages
        conv.add_branch(f"m{i - 1}", msg("assistant", f"alt{i}", 3000 + i, f"alt{i}"))
    conv.switch_to("m1")  # follows the most recently created leaf below m1
    assert conv.messages[-1].id == "alt1801" and len(conv.messages) == 1802
    conv.switch_to("m1999")
    assert len(conv.messages) == 2000 and conv.messages[-1].id == "m1999"
    for _ in range(20):
        assert branches.step_sibling(conv, "m1001", +1) is not None
        assert conv.messages[-1].id == "alt1001" and len(conv.messages) == 1002
        assert branches.step_sibling(conv, "alt1001", -1) is not None
        assert conv.messages[-1].id == "alt1801"
    assert len(branches.all_messages(conv)) == 2010
