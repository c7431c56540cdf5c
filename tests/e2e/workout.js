// Drives a short guided workout on a running Leg Coach endpoint with
// virtual-alexa, through the committed interaction model, and prints every
// turn as JSON (one line).
//
//   node tests/e2e/workout.js URL MODEL_JSON "utterance" ...
//
// Each utterance is sent in turn; virtual-alexa opens a new session after a
// response that ends one. Avoid "ask", "open", "launch", "tell" and "talk to"
// (virtual-alexa takes them as a launch) and bare "skip" (a built-in
// AMAZON.NextIntent utterance there).
"use strict";

const va = require("virtual-alexa");

const [url, modelPath, ...utterances] = process.argv.slice(2);
if (!url || !modelPath || utterances.length === 0) {
  console.error("usage: node workout.js URL MODEL_JSON utterance [utterance ...]");
  process.exit(2);
}

function turn(utterance, response) {
  const body = response.response || {};
  return {
    utterance: utterance,
    ssml: (body.outputSpeech || {}).ssml || null,
    reprompt: ((body.reprompt || {}).outputSpeech || {}).ssml || null,
    shouldEndSession: body.shouldEndSession === undefined ? null : body.shouldEndSession,
    sessionAttributes: response.sessionAttributes || {},
  };
}

async function main() {
  const alexa = va.VirtualAlexa.Builder()
    .skillURL(url)
    .interactionModelFile(modelPath)
    .applicationID("amzn1.ask.skill.00000000-0000-4000-8000-0000000e2e01")
    .locale("en-US")
    .create();
  const requests = [];
  alexa.filter((request) => {
    const intent = request.request.intent;
    requests.push({
      type: request.request.type,
      intent: intent ? intent.name : null,
      slots: intent ? intent.slots || {} : {},
      userId: request.context.System.user.userId,
      newSession: request.session ? request.session.new : null,
    });
  });
  const turns = [];
  for (const utterance of utterances) {
    turns.push(turn(utterance, await alexa.utter(utterance)));
  }
  process.stdout.write(JSON.stringify({ turns: turns, requests: requests }) + "\n");
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
