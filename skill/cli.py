"""``python -m skill``: serve the endpoint, ask a question, chat, write the model.

Errors are one line on stderr and a non-zero exit code.

Each command imports its own feature when it runs (measured on this machine
after importing this module: the endpoint and Flask about 130-700 ms, the
console about 120-340 ms, the skill's handlers and topics 100-600 ms, the
live voice about 140-300 ms, the model generator about 8 ms), so ``--help``
and every command start in a fraction of a second, and ``make run`` opens
its keyboard before the rest loads.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from speech.model import Narration

PROG = "python -m skill"


class CLIError(Exception):
    """A user mistake or an unavailable resource: printed as one line."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def http_server(host: str, port: int, *, dev: bool) -> Any:
    """The server of ``serve``, bound before its app is made: with ``--dev``
    the stream's audio URLs point at this server, on the port it got (with
    ``--port 0``, the one the system picked)."""
    from skill.endpoint.app import create_app, make_http_server

    server = make_http_server(None, host, port)
    try:
        name = f"[{host.strip('[]')}]" if ":" in host else host
        dev_audio = f"http://{name}:{server.server_port}" if dev else None  # streams from this loopback server
        server.app = create_app({"VERIFY": not dev, "AUDIO_URL": dev_audio})
    except BaseException:
        server.server_close()
        raise
    return server


def cmd_serve(args: argparse.Namespace) -> int:
    if args.dev and not is_loopback(args.host):
        raise CLIError(f"--dev turns request verification off, so it only binds to a loopback "
                       f"address (127.0.0.1, ::1, localhost), not {args.host}")
    from skill.endpoint.app import freeze_for_serving
    from skill.endpoint.audio import render_ahead
    from skill.endpoint.logs import configure_logging

    configure_logging()
    server = http_server(args.host, args.port, dev=args.dev)
    freeze_for_serving()
    render_ahead(server.app, dev=args.dev)  # in the background: the server answers at once
    logging.getLogger("skill.cli").info("serving on http://%s:%d%s", args.host, server.server_port,
                                        " (dev)" if args.dev else "")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from skill.questions.handlers import answer_text
    from skill.builder import make_coach
    from speech.text import to_text

    question = " ".join(args.question).strip()
    if not question:
        raise CLIError("ask needs a question, e.g. ask \"why won't my legs slim down\"")
    reply = answer_text(make_coach(adapter=None), question, one_shot=True).reply
    print(to_text(reply.speech))
    if args.speak:
        _speak_and_wait(reply.speech)
    return 0


def _speak_and_wait(narration: Narration) -> None:
    from speech.live import make_speaker

    speaker = make_speaker()
    try:
        if not speaker.audible:
            print("(no audio device or text-to-speech here, so the answer is printed only)",
                  file=sys.stderr)
            return
        speaker.speak(narration)
        time.sleep(speaker.seconds(narration) or 0.0)
    finally:
        speaker.close()


def cmd_chat(args: argparse.Namespace) -> int:
    from skill.devtools.launcher import chat

    return chat(args.url, mute=args.mute, fast=args.fast)


def cmd_run(args: argparse.Namespace) -> int:
    from skill.devtools.launcher import run

    return run(args.port, mute=args.mute, fast=args.fast)


def cmd_model(args: argparse.Namespace) -> int:
    from skill.builder import interaction_model
    from skill.model.generator import LOCALES, default_model_dir, model_text, write_models
    from skill.questions.knowledge import load_knowledge

    directory = args.out or default_model_dir()
    model = interaction_model(load_knowledge())
    if args.check:
        expected = model_text(model)
        stale = [p.name for p in sorted(directory.glob("*.json"))
                 if p.read_text(encoding="utf-8") != expected]
        missing = [f"{loc}.json" for loc in LOCALES if not (directory / f"{loc}.json").exists()]
        if stale or missing:
            raise CLIError(f"interaction models out of date in {directory}: "
                           f"{', '.join(stale + missing)}; run {PROG} model")
        print(f"interaction models in {directory} are up to date")
        return 0
    for path in write_models(model, directory):
        print(path)
    return 0


HELP = {
    "serve": "run the HTTP endpoint (POST /alexa, GET /healthz)",
    "ask": "answer one question and print the spoken answer",
    "chat": "talk to the skill like an Alexa speaker would",
    "run": "start a local --dev server and chat with it",
    "model": "write the interaction models from the content data",
}


#: What the console (chat, run) understands, for their --help.
CONSOLE_HELP = ("In the console, type what you would say to an Echo (\"start a workout\", \"pause\", "
                "\"what about salt\"). While workout audio plays or is paused, \"press play\", \"press pause\", "
                "\"press next\" and \"press previous\" press the device's buttons (the PlaybackController "
                "requests an Echo sends). \"quit\", Ctrl-D or Ctrl-C leave.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Leg Coach, the Alexa skill.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: object) -> argparse.ArgumentParser:
        sub_parser = sub.add_parser(name, help=HELP[name], description=HELP[name])
        sub_parser.set_defaults(func=func)
        return sub_parser

    serve = command("serve", cmd_serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    serve.add_argument("--dev", action="store_true",
                       help="turn request verification off (loopback addresses only)")

    ask = command("ask", cmd_ask)
    ask.add_argument("question", nargs="+", help="the question, e.g. \"why won't my legs slim down\"")
    ask.add_argument("--speak", action="store_true", help="also say the answer aloud")

    chat = command("chat", cmd_chat)
    chat.epilog = CONSOLE_HELP
    chat.add_argument("--url", help="endpoint of a server run with --dev (default: in process)")
    chat.add_argument("--mute", action="store_true", help="print answers without speaking them")
    chat.add_argument("--fast", action="store_true",
                      help="don't wait: take each answer as heard to its end (for demos)")

    run = command("run", cmd_run)
    run.epilog = CONSOLE_HELP
    run.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    run.add_argument("--mute", action="store_true", help="print answers without speaking them")
    run.add_argument("--fast", action="store_true",
                     help="don't wait: take each answer as heard to its end (for demos)")

    model = command("model", cmd_model)
    model.add_argument("--out", type=Path, help="folder (default infra/skill-package/...)")
    model.add_argument("--check", action="store_true",
                       help="only check that the written models are up to date")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except CLIError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the edge: one line, no traceback
        if os.environ.get("LEGCOACH_DEBUG"):
            raise
        print(f"{PROG} {args.command}: error: {_describe(exc)}", file=sys.stderr)
        return 1


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
