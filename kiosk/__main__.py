"""``python -m kiosk``: the citizen terminal (touch UI), or ``--headless`` for scripts."""

from __future__ import annotations

import argparse
import asyncio
import os

from client_core.headless import add_call_arguments, call_options, read_secret
from jsonlog import setup_logging


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the kiosk."""
    parser = argparse.ArgumentParser(prog="python -m kiosk", description=__doc__)
    parser.add_argument(
        "--server", default="ws://127.0.0.1:8765/ws",
        help="signaling URL; several, comma-separated, are tried in turn (the nodes of a cluster)",
    )
    parser.add_argument("--token-file", help="file holding the kiosk's device token")
    parser.add_argument("--token-env", default="ETAPISTE_KIOSK_TOKEN")
    parser.add_argument(
        "--ca-file", help="CA bundle that signed the server's (and TURN relay's) certificate"
    )
    parser.add_argument("--headless", action="store_true", help="no screen: scripted citizen")
    parser.add_argument("--service", default="kela.benefits")
    parser.add_argument("--language", default="fi", choices=["fi", "sv", "en"])
    add_call_arguments(parser)
    parser.add_argument(
        "--answer-photos", action="store_true", help="answer photo requests with a test JPEG"
    )
    parser.add_argument("--windowed", action="store_true", help="UI: a normal window (dev)")
    parser.add_argument(
        "--synthetic-media", action="store_true", help="UI: test picture and tone, no devices"
    )
    parser.add_argument("--camera", default="0", help="UI: V4L2 index or device path")
    parser.add_argument("--crash-dir", help="UI: where crash reports go")
    parser.add_argument("--audio-device", default="default", help="UI: speaker (ALSA name)")
    parser.add_argument("--speech-cache", help="UI: where spoken guidance is rendered to")
    parser.add_argument("--no-speech", action="store_true", help="UI: no spoken guidance")
    parser.add_argument(
        "--hearing-loop",
        action="store_true",
        default=os.environ.get("ETAPISTE_HEARING_LOOP") == "1",
        help="UI: the site has a hearing loop, show its sign (env ETAPISTE_HEARING_LOOP=1)",
    )
    parser.add_argument(
        "--helpline",
        default=os.environ.get("ETAPISTE_HELPLINE") or None,
        help="UI: phone number named when a device fails (env ETAPISTE_HELPLINE)",
    )
    parser.add_argument(
        "--callback-wait-min", type=float,
        default=float(os.environ.get("ETAPISTE_CALLBACK_WAIT_MIN") or 15),
        help="UI: a wait estimate this long offers a booking here and a call back "
             "(env ETAPISTE_CALLBACK_WAIT_MIN)",
    )
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    token = read_secret(args.token_file, args.token_env)
    if args.ca_file:
        from client_core.tls import trust_ca_file_everywhere

        trust_ca_file_everywhere(args.ca_file)
    if not args.headless:
        from pathlib import Path

        from kiosk.app import KioskConfig, default_crash_dir, run

        config = KioskConfig(
            url=args.server,
            token=token,
            language=args.language,
            windowed=args.windowed,
            ca_file=args.ca_file,
            audio_device=args.audio_device,
            speech=not args.no_speech,
            speech_cache=Path(args.speech_cache) if args.speech_cache else None,
            hearing_loop=args.hearing_loop,
            helpline=args.helpline,
            callback_wait_s=max(1.0, args.callback_wait_min) * 60.0,
        )
        crash_dir = Path(args.crash_dir) if args.crash_dir else default_crash_dir()
        return run(config, synthetic=args.synthetic_media, camera=args.camera, crash_dir=crash_dir)
    from kiosk.headless import KioskScript, run_kiosk

    script = KioskScript(
        url=args.server,
        token=token,
        ca_file=args.ca_file,
        service=args.service,
        language=args.language,
        answer_photos=args.answer_photos,
        **call_options(args),
    )
    return asyncio.run(run_kiosk(script))


if __name__ == "__main__":
    raise SystemExit(main())
