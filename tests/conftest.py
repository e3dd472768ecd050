"""Shared fixtures: a real loopback server (tests/fixtures_server.py) and real
temporary data folders behind the app's environment overrides (tests/fixtures_store.py)."""

from __future__ import annotations

pytest_plugins = ["tests.fixtures_server", "tests.fixtures_store"]
