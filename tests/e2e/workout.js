// Drives a short guided workout on a running Leg Coach endpoint with
// virtual-alexa, through the committed interaction model, and prints every
// turn as JSON (one line).
//
//   node tests/e2e/workout.js URL MODEL_JSON "utterance" ...
//
// Each utterance is sent in turn; virtual-alexa opens a new session after a
// response that ends one. Avoid "ask", "open", "launch", "tell" and "talk to"
// (virtual-alexa takes them as a launch) and bare "skip" (a built-in
// AMAZON.NextIntent utterance there). An argument that is a JSON object,
// {"intent": NAME, "slots": {NAME: WORDS}}, is sent as that intent with those
// slot words (virtual-alexa resolves them against the slot types as Alexa
// does): what Alexa sends for a question its model heard as that intent.
"use strict";

const { device, turn, run } = require("./device");

const [url, modelPath, ...utterances] = process.argv.slice(2);
if (!url || !modelPath || utterances.length === 0) {
  console.error("usage: node workout.js URL MODEL_JSON utterance [utterance ...]");
  process.exit(2);
}

run(async () => {
  const { alexa, requests } = device(url, modelPath, "amzn1.ask.skill.00000000-0000-4000-8000-0000000e2e01");
  const turns = [];
  for (const utterance of utterances) {
    if (utterance.startsWith("{")) {
      const { intent, slots } = JSON.parse(utterance);
      turns.push(turn("intent", utterance, await alexa.intend(intent, slots)));
    } else {
      turns.push(turn("utterance", utterance, await alexa.utter(utterance)));
    }
  }
  return { turns: turns, requests: requests };
});
