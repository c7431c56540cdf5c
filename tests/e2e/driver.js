// Drives a running Leg Coach endpoint with virtual-alexa, through the
// committed interaction model, and prints what it heard as JSON.
//
//   node tests/e2e/driver.js URL MODEL_JSON ["question" ...]
//
// virtual-alexa treats any utterance containing "ask", "open", "launch",
// "tell" or "talk to" as a launch request, so "tell me more" cannot be
// uttered here: "more please", a MoreIntent sample, stands in for it.
"use strict";

const { device, turn, run } = require("./device");

const [url, modelPath, ...questions] = process.argv.slice(2);
if (!url || !modelPath) {
  console.error("usage: node driver.js URL MODEL_JSON [question ...]");
  process.exit(2);
}

run(async () => {
  const { alexa, requests } = device(url, modelPath, "amzn1.ask.skill.00000000-0000-4000-8000-0000000e2e00");
  const turns = [];
  turns.push(turn("launch", null, await alexa.launch()));
  const asked = questions.length ? questions : ["why won't my legs slim down"];
  for (const question of asked) {
    turns.push(turn("question", question, await alexa.utter(question)));
  }
  turns.push(turn("more", "more please", await alexa.utter("more please")));
  turns.push(turn("stop", "stop", await alexa.utter("stop")));
  return { turns: turns, requests: requests };
});
