"""From "start a workout" to the AudioPlayer.Play directive, and what the user must say.

In a fresh LEGCOACH_HOME, the skill runs in process (SQLite store, the local
segment source of a self-hosted server) on envelopes a device sends:

- each level's StartWorkoutIntent timed from the envelope in to the response
  out (the Play directive), first cold (nothing rendered): the whole
  stream's speech synthesised first, then the first part encoded (the
  baseline: a source that does not render ahead), against the first part's
  speech only (rendering ahead: the rest follows in the background), the
  first part being the whole warm-up (as streams were laid out before) or
  its first move alone (``lay_out``'s ``first_alone``, as now); then
  with the segments cached (goal < 500 ms), median and worst of several users;
- the next part (PlaybackNearlyFinished -> ENQUEUE) after a cold start:
  encoded on request (baseline), or rendered ahead in the background since
  the start (and how long that took, against how long the first part plays);
- a server starting (``render_catalogue_ahead`` of the levels as planned,
  as ``serve --dev`` does; ``serve`` and gunicorn's first worker go on with
  the rest of the catalogue): how long until every level is rendered, and starts of
  each level while that runs and once it is done;
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

GOAL = "(goal < 500)"


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
    from skill.workout.flow import turn_words
    from skill.workout.guide import guide_for
    from skill.workout.plan_spec import LEVELS, PlanSpec
    from skill.workout.render_ahead import RenderAhead, render_catalogue_ahead
    from skill.workout.stream_sources import LocalSegments

    users = iter(range(10**9))

    def make(cache: str, ahead: bool) -> tuple[Any, LocalSegments]:
        source = LocalSegments("https://coach.example.com", home / cache, ahead=RenderAhead(10**10) if ahead else None)
        return build_skill(SQLiteAdapter(home / f"{cache}.db"), {"AUDIO": source}), source

    def start(skill: Any, level: str) -> tuple[float, dict[str, Any], str]:
        user = f"amzn1.ask.account.{level}-{next(users)}"
        value = intent("StartWorkoutIntent", {"level": level}, new=True, user_id=user)
        began = time.perf_counter()
        response = invoke(skill, value)["response"]
        took = time.perf_counter() - began
        assert any(d["type"] == "AudioPlayer.Play" for d in response["directives"]), response
        return took, response, user

    def event(skill: Any, kind: str, token: str, user: str) -> tuple[float, dict[str, Any]]:
        value = envelope({"type": kind, "token": token, "offsetInMilliseconds": 0}, with_session=False, user_id=user)
        began = time.perf_counter()
        answer = invoke(skill, value)["response"]
        return time.perf_counter() - began, answer

    def token_of(response: dict[str, Any]) -> str:
        return str(response["directives"][0]["audioItem"]["stream"]["token"])

    def spread(times: list[float]) -> str:
        return f"median {statistics.median(times) * 1000:6.1f}  worst {max(times) * 1000:6.1f}"

    print("start a workout -> AudioPlayer.Play, in process (ms)")
    plain, _ = make("plain", ahead=False)
    opened: dict[str, tuple[Any, LocalSegments, dict[str, Any], str]] = {}
    ready: dict[str, float] = {}
    for level in LEVELS:
        cold = start(plain, level)[0]
        warmup, warmup_source = make(f"warmup-{level}", ahead=True)
        warmup_source.renderer.first_alone = False  # the first part the whole warm-up, as before
        whole_warmup = start(warmup, level)[0]
        assert warmup_source.ahead is not None and warmup_source.ahead.idle.wait(600)
        skill, source = make(f"ahead-{level}", ahead=True)
        began = time.perf_counter()
        fast, response, user = start(skill, level)
        assert source.ahead is not None and source.ahead.idle.wait(600)  # not measured alongside the next
        ready[level] = time.perf_counter() - began
        opened[level] = (skill, source, response, user)
        times = [start(plain, level)[0] for _ in range(args.users)]
        print(f"  {level:12s} cold: whole stream first {cold * 1000:7.1f}, first part only: the whole warm-up"
              f" {whole_warmup * 1000:7.1f}, its first move {fast * 1000:7.1f} ({fast / whole_warmup:.2f}x)"
              f"   cached: {spread(times)}   {GOAL}")

    print("\nthe next part (PlaybackNearlyFinished -> ENQUEUE) after a cold start (ms)")
    for level in LEVELS:
        skill = make(f"ondemand-{level}", ahead=False)[0]
        _, response, user = start(skill, level)
        on_request = event(skill, "AudioPlayer.PlaybackNearlyFinished", token_of(response), user)[0]
        skill, source, response, user = opened[level]
        rendered = event(skill, "AudioPlayer.PlaybackNearlyFinished", token_of(response), user)[0]
        first = source.stream(PlanSpec(level).plan()).segments[0].seconds
        print(f"  {level:12s} encoded on request {on_request * 1000:7.1f}   rendered ahead {rendered * 1000:6.1f}"
              f"   (the whole stream was ready {ready[level]:.1f} s after the start; part 1 plays {first:.0f} s)")

    print("\na server starting: every level rendered ahead in the background (ms)")
    skill, source = make("server", ahead=True)
    began = time.perf_counter()
    assert render_catalogue_ahead(source, [PlanSpec(level) for level in LEVELS])
    during: dict[str, list[float]] = {level: [] for level in LEVELS}
    assert source.ahead is not None
    while not source.ahead.idle.is_set():
        for level in LEVELS:
            during[level].append(start(skill, level)[0])
    done = time.perf_counter() - began
    print(f"  all {len(LEVELS)} levels rendered in {done:.1f} s")
    for level in LEVELS:
        after = [start(skill, level)[0] for _ in range(args.users)]
        print(f"  {level:12s} meanwhile ({len(during[level])}): {spread(during[level])}   after: {spread(after)}"
              f"   {GOAL}")

    print("\nutterances for a whole workout (stream vs turns)")
    for level in LEVELS:
        _, response, user = start(plain, level)
        token = token_of(response)
        said, parts = 1, 0
        while token:
            parts += 1
            for kind in ("AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished",
                         "AudioPlayer.PlaybackFinished"):
                answer = event(plain, kind, token, user)[1]
                if kind.endswith("NearlyFinished"):
                    queued = answer.get("directives") or []
                    next_token = queued[0]["audioItem"]["stream"]["token"] if queued else ""
            token = next_token
        turns = len(guide_for(PlanSpec(level), turn_words()).pieces)
        print(f"  {level:12s} stream: {said} utterance, {parts} segments played   turns: {turns} utterances")
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
