// The built package (dist/) under Node's own test runner: the event-stream parser against awkward
// chunking, and streamChat against a fetch that answers from memory. `make client` builds and runs it;
// tests/test_browser.py runs the same build against the real gateway in Chromium.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ChatStreamError,
  createDovvyClient,
  DovvyApiError,
  EventStreamParser,
  streamChat,
} from "@dovvybuddy/api-client";

const WIRE =
  "\uFEFF: a comment line\r\n" +
  "event: route\r\n" +
  'data: {"agent":"emergency"}\r\n' +
  "\r\n" +
  "id: 7\n" +
  "event:token\n" +
  "data:first line\n" +
  "data:  second, one space kept\n" +
  "data\n" +
  "\n" +
  "event: ignored-without-data\r" +
  "\r" +
  "retry: 1000\n" +
  "data: no name\n" +
  "\n" +
  "event: cut-off\n" +
  "data: never finished";

const EXPECTED = [
  { event: "route", data: '{"agent":"emergency"}', id: "" },
  { event: "token", data: "first line\n second, one space kept\n", id: "7" },
  { event: "message", data: "no name", id: "7" },
];

function parseInPieces(pieces) {
  const parser = new EventStreamParser();
  const events = pieces.flatMap((piece) => parser.push(piece));
  parser.end();
  return events;
}

test("the parser gives the same events however the text is split", () => {
  assert.deepEqual(parseInPieces([WIRE]), EXPECTED);
  assert.deepEqual(parseInPieces([...WIRE]), EXPECTED, "one character at a time");
  for (let cut = 0; cut <= WIRE.length; cut += 1) {
    assert.deepEqual(parseInPieces([WIRE.slice(0, cut), WIRE.slice(cut)]), EXPECTED, `split at ${cut}`);
  }
});

test("a CR at the end of one piece and a LF at the start of the next are one line break", () => {
  const events = parseInPieces(["data: a\r", "\ndata: b\r", "\n\r", "\n"]);
  assert.deepEqual(events, [{ event: "message", data: "a\nb", id: "" }]);
});

test("an event is handed over as soon as its blank line arrives", () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push("event: token\ndata: {}\n"), []);
  assert.equal(parser.push("\nevent: final\n").length, 1);
});

// A fetch that records the request and answers with `chunks` (strings or bytes) as the body.
function fakeApi({ status = 200, type = "text/event-stream", chunks = [], headers = {} } = {}) {
  const seen = { requests: [], cancelled: false };
  const encoder = new TextEncoder();
  const fetch = async (request) => {
    seen.requests.push({ request, body: await request.clone().text() });
    let index = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (index === chunks.length) return controller.close();
        const chunk = chunks[index++];
        controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      },
      cancel() {
        seen.cancelled = true;
      },
    });
    return new Response(body, { status, headers: { "Content-Type": type, ...headers } });
  };
  return { api: createDovvyClient("http://gateway.test", { fetch }), fetch, seen };
}

const FINAL = {
  message: "Stop, call for help.",
  sessionId: "0b8f3c1e-2d4a-4f6b-9c8d-1e2f3a4b5c6d",
  agentType: "emergency",
};

