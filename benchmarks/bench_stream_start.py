"""From "start a workout" to the AudioPlayer.Play directive, and what the user must say.

In a fresh LEGCOACH_HOME, the skill runs in process (SQLite store, the local
segment source of a self-hosted server) on envelopes a device sends:

- each level's StartWorkoutIntent timed from the envelope in to the response
  out (the Play directive), first cold (nothing rendered: speech synthesis
  and the first segment's encoding), then with the segments cached
  (goal < 500 ms), median and worst of several users;
- a whole workout per level driven by playback events only
  (PlaybackStarted, NearlyFinished -> ENQUEUE, Finished) after the one
  "start a workout": the utterances the user speaks, against the turn
  mode's (one per voice turn: "start" and each "next").

    .venv/bin/python benchmarks/bench_stream_start.py [--users 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="legcoach-bench-"))
    os.environ["LEGCOACH_HOME"] = str(home)
    from envelopes import envelope, intent

    from skill.builder import build_skill
    from skill.core.sdk import invoke
    from skill.store.sqlite import SQLiteAdapter
    from skill.workout.guide import guide_for
    from skill.workout.plan_spec import LEVELS, PlanSpec
    from skill.workout.stream_sources import LocalSegments

    source = LocalSegments("https://coach.example.com", home / "audio-cache")
    skill = build_skill(SQLiteAdapter(home / "skill.db"), {"AUDIO": source})

    def start(level: str, user: str) -> tuple[float, dict[str, Any]]:
        value = intent("StartWorkoutIntent", {"level": level}, new=True, user_id=user)
        began = time.perf_counter()
        response = invoke(skill, value)["response"]
        return time.perf_counter() - began, response

    print("start a workout -> AudioPlayer.Play, in process (ms)")
    for level in LEVELS:
        cold, first = start(level, f"amzn1.ask.account.cold-{level}")
        assert any(d["type"] == "AudioPlayer.Play" for d in first["directives"]), first
        times = [start(level, f"amzn1.ask.account.{level}-{i}")[0] for i in range(args.users)]
        print(f"  {level:12s} cold {cold * 1000:8.1f}   cached: median {statistics.median(times) * 1000:6.1f}"
              f"  worst {max(times) * 1000:6.1f}   (goal < 500)")

    print("\nutterances for a whole workout (stream vs turns)")
    for level in LEVELS:
        user = f"amzn1.ask.account.whole-{level}"
        _, response = start(level, user)
        token = response["directives"][0]["audioItem"]["stream"]["token"]
        said, parts = 1, 0
        while token:
            parts += 1
            for kind in ("AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished",
                         "AudioPlayer.PlaybackFinished"):
                answer = invoke(skill, envelope({"type": kind, "token": token, "offsetInMilliseconds": 0},
                                                with_session=False, user_id=user))["response"]
                if kind.endswith("NearlyFinished"):
                    queued = answer.get("directives") or []
                    next_token = queued[0]["audioItem"]["stream"]["token"] if queued else ""
            token = next_token
        turns = len(guide_for(PlanSpec(level)).pieces)
        print(f"  {level:12s} stream: {said} utterance, {parts} segments played   turns: {turns} utterances")
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
