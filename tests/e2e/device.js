// What both drivers share: a virtual-alexa device on a running Leg Coach
// endpoint (through the committed interaction model) that records every
// request it sends, one turn's response as JSON, and the error exit.
"use strict";

const va = require("virtual-alexa");

// A device for the skill at `url`; `requests` fills as it talks.
function device(url, modelPath, applicationId) {
  const alexa = va.VirtualAlexa.Builder()
    .skillURL(url)
    .interactionModelFile(modelPath)
    .applicationID(applicationId)
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
  return { alexa: alexa, requests: requests };
}

// What one response said, for the Python tests.
function turn(label, utterance, response) {
  const body = response.response || {};
  return {
    step: label,
    utterance: utterance,
    ssml: (body.outputSpeech || {}).ssml || null,
    reprompt: ((body.reprompt || {}).outputSpeech || {}).ssml || null,
    card: body.card || null,
    shouldEndSession: body.shouldEndSession === undefined ? null : body.shouldEndSession,
    sessionAttributes: response.sessionAttributes || {},
  };
}

// Run `main`, print its transcript as one JSON line; any error exits 1.
function run(main) {
  main()
    .then((transcript) => process.stdout.write(JSON.stringify(transcript) + "\n"))
    .catch((error) => {
      console.error(String(error && error.stack ? error.stack : error));
      process.exit(1);
    });
}

module.exports = { device: device, turn: turn, run: run };
