// Drives a whole streamed workout on a running Leg Coach endpoint with
// virtual-alexa, which simulates the device's AudioPlayer: one utterance
// starts it, then the player reports each segment nearly finished and
// finished (the skill queues the next), with a pause and a resume on the
// way. Prints the turns and every request (one JSON line).
//
//   node tests/e2e/stream.js URL MODEL_JSON
"use strict";

const { device, turn, run } = require("./device");

const [url, modelPath] = process.argv.slice(2);
if (!url || !modelPath) {
  console.error("usage: node stream.js URL MODEL_JSON");
  process.exit(2);
}

run(async () => {
  const { alexa, requests } = device(url, modelPath, "amzn1.ask.skill.00000000-0000-4000-8000-0000000e2e01");
  const player = alexa.audioPlayer();
  const turns = [turn("utterance", "start a workout", await alexa.utter("start a workout"))];
  const played = [];
  let paused = false;
  for (let guard = 0; player.isPlaying() && guard < 100; guard++) {
    played.push(player.playing().stream.token);
    if (played.length === 2 && !paused) {
      paused = true;
      player.playbackOffset(1500);
      turns.push(turn("utterance", "pause", await alexa.utter("pause")));
      turns.push(turn("utterance", "resume", await alexa.utter("resume")));
      continue;
    }
    await player.playbackNearlyFinished();
    await player.playbackFinished();
  }
  return { turns: turns, requests: requests, played: played, playing: player.isPlaying() };
});