function sse(event, data) {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

async function collect(generator) {
  const events = [];
  for await (const event of generator) events.push(event);
  return events;
}

test("streamChat posts with credentials and yields typed events, a reset starting the answer over", async () => {
  const wire =
    sse("route", { agent: "certification", reason: "keyword" }) +
    sse("token", { text: "Half an " }) +
    sse("token", { text: "answ" }) +
    sse("reset", { reason: "the answer was replaced" }) +
    sse("token", { text: "Stop, " }) +
    sse("token", { text: "call for help." }) +
    sse("final", FINAL);
  const text = wire.replace("Half an", "Half an ñ");
  const bytes = new TextEncoder().encode(text);
  // Cut inside the first event, between the two LFs that end it, inside the two bytes of "ñ"
  // (everything before it is ASCII) and inside the last event.
  const cuts = [17, text.indexOf("\n\n") + 1, text.indexOf("ñ") + 1, bytes.length - 3];
  const chunks = [0, ...cuts].map((start, i) => bytes.slice(start, cuts[i] ?? bytes.length));
  assert.equal(chunks.reduce((n, c) => n + c.length, 0), bytes.length);
  const { api, seen } = fakeApi({ chunks });

  const events = await collect(streamChat(api, { message: "my buddy is not breathing" }));

  assert.deepEqual(
    events.map((e) => [e.event, e.answer]),
    [
      ["route", ""],
      ["token", "Half an ñ "],
      ["token", "Half an ñ answ"],
      ["reset", ""],
      ["token", "Stop, "],
      ["token", "Stop, call for help."],
      ["final", "Stop, call for help."],
    ],
  );
  assert.deepEqual(events.at(-1).data, FINAL);
  const [{ request, body }] = seen.requests;
  assert.equal(request.method, "POST");
  assert.equal(request.url, "http://gateway.test/api/chat/stream");
  assert.equal(request.credentials, "include");
  assert.deepEqual(JSON.parse(body), { message: "my buddy is not breathing" });
});

test("streamChat takes a base URL too", async () => {
  const real = globalThis.fetch;
  const { fetch, seen } = fakeApi({ chunks: [sse("final", FINAL)] });
  globalThis.fetch = fetch;
  try {
    const events = await collect(streamChat("http://other.test/", { message: "hi" }));
    assert.deepEqual(events.map((e) => e.event), ["final"]);
    assert.equal(seen.requests[0].request.url, "http://other.test/api/chat/stream");
    assert.equal(seen.requests[0].request.credentials, "include");
  } finally {
    globalThis.fetch = real;
  }
});

test("a non-2xx answer throws DovvyApiError with the API's code and detail", async () => {
  const body = JSON.stringify({ detail: "Session not found", code: "SESSION_NOT_FOUND" });
  const { api } = fakeApi({
    status: 404,
    type: "application/json",
    chunks: [body],
    headers: { "X-Request-ID": "req-1" },
  });
  await assert.rejects(collect(streamChat(api, { message: "hi", sessionId: FINAL.sessionId })), (error) => {
    assert.ok(error instanceof DovvyApiError);
    assert.equal(error.status, 404);
    assert.equal(error.code, "SESSION_NOT_FOUND");
    assert.equal(error.detail, "Session not found");
    assert.equal(error.requestId, "req-1");
    return true;
  });
});

test("a validation error keeps its list of fields; a body that is not the API's gets HTTP_<status>", async () => {
  const problems = [{ field: "message", message: "Field required", type: "missing" }];
  const invalid = fakeApi({
    status: 422,
    type: "application/json",
    chunks: [JSON.stringify({ detail: problems, code: "VALIDATION_ERROR" })],
  });
  await assert.rejects(collect(streamChat(invalid.api, { message: "" })), (error) => {
    assert.equal(error.code, "VALIDATION_ERROR");
    assert.deepEqual(error.detail, problems);
    return true;
  });
  const proxy = fakeApi({ status: 502, type: "text/html", chunks: ["<h1>Bad gateway</h1>"] });
  await assert.rejects(collect(streamChat(proxy.api, { message: "hi" })), (error) => {
    assert.ok(error instanceof DovvyApiError);
    assert.equal(error.code, "HTTP_502");
    assert.equal(error.detail, "<h1>Bad gateway</h1>");
    return true;
  });
});

test("a stream that stops before final, or that is not a stream, is a ChatStreamError", async () => {
  const cut = fakeApi({ chunks: [sse("route", { agent: "a", reason: "b" }), sse("token", { text: "x" })] });
  await assert.rejects(collect(streamChat(cut.api, { message: "hi" })), (error) => {
    assert.ok(error instanceof ChatStreamError);
    assert.equal(error.code, "STREAM_INCOMPLETE");
    return true;
  });
  const html = fakeApi({ type: "text/html", chunks: ["<p>hello</p>"] });
  await assert.rejects(collect(streamChat(html.api, { message: "hi" })), { code: "NOT_AN_EVENT_STREAM" });
  const garbled = fakeApi({ chunks: ["event: token\ndata: {not json\n\n"] });
  await assert.rejects(collect(streamChat(garbled.api, { message: "hi" })), { code: "STREAM_MALFORMED" });
});

test("an error event ends the stream; events outside the contract are skipped", async () => {
  const failure = { detail: "The answer could not be completed", code: "INTERNAL_ERROR" };
  const { api } = fakeApi({ chunks: [sse("later-addition", {}), sse("token", { text: "a" }), sse("error", failure)] });
  const events = await collect(streamChat(api, { message: "hi" }));
  assert.deepEqual(events.map((e) => e.event), ["token", "error"]);
  assert.deepEqual(events[1].data, failure);
});

test("stopping early cancels the response body", async () => {
  const { api, seen } = fakeApi({
    chunks: [sse("route", { agent: "a", reason: "b" }), sse("token", { text: "x" }), sse("final", FINAL)],
  });
  for await (const event of streamChat(api, { message: "hi" })) {
    assert.equal(event.event, "route");
    break;
  }
  assert.equal(seen.cancelled, true);
});
