"""``python -m speech``: list voices, speak or render one line, look after the cache.

    python -m speech voices [--lang en]
    python -m speech say "Squats. Set 1 of 3." [-o out.wav] [--voice en-us]
                         [--rate 175] [--volume 1.0]
    python -m speech cache [--prune [--max-mb N]]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from speech.audio import wav_seconds
from speech.cache import MB, AudioCache, cache_limit_from_env, megabytes
from speech.model import Narration
from speech.paths import audio_cache_dir
from speech.player import PLAYERS, ProcessPlayer, find_player
from speech.tts import TTSError, TTSUnavailable, UnknownVoice, VoiceOptions
from speech.tts import list_voices, resolve_voice, synthesize

PROG = "python -m speech"


class UsageError(Exception):
    """Bad command line; exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Leg Coach's voice: list voices, speak or render a line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    voices = commands.add_parser("voices", help="list the installed voices")
    voices.add_argument("--lang", help="only voices whose language starts with this, e.g. en")
    say = commands.add_parser("say", help="speak one line, or write it to a WAV file with -o")
    say.add_argument("text", help="what to say")
    say.add_argument("-o", "--output", type=Path, help="write a .wav or .mp3 file instead of playing")
    say.add_argument("--voice", help="voice id, name or language (see the voices command)")
    say.add_argument("--rate", type=int, default=VoiceOptions.rate, help="words per minute (80-450)")
    say.add_argument("--volume", type=float, default=VoiceOptions.volume, help="0.0 to 1.0")
    cache = commands.add_parser("cache", help="show the audio cache's folder and size, or prune it")
    cache.add_argument("--prune", action="store_true",
                       help="remove the least recently used audio down to the limit")
    cache.add_argument("--max-mb", type=_max_mb, metavar="N",
                       help="limit for --prune in megabytes (default $LEGCOACH_AUDIO_CACHE_MB, else 200)")
    return parser


def _max_mb(raw: str) -> int:
    try:
        return megabytes(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, not {raw!r}") from None


def _voices(lang: str | None) -> int:
    for v in list_voices():
        if lang and not any(code.lower().startswith(lang.lower()) for code in v.languages):
            continue
        print(f"{v.id:<24} {v.name:<36} {', '.join(v.languages)}")
    return 0


def _say(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise UsageError("nothing to say: the text is empty")
    try:
        options = VoiceOptions(args.voice, args.rate, args.volume)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    resolve_voice(options.voice)
    if args.output is not None:
        if not args.output.parent.is_dir():
            raise FileNotFoundError(2, "no such folder", str(args.output.parent))
        if args.output.is_dir():
            raise IsADirectoryError(21, "is a folder, not a file", str(args.output))
        kind = args.output.suffix.lower()
        if kind not in (".wav", ".mp3"):
            raise UsageError(f"-o: write a .wav or an .mp3 file, not {kind or 'a file with no extension'}")
        out = synthesize(args.text, args.output, options) if kind == ".wav" \
            else _say_mp3(args.text, args.output, options)
        print(f"{out} ({wav_seconds(out) if kind == '.wav' else _mp3_seconds(out):.2f} s)")
        return 0
    player = find_player()
    if not isinstance(player, ProcessPlayer):
        tried = ", ".join(name for name, _ in PLAYERS)
        print(f"speech: no audio device found (tried {tried}); use -o FILE.wav", file=sys.stderr)
        return 1
    path = AudioCache(audio_cache_dir(), options).path_for(Narration.of(args.text))
    try:
        player.play(path)
        player.wait()
    finally:
        player.stop()
    return 0


def _say_mp3(text: str, path: Path, options: VoiceOptions) -> Path:
    """``text`` spoken into the MP3 file ``path`` (LAME; written atomically)."""
    from speech import mp3
    from speech.audio import read_wav

    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".say-") as work:
        clip = read_wav(synthesize(text, Path(work) / "say.wav", options))
        frames = mp3.frames_for(len(clip.samples) / clip.rate) + 1
        (Path(work) / "say.mp3").write_bytes(mp3.encode_frames(clip, frames))
        os.replace(Path(work) / "say.mp3", path)
    return path


def _mp3_seconds(path: Path) -> float:
    from speech import mp3

    return mp3.count_frames(path.read_bytes()) * mp3.FRAME / mp3.SAMPLE_RATE


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def _cache(args: argparse.Namespace) -> int:
    if args.max_mb is not None and not args.prune:
        raise UsageError("--max-mb applies to --prune only")
    try:
        limit = cache_limit_from_env() if args.max_mb is None else args.max_mb
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    cache = AudioCache(audio_cache_dir())
    if not args.prune:
        usage = cache.usage()
        print(f"{cache.root}: {_files(usage.files)}, {_mb(usage.bytes)} (limit {limit // MB} MB)")
        return 0
    done = cache.prune(limit)
    print(f"{cache.root}: removed {_files(done.removed)} ({_mb(done.freed)}),"
          f" kept {_files(done.kept_files)} ({_mb(done.kept)}, limit {limit // MB} MB)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "voices":
            return _voices(args.lang)
        if args.command == "cache":
            return _cache(args)
        return _say(args)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except (UsageError, UnknownVoice) as exc:
        print(f"speech: error: {exc}", file=sys.stderr)
        return 2
    except (TTSUnavailable, TTSError) as exc:
        print(f"speech: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"speech: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
