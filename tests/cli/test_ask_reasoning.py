"""``ask`` with reasoning models, endings and usage (issue 11), replaying the
recorded llama.cpp streams from a loopback server in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.cli.conftest import ROOT, Cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _replay(server: LoopbackServer, name: str) -> bytes:
    body = (FIXTURES / name).read_bytes()
    server.push(Behaviour(body=body, content_type="text/event-stream", body_chunk=97))
    return body


def _deltas(body: bytes, key: str) -> str:
    out = []
    for line in body.decode().splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices") or []:
                value = (choice.get("delta") or {}).get(key)
                out.append(value if isinstance(value, str) else "")
    return "".join(out)


def test_reasoning_only_reply_is_shown_warned_and_exits_truncated(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    """Issue 11: `ask` printed nothing and exited 0."""
    cli.configure(openai_profile)
    body = _replay(server, "real_servers/llamacpp-reasoning-deepseek.sse")
    out = cli.run("ask", "--reasoning", "--save", "think")
    assert out.returncode == 6, out.stderr
    assert out.stdout == ""
    thinking = _deltas(body, "reasoning_content")
    assert "thinking: " + thinking in out.stderr
    assert "truncated at max_tokens and has no answer text (only thinking)" in out.stderr
    assert "raise max_tokens" in out.stderr
    [summary] = cli.store().list()
    saved = cli.store().load(summary.id).messages[-1]
    assert saved.reasoning == thinking and saved.finish_reason == "length"


def test_thinking_is_off_by_default_on_a_pipe(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    _replay(server, "documented_shapes/vllm-reasoning.sse")
    out = cli.run("ask", "hi")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "Hello there!\n"
    assert "thinking" not in out.stderr and "The user greets" not in out.stderr


def test_stats_against_the_recorded_llamacpp_usage_stream(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    body = _replay(server, "real_servers/llamacpp-usage.sse")
    out = cli.run("ask", "--stats", "Say hi")
    assert out.returncode == 6, out.stderr  # that stream ended with finish_reason "length"
    assert out.stdout == _deltas(body, "content") + "\n"
    stats = [line for line in out.stderr.splitlines() if "stats:" in line]
    assert len(stats) == 1
    assert "prompt 50 tokens, reply 40 tokens, first token after " in stats[0]
    assert stats[0].endswith("1184.3 tokens/s")
    assert server.requests[-1].json()["stream_options"] == {"include_usage": True}


def test_max_tokens_option_is_sent(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    out = cli.run("ask", "--max-tokens", "64", "hello")
    assert out.returncode == 0, out.stderr
    assert server.requests[-1].json()["max_tokens"] == 64


def test_a_non_utf8_byte_in_the_question_is_named(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    """Issue 11: reported as "not a valid http(s) URL"."""
    cli.configure(openai_profile)
    proc = subprocess.run(
        [sys.executable, "-m", "aichat_tui", "ask", b"caf\xe9 ok"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=cli.env,
        cwd=ROOT,
        timeout=30,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "question is not valid UTF-8 text (byte 0xE9 at character 4)" in err
    assert "URL" not in err and "Traceback" not in err
    assert server.requests == []
