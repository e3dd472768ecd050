"""The printed table: figures, the bare-app baseline measured in the same run,
ratios, the issue's targets with pass/fail, and the peers' published medians."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Peers from issue 6 (2 cores, 120x40 tmux, local server): elia 1.10 / oterm 0.26.
PEERS = {
    "launch_s": "0.47 / 3.64",
    "launch_mib": "77 / 267",
    "stream_20k_cpu_s": "25 / 13.5",
    "flatness": "6.0 / ~2.5",
    "big_open_s": "9.2 / 98",
    "big_open_mib": "147 / 1900",
}


@dataclass
class Row:
    """One line of the table."""

    label: str
    value: str
    base: str = ""
    ratio: str = ""
    target: str = ""
    ok: bool | None = None
    peers: str = ""


def _get(data: dict[str, Any], path: str) -> Any:
    cur: Any = data
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _fmt(value: float | None, unit: str, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}g} {unit}".strip()


def build_rows(r: dict[str, Any]) -> list[Row]:
    """Turn the results dict into table rows (missing figures show as n/a)."""
    rows: list[Row] = []
    g: Callable[[str], Any] = lambda p: _get(r, p)  # noqa: E731

    hs, hm = g("launch.hello.s"), g("launch.hello.mib")
    s, m = g("launch.app.s"), g("launch.app.mib")
    if s is not None and hs:
        rows.append(
            Row(
                "launch to first usable frame",
                _fmt(s, "s"),
                _fmt(hs, "s"),
                f"{s / hs:.2f}x",
                "<= 1.5x bare",
                s <= 1.5 * hs,
                PEERS["launch_s"],
            )
        )
    if m is not None and hm:
        rows.append(
            Row(
                "peak memory after start",
                _fmt(m, "MiB"),
                _fmt(hm, "MiB"),
                f"{m / hm:.2f}x",
                "<= 2x bare",
                m <= 2 * hm,
                PEERS["launch_mib"],
            )
        )

    floor = g("stream.floor.cpu_s")
    for mode, key in (("headless", "stream.headless"), ("tmux", "stream.terminal")):
        sizes = g(key) or {}
        c20 = _get(sizes, "20000.cpu_s")
        if c20 is not None:
            rows.append(
                Row(
                    f"CPU, 20k-char streamed reply ({mode})",
                    _fmt(c20, "s"),
                    _fmt(floor, "s") + " httpx" if floor else "",
                    f"{c20 / floor:.1f}x floor" if floor else "",
                    "< 1 s",
                    c20 < 1.0,
                    PEERS["stream_20k_cpu_s"],
                )
            )
        per = {int(k): v["us_per_char"] for k, v in sizes.items() if "us_per_char" in v}
        if len(per) >= 2:
            lo, hi = min(per), max(per)
            flat = per[hi] / per[lo]
            shown = " / ".join(f"{per[k]:.0f}" for k in sorted(per))
            kinds = "/".join(f"{k / 1000:g}k" for k in sorted(per))
            rows.append(
                Row(
                    f"CPU per char {kinds} ({mode})",
                    f"{shown} us",
                    "",
                    f"{flat:.2f}x {hi / 1000:g}k/{lo / 1000:g}k",
                    "flat (<= 1.3x)",
                    flat <= 1.3,
                    PEERS["flatness"],
                )
            )
    for n, fig in sorted((g("stream.terminal") or {}).items(), key=lambda kv: int(kv[0])):
        rows.append(
            Row(
                f"terminal bytes per streamed char ({int(n) / 1000:g}k)",
                f"{fig['bytes_per_char']:.1f} B",
                f"{fig['bytes'] / 1024:.0f} KiB total",
                "",
                "small (report)",
                None,
            )
        )

    bs, bm = g("big.app.s"), g("big.app.mib")
    es = g("launch.app.s")
    if bs is not None:
        rows.append(
            Row(
                "open 2,000-message conversation",
                _fmt(bs, "s"),
                _fmt(es, "s") + " empty" if es else "",
                "",
                "< 0.5 s",
                bs < 0.5,
                PEERS["big_open_s"],
            )
        )
    if bm is not None:
        rows.append(
            Row(
                "  peak memory with it open",
                _fmt(bm, "MiB"),
                "",
                "",
                "< 150 MiB",
                bm < 150,
                PEERS["big_open_mib"],
            )
        )
    sw = g("big.switch_s")
    if sw is not None:
        rows.append(
            Row("  switch to it from another session", _fmt(sw, "s"), "", "", "(report)", None)
        )

    ls_, lt = g("sidebar.populate_s"), g("sidebar.launch.s")
    if ls_ is not None:
        rows.append(
            Row(
                "1,000 sessions: list + populate sidebar",
                _fmt(ls_, "s"),
                "",
                "",
                "< 0.2 s",
                ls_ < 0.2,
            )
        )
    if lt is not None:
        rows.append(
            Row(
                "  launch to usable with 1,000 sessions",
                _fmt(lt, "s"),
                _fmt(es, "s") + " empty" if es else "",
                "",
                "(report)",
                None,
            )
        )
    sw = g("sidebar.switch_terminal.s")
    if sw is not None:
        rows.append(
            Row(
                "switch session, Ctrl+Down (tmux)",
                _fmt(sw, "s"),
                "",
                "",
                "< 0.1 s",
                sw < 0.1,
            )
        )
    sw = g("sidebar.switch_s")
    if sw is not None:
        rows.append(
            Row(
                "  same, headless (wall incl. Pilot; CPU)",
                _fmt(sw, "s"),
                _fmt(g("sidebar.switch_cpu_s"), "s CPU"),
                "",
                "(report)",
                None,
            )
        )

    for key, label in (
        ("store.save_reply_2000_s", "store: save a reply into 2,000 messages"),
        ("store.load_2000_s", "store: load a 2,000-message conversation"),
        ("store.list_1000_cold_s", "store: list 1,000 sessions, cold (no index)"),
        ("store.list_1000_reopened_s", "store: list 1,000 sessions, reopened"),
        ("store.list_1000_warm_s", "store: list 1,000 sessions, warm"),
    ):
        v = g(key)
        if v is not None:
            rows.append(Row(label, _fmt(v * 1000, "ms"), "", "", "(report)", None))
    rows.extend(_paste_rows(g))
    rs, hs = g("branches.app.reply_switch_s"), g("branches.hello.reply_switch_s")
    if rs is not None:
        rows.append(
            Row(
                "2,000-message tree: next version of a reply",
                _fmt(rs, "s"),
                _fmt(hs, "s") + " bare" if hs else "",
                f"{rs / hs:.1f}x" if hs else "",
                "(report)",
                None,
            )
        )
        rows.append(
            Row(
                "  same, CPU (bare Textual: CPU)",
                _fmt(g("branches.app.reply_switch_cpu_s"), "s"),
                _fmt(g("branches.hello.reply_switch_cpu_s"), "s"),
                "",
                "(report)",
                None,
            )
        )
    ps = g("branches.app.prompt_switch_s")
    if ps is not None:
        rows.append(
            Row(
                "  next version of a prompt (10-message branch)",
                _fmt(ps, "s"),
                _fmt(g("branches.app.prompt_switch_cpu_s"), "s CPU"),
                "",
                "(report)",
                None,
            )
        )
    for name, err in (r.get("errors") or {}).items():
        rows.append(Row(f"{name}: FAILED", err.splitlines()[-1][:60] if err else "", ok=False))
    return rows


def _paste_rows(g: Callable[[str], Any]) -> list[Row]:
    """5 MB paste (issue 10): the app against bare Textual, same run."""
    rows: list[Row] = []

    def secs(path: str) -> str:
        # Wall time, and the process's CPU: on a shared machine the wall time is
        # mostly waiting for a core.
        value, cpu = g(path), g(path[: -len("_s")] + "_cpu_s")
        capped = g(path[: -len("_s")] + "_capped")
        shown = ("> " if capped else "") + _fmt(value, "s")
        return shown + (f" ({cpu:.2g} CPU)" if cpu is not None else "")

    def ratio(a: Any, b: Any) -> str:
        return f"{a / b:.2f}x" if a is not None and b else ""

    size = g("paste.app.bytes")
    label = f"paste of {size / 1e6:.1f} MB" if size else "paste of 5 MB"
    for key, text, target in (
        ("paste_s", f"{label}: until shown and settled", 1.0),
        ("key_after_s", "  then one key press, until settled", 0.1),
    ):
        a, b = g(f"paste.app.{key}"), g(f"paste.bare.{key}")
        if a is not None:
            rows.append(
                Row(
                    text,
                    secs(f"paste.app.{key}"),
                    secs(f"paste.bare.{key}"),
                    ratio(a, b),
                    f"< {target} s",
                    a < target,
                )
            )
    send = g("paste.app.send_s")
    if send is not None:
        rows.append(
            Row(
                "  send it: Enter until reply done, settled",
                secs("paste.app.send_s"),
                "",
                "",
                "< 2 s",
                send < 2 and not g("paste.app.send_capped"),
            )
        )
    a, b = g("paste.parse.app_s"), g("paste.parse.bare_s")
    if a is not None:
        rows.append(
            Row(
                "  terminal input parse of it (4 KiB reads)",
                _fmt(a, "s"),
                _fmt(b, "s"),
                ratio(a, b),
                "(report)",
                None,
            )
        )
    return rows


def render(rows: list[Row]) -> str:
    """A plain-text table."""
    head = Row("figure", "aichat-tui", "baseline", "ratio", "target", None, "elia / oterm")
    cells = [
        [
            x.label,
            x.value,
            x.base,
            x.ratio,
            x.target,
            ""
            if x.ok is None and x is head
            else ("PASS" if x.ok else "FAIL" if x.ok is False else "-"),
            x.peers,
        ]
        for x in [head, *rows]
    ]
    cells[0][5] = "ok?"
    widths = [max(len(c[i]) for c in cells) for i in range(7)]
    lines = []
    for i, c in enumerate(cells):
        lines.append(" | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)
