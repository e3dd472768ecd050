"""``python -m aichat_tui.loopback``: the loopback server in the foreground
(demo mode and benchmarks). Stops cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from aichat_tui.loopback.behaviour import Behaviour
from aichat_tui.loopback.replies import sized_reply
from aichat_tui.loopback.server import LoopbackServer

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the loopback server in the foreground until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m aichat_tui.loopback", description="Loopback demo/test chat server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--chunk-chars", type=int, default=8)
    parser.add_argument("--chunk-delay", type=float, default=0.015)
    parser.add_argument("--reply-chars", type=int, default=0, help="reply with N characters")
    parser.add_argument("--api-key", default=None, help="require this bearer token (openai)")
    parser.add_argument(
        "--replay",
        metavar="FILE",
        default=None,
        help="answer every chat completion with this recorded SSE body (e.g. one of "
        "tests/fixtures/real_servers/*.sse), in --replay-bytes pieces every --chunk-delay s",
    )
    parser.add_argument("--replay-bytes", type=int, default=64)
    args = parser.parse_args(argv)
    reply = None
    if args.reply_chars > 0:
        text = sized_reply(args.reply_chars)

        def reply(messages: list[dict]) -> str:
            return text

    server = LoopbackServer(
        reply=reply,
        chunk_chars=args.chunk_chars,
        chunk_delay=args.chunk_delay,
        host=args.host,
        port=args.port,
        api_key=args.api_key,
    )

    if args.replay:
        with open(args.replay, "rb") as handle:
            recorded = handle.read()
        for path in ("/v1/chat/completions", "/chat/completions"):
            server.push(
                Behaviour(
                    body=recorded,
                    content_type="text/event-stream",
                    body_chunk=max(1, args.replay_bytes),
                    chunk_delay=args.chunk_delay,
                    path=path,
                    times=1 << 62,  # every request
                )
            )

    async def serve() -> None:
        await server.start()
        print(f"loopback server: aichat {server.url}  openai {server.openai_url}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.stop()

    asyncio.run(serve())
    return 0
