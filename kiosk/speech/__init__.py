"""Spoken guidance: the catalogue's sentences rendered by a local voice and played on the
kiosk's speaker (see :mod:`kiosk.speech.speaker`)."""
