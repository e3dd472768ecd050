"""Loopback HTTP server fixtures (owned by the client work)."""

from __future__ import annotations
