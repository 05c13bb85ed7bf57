"""``python -m kiosk.speech [--cache DIR]``: render the spoken guidance ahead of time.

Run at provisioning (the kiosk also does it in the background on its first start): every
fixed sentence of the guidance, in Finnish, Swedish and English, into the speech cache.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kiosk.guidance import fixed_lines
from kiosk.i18n import Catalogue
from kiosk.speech.cache import SpeechCache, default_cache_dir
from kiosk.speech.voices import voice_for


def main(argv: list[str] | None = None) -> int:
    """Render what is missing from the cache; print how many and how long."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.speech", description=__doc__)
    parser.add_argument("--cache", type=Path, default=None, help="cache directory")
    args = parser.parse_args(argv)
    cache = SpeechCache(args.cache or default_cache_dir(), voice_for)
    started = time.monotonic()
    count = cache.prerender(fixed_lines(Catalogue.load()))
    took = time.monotonic() - started
    print(f"{count} sentences rendered into {cache.directory} in {took:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
