"""Store figures: saving a reply into a 2,000-message conversation, listing 1,000
sessions (cold: a fresh store on files never listed before; reopened: a fresh store
with the on-disk index; warm: the same store listing again). In-process: the store
has no UI, so its own timings are what the app pays."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from aichat_tui.models import Message
from aichat_tui.store import ConversationStore, Paths
from tests.perf.gen import big_conversation, many_sessions
from tests.perf.replies import make_reply


def _index_files(paths: Paths) -> list[Path]:
    """Files the store keeps besides conversations (an index or cache), if any."""
    root = paths.data_dir
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and "index" in p.name.lower() and not p.name.endswith(".lock")
    ]


def measure_store(tmp: Path, *, saves: int = 7, lists: int = 5) -> dict[str, float]:
    """Return store timings in seconds (medians)."""
    out: dict[str, float] = {}
    big = Paths.resolve(config_dir=tmp / "s-config", data_dir=tmp / "s-big")
    big.ensure()
    conv_id = big_conversation(big, 2000)
    store = ConversationStore(big)
    t0 = time.perf_counter()
    conv = store.load(conv_id)
    out["load_2000_s"] = time.perf_counter() - t0
    times = []
    for i in range(saves):
        conv.messages.append(Message(role="user", content=f"one more question {i}"))
        conv.messages.append(
            Message(role="assistant", content=make_reply(2000, seed=i), status="complete")
        )
        t0 = time.perf_counter()
        store.save(conv)
        times.append(time.perf_counter() - t0)
    out["save_reply_2000_s"] = statistics.median(times)
    out["file_2000_mib"] = (
        sum(p.stat().st_size for p in big.conversations_dir.glob("*.toml")) / 2**20
    )

    many = Paths.resolve(config_dir=tmp / "s-config", data_dir=tmp / "s-many")
    many.ensure()
    many_sessions(many, 1000)
    cold, reopened, warm = [], [], []
    for _ in range(lists):
        for index in _index_files(many):
            index.unlink()
        t0 = time.perf_counter()
        n = len(ConversationStore(many).list())
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        fresh = ConversationStore(many)
        fresh.list()
        reopened.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        fresh.list()
        warm.append(time.perf_counter() - t0)
    if n != 1000:
        raise RuntimeError(f"store.list() returned {n} sessions, expected 1000")
    out["list_1000_cold_s"] = statistics.median(cold)
    out["list_1000_reopened_s"] = statistics.median(reopened)
    out["list_1000_warm_s"] = statistics.median(warm)
    shutil.rmtree(tmp / "s-big", ignore_errors=True)
    return out
