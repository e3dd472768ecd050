"""Temporary config/data folder fixtures (owned by the store work)."""

from __future__ import annotations
