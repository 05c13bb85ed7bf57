"""Local text-to-speech engines from Debian: espeak-ng, and Festival's Finnish voice.

Finnish uses Festival with the Suopuhe diphone voice (``festvox-suopuhe-lj``, recorded
Finnish speech from the University of Helsinki) when installed: it is concatenated real
speech and reads numbers and times in Finnish (``klo 9.00``), where espeak-ng's Finnish is
formant synthesis.  Swedish and English use espeak-ng (no Festival voice for Swedish in
Debian).  Either engine runs as a subprocess, nothing leaves the kiosk.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Final, Protocol

import numpy as np

from kiosk.audio_out import Clip
from wire.types import Language

ESPEAK_VOICES: Final[dict[Language, str]] = {"fi": "fi", "sv": "sv", "en": "en-gb"}
ESPEAK_WPM: Final = 145
"""A little slower than espeak-ng's 175 words a minute: many listeners are elderly."""
FESTIVAL_FINNISH: Final = "suo_fi_lj_diphone"
FESTIVAL_VOICE_DIR: Final = Path("/usr/share/festival/voices/finnish")
RENDER_TIMEOUT_S: Final = 60.0


class SpeechError(Exception):
    """Spoken guidance could not be made."""


class VoiceUnavailable(SpeechError, FileNotFoundError):
    """The engine or voice is not installed."""


class Voice(Protocol):
    """A text-to-speech voice: ``id`` names it in the cache (engine, voice, settings)."""

    id: str

    def render_many(self, texts: list[str]) -> list[Clip]:
        """Each text as speech."""
        ...


def read_wav(data: bytes) -> Clip:
    """A mono or stereo 16-bit WAV as a mono clip."""
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise SpeechError(f"unexpected sample width {w.getsampwidth()}")
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        if w.getnchannels() > 1:
            pcm = pcm.reshape(-1, w.getnchannels())[:, 0]
        return Clip(pcm.astype(np.int16), w.getframerate())


def write_wav(clip: Clip) -> bytes:
    """A clip as a mono 16-bit WAV."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(clip.rate)
        w.writeframes(clip.pcm.astype("<i2").tobytes())
    return out.getvalue()


class EspeakVoice:
    """espeak-ng with one of its voices."""

    def __init__(self, voice: str, wpm: int = ESPEAK_WPM) -> None:
        self.voice = voice
        self.wpm = wpm
        self.id = f"espeak-ng-{voice}-{wpm}"

    def render_many(self, texts: list[str]) -> list[Clip]:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise VoiceUnavailable("espeak-ng is not installed (Debian: espeak-ng)")
        clips = []
        for text in texts:
            result = subprocess.run(  # noqa: S603 - fixed program, text on stdin
                [exe, "-v", self.voice, "-s", str(self.wpm), "--stdout"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=RENDER_TIMEOUT_S,
                check=False,
            )
            if result.returncode != 0 or not result.stdout:
                raise SpeechError(f"espeak-ng failed: {result.stderr[:200]!r}")
            clips.append(read_wav(result.stdout))
        return clips


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class FestivalVoice:
    """Festival with a Finnish Suopuhe voice; one process renders a whole batch."""

    def __init__(self, voice: str = FESTIVAL_FINNISH) -> None:
        self.voice = voice
        self.id = f"festival-{voice}"

    @staticmethod
    def available(voice: str = FESTIVAL_FINNISH) -> bool:
        """Whether Festival and the voice are installed."""
        return shutil.which("festival") is not None and (FESTIVAL_VOICE_DIR / voice).is_dir()

    def render_many(self, texts: list[str]) -> list[Clip]:
        exe = shutil.which("festival")
        if exe is None or not self.available(self.voice):
            raise VoiceUnavailable(f"Festival voice {self.voice} is not installed")
        with tempfile.TemporaryDirectory(prefix="etapiste-tts-") as tmp:
            where = Path(tmp)
            lines = [f"(voice_{self.voice})"]
            for i, text in enumerate(texts):
                out = where / f"{i}.wav"
                lines.append(
                    f"(utt.save.wave (utt.synth (Utterance Text {_scheme_string(text)})) "
                    f"{_scheme_string(str(out))} 'riff)"
                )
            script = where / "say.scm"
            # Suopuhe reads Latin-1; Finnish and Swedish letters all fit in it.
            script.write_bytes("\n".join(lines).encode("latin-1", errors="replace"))
            result = subprocess.run(  # noqa: S603 - fixed program, our own script
                [exe, "--batch", str(script)],
                capture_output=True,
                timeout=RENDER_TIMEOUT_S,
                check=False,
            )
            clips = []
            for i in range(len(texts)):
                out = where / f"{i}.wav"
                if result.returncode != 0 or not out.exists():
                    raise SpeechError(f"festival failed: {result.stderr[-200:]!r}")
                clips.append(read_wav(out.read_bytes()))
            return clips


def voice_for(language: Language) -> Voice:
    """The best installed voice for ``language``."""
    if language == "fi" and FestivalVoice.available():
        return FestivalVoice()
    return EspeakVoice(ESPEAK_VOICES[language])
