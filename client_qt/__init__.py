"""Qt pieces the kiosk and the agent console share: video view, Qt logging, catalogues.

Imports ``client_core`` and ``wire`` at most, never ``signaling`` or an app package.
"""
