"""Markdown widgets for replies: ``reply`` (the streaming reply view) and ``compact``
(lists and tables drawn as one widget each)."""
