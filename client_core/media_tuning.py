"""Which of the call-quality measures a peer connection uses (all, by default).

Each was kept because ``bench/link_quality.py`` measured it helping (the figures are in the
commit that kept it); each can be switched off to measure it again, or to fall back to
aiortc's own behaviour should it misbehave somewhere:

* ``video_receive``: our VP8 frame assembly (:mod:`client_core.video_assembly`): NACKs asked
  again, keyframe requests when a hole is given up, a jump to a complete keyframe;
* ``video_playout``: the adaptive video playout delay (:mod:`client_core.playout`);
* ``audio_receive``: our Opus jitter buffer with loss concealment
  (:mod:`client_core.audio_receive`);
* ``audio_fec``: Opus in-band FEC, sent (:mod:`client_core.audio_send`) and used;
* ``video_ladder``: the sender steps video resolution, frame rate and bitrate down under
  loss or a narrow uplink, audio first (:mod:`client_core.video_send`);
* ``audio_alive``: a path is dead only when audio stopped too, not on a video freeze alone;
* ``prepared_offer``: a kiosk gathers its candidates and makes its offer while its citizen
  waits (:mod:`client_core.media_primer`), not after the clerk's accept;
* ``offerer_dtls_client``: the answerer answers ``a=setup:passive``, so the offerer, which
  finishes ICE first, starts DTLS (half a round trip sooner on a slow link).

``ETAPISTE_MEDIA_TUNING`` (benches): ``all`` (default), ``stock`` (aiortc's behaviour
throughout), or a comma-separated list of ``-name``/``+name`` changes to ``all``/``stock``
(``stock,+audio_receive``; ``-video_playout``).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Final

ENV: Final = "ETAPISTE_MEDIA_TUNING"


@dataclass(frozen=True)
class MediaTuning:
    """The switches (see the module docstring)."""

    video_receive: bool = True
    video_playout: bool = True
    audio_receive: bool = True
    audio_fec: bool = True
    video_ladder: bool = True
    audio_alive: bool = True
    prepared_offer: bool = True
    offerer_dtls_client: bool = True

    @classmethod
    def stock(cls) -> MediaTuning:
        """aiortc's own behaviour everywhere."""
        return cls(**dict.fromkeys(cls.names(), False))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def parse(cls, spec: str) -> MediaTuning:
        """``all``, ``stock`` or changes such as ``stock,+audio_receive`` (ValueError if bad)."""
        tuning = cls()
        for raw in (part.strip() for part in spec.split(",")):
            if not raw or raw == "all":
                continue
            if raw == "stock":
                tuning = cls.stock()
                continue
            name = raw.lstrip("+-")
            if raw[0] not in "+-" or name not in cls.names():
                raise ValueError(f"{ENV}: {raw!r} is not all, stock, +name or -name of "
                                 f"{', '.join(cls.names())}")
            tuning = dataclasses.replace(tuning, **{name: raw[0] == "+"})
        return tuning

    @classmethod
    def from_env(cls) -> MediaTuning:
        """From ``ETAPISTE_MEDIA_TUNING`` (all on when unset)."""
        return cls.parse(os.environ.get(ENV, "all"))
