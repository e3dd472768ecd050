"""Screens of the app (workspace, dialogs, settings, help)."""

from __future__ import annotations
