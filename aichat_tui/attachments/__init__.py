"""Files and images attached to messages (no Textual, no Rich).

:mod:`.reading` turns a file (or standard input) into an
:class:`~aichat_tui.models.Attachment`, refusing what is too big or binary;
:mod:`.limits` holds the limits; :mod:`.wire` builds what a backend receives
(text files inline as fenced blocks, images as ``image_url`` content parts).
Nothing is imported here, so the client can use :mod:`.wire` cheaply.
"""
