"""Leg Coach's voice: one narration model rendered to text, SSML, WAV and live audio."""

from speech.model import DEFAULT_WPM, SOUNDS, Narration, Pause, Say, Sound, join

__all__ = ["DEFAULT_WPM", "SOUNDS", "Narration", "Pause", "Say", "Sound", "join"]
