"""Widgets of the chat workspace."""

from __future__ import annotations
