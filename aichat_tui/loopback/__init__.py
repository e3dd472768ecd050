"""The loopback server: a real HTTP/1.1 server on 127.0.0.1 speaking both backend
protocols, behind the tests, ``--demo`` mode and the benchmarks.

``server`` holds :class:`LoopbackServer`, ``http`` the request parsing and
response writing, ``behaviour`` the scripted faults, ``replies`` the canned
replies and ``cli`` the foreground runner (``python -m aichat_tui.loopback``).
"""

from __future__ import annotations

from aichat_tui.loopback.behaviour import Behaviour
from aichat_tui.loopback.replies import DEMO_REPLIES, demo_reply, sized_reply
from aichat_tui.loopback.server import LoopbackServer

__all__ = ["DEMO_REPLIES", "Behaviour", "LoopbackServer", "demo_reply", "sized_reply"]
