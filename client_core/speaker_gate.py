"""One other member's sound on this side's speaker, or silence: :class:`SpeakerGate`.

In a call of three or four a clerk may silence one member on their own speaker (an
interpreter talking over the citizen, say) without touching what anyone else hears or what
is measured: the gate sits only on the way to the speaker, and passes the frames' timing
through, so the output keeps its pace.
"""

from __future__ import annotations

from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame

__all__ = ["SpeakerGate", "silent_like"]


def silent_like(frame: AudioFrame) -> AudioFrame:
    """A frame of silence with ``frame``'s format, length and timing."""
    silent = AudioFrame(format=frame.format.name, layout=frame.layout.name,
                        samples=frame.samples)
    silent.sample_rate = frame.sample_rate
    silent.time_base = frame.time_base
    silent.pts = frame.pts
    for plane in silent.planes:
        plane.update(bytes(plane.buffer_size))
    return silent


class SpeakerGate(MediaStreamTrack):
    """Forwards an audio track to a speaker; silence while ``audible`` is False."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.audible = True

    async def recv(self) -> AudioFrame:
        """The source's next frame, or the same length of silence."""
        frame = await self.source.recv()
        if self.audible or not isinstance(frame, AudioFrame):
            return frame  # type: ignore[return-value]
        return silent_like(frame)
