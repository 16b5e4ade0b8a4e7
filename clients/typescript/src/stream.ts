// `POST /api/chat/stream` as typed events: the request goes out with the visitor's credentials,
// the server-sent events are parsed as the bytes arrive, and every event carries the answer as it
// stands after it (a `reset` empties it, as the contract says). Non-2xx answers throw DovvyApiError.
import { createDovvyClient, type DovvyClient } from "./client.js";
import type { components, operations } from "./schema.js";

type Schemas = components["schemas"];

/** One event as the wire carries it: its name (`message` when none was given) and its data. */
export interface ServerSentEvent {
  event: string;
  data: string;
  /** The last `id:` seen on the stream, or "" when there was none. */
  id: string;
}

/**
 * Splits text into server-sent events incrementally: feed it pieces of the decoded stream as they
 * come (split anywhere, even inside a CRLF) and it returns the events each piece completed. Lines
 * end with LF, CR or CRLF; several `data:` lines join with "\n"; comments (`:`) and events without
 * data are dropped, and so is an event the stream ends in the middle of.
 */
export class EventStreamParser {
  private partial = "";
  private dropLeadingLF = false;
  private started = false;
  private name = "";
  private data: string[] = [];
  private lastId = "";

  push(text: string): ServerSentEvent[] {
    let input = text;
    if (this.dropLeadingLF && input.length > 0) {
      // The previous piece ended in CR: a LF starting this one belongs to the same line break.
      if (input.startsWith("\n")) input = input.slice(1);
      this.dropLeadingLF = false;
    }
    if (!this.started && input.length > 0) {
      this.started = true;
      if (input.startsWith("\uFEFF")) input = input.slice(1);
    }
    const buffer = this.partial + input;
    const done: ServerSentEvent[] = [];
    let lineStart = 0;
    for (let i = 0; i < buffer.length; i += 1) {
      const char = buffer[i];
      if (char !== "\n" && char !== "\r") continue;
      const event = this.line(buffer.slice(lineStart, i));
      if (event) done.push(event);
      if (char === "\r") {
        if (i + 1 === buffer.length) this.dropLeadingLF = true;
        else if (buffer[i + 1] === "\n") i += 1;
      }
      lineStart = i + 1;
    }
    this.partial = buffer.slice(lineStart);
    return done;
  }

  /** The stream ended: whatever was not closed by a blank line is discarded. */
  end(): void {
    this.partial = "";
    this.name = "";
    this.data = [];
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.name = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
    return undefined; // `retry` and unknown fields are ignored
  }

  private dispatch(): ServerSentEvent | undefined {
    const event =
      this.data.length === 0
        ? undefined
        : { event: this.name || "message", data: this.data.join("\n"), id: this.lastId };
    this.name = "";
    this.data = [];
    return event;
  }
}

/** Reads a byte stream and yields its server-sent events as soon as each one is complete. */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  const parser = new EventStreamParser();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    yield* parser.push(decoder.decode());
    parser.end();
  } finally {
    // A caller that stops early (break, throw) closes the connection instead of leaving it open.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The event names the contract lists for `/api/chat/stream`. */
export type ChatStreamEventName =
  operations["chatStream"]["responses"][200]["content"]["text/event-stream"]["event"];

interface EventData {
  /** Which agent answers and why. */
  route: { agent: string; reason: string };
  /** A source the answer draws on. */
  citation: Schemas["Source"];
  /** The next piece of the answer. */
  token: { text: string };
  /** Everything shown so far is void; the whole answer follows again. */
  reset: { reason: string };
  /** The complete answer, as `POST /api/chat` returns it. */
  final: Schemas["ChatResponse"];
  /** The turn failed after streaming began. */
  error: Schemas["Error"];
}

// Fails to compile when the contract's list of events and this module's drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameEventNames: Same<keyof EventData, ChatStreamEventName> = true;
void sameEventNames;

/** An event of the chat stream; `answer` is the text to show after it (the tokens since the last
 * `reset`, or since the start). */
export type ChatStreamEvent = {
  [Name in ChatStreamEventName]: { event: Name; data: EventData[Name]; answer: string };
}[ChatStreamEventName];

const EVENT_NAMES: ReadonlySet<string> = new Set<ChatStreamEventName>([
  "route",
  "citation",
  "token",
  "reset",
  "final",
  "error",
]);

type ValidationProblem = Schemas["ValidationErrorBody"]["detail"][number];

/** A non-2xx answer from the API, with its `{detail, code}` body. `code` is stable (for example
 * SESSION_NOT_FOUND or SESSION_EXPIRED: start a new session; RATE_LIMITED: wait `retryAfter`). */
export class DovvyApiError extends Error {
  override readonly name = "DovvyApiError";
  readonly status: number;
  readonly code: string;
  /** A sentence, or one entry per invalid field for VALIDATION_ERROR. */
  readonly detail: string | ValidationProblem[];
  readonly requestId: string | null;
  /** Seconds to wait before trying again, when the server said (429). */
  readonly retryAfter: number | null;

  constructor(status: number, body: unknown, headers: Headers) {
    const known = isErrorBody(body);
    const code = known ? body.code : `HTTP_${status}`;
    const detail = known ? body.detail : String(typeof body === "string" ? body : "").slice(0, 500);
    super(`${status} ${code}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.requestId = headers.get("X-Request-ID");
    const wait = Number.parseInt(headers.get("Retry-After") ?? "", 10);
    this.retryAfter = Number.isNaN(wait) ? null : wait;
  }
}

function isErrorBody(body: unknown): body is Schemas["Error"] | Schemas["ValidationErrorBody"] {
  if (typeof body !== "object" || body === null) return false;
  const { code, detail } = body as Record<string, unknown>;
  return typeof code === "string" && (typeof detail === "string" || Array.isArray(detail));
}

/** The stream itself went wrong: it ended before `final`/`error` (STREAM_INCOMPLETE), an event's
 * data was not JSON (STREAM_MALFORMED), or the answer was not an event stream (NOT_AN_EVENT_STREAM). */
export class ChatStreamError extends Error {
  override readonly name = "ChatStreamError";
  constructor(
    readonly code: "STREAM_INCOMPLETE" | "STREAM_MALFORMED" | "NOT_AN_EVENT_STREAM",
    message: string,
  ) {
    super(message);
  }
}

export interface StreamChatOptions {
  /** Aborts the request and the reading of the stream. */
  signal?: AbortSignal;
}

/**
 * Asks `/api/chat/stream` and yields its events as they arrive, ending after `final` (or `error`).
 * `api` is a client from createDovvyClient or the gateway's base URL (without `/api`). Cookies go
 * with the request (`credentials: "include"`).
 *
 * ```ts
 * for await (const e of streamChat(api, { message: "What is a safety stop?" })) {
 *   if (e.event === "token" || e.event === "reset") show(e.answer);
 *   if (e.event === "final") keep(e.data.sessionId);
 * }
 * ```
 */
export async function* streamChat(
  api: DovvyClient | string,
  request: Schemas["ChatRequest"],
  options: StreamChatOptions = {},
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  const client = typeof api === "string" ? createDovvyClient(api) : api;
  const answered = await client.POST("/api/chat/stream", {
    body: request,
    parseAs: "stream",
    credentials: "include",
    headers: { Accept: "text/event-stream" },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { response } = answered;
  if (!response.ok) throw new DovvyApiError(response.status, answered.error, response.headers);
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("text/event-stream") || !answered.data) {
    await answered.data?.cancel().catch(() => undefined);
    throw new ChatStreamError("NOT_AN_EVENT_STREAM", `expected text/event-stream, got "${type}"`);
  }
  let answer = "";
  for await (const raw of readEventStream(answered.data)) {
    if (!EVENT_NAMES.has(raw.event)) continue; // not in the contract: ignored
    let data: unknown;
    try {
      data = JSON.parse(raw.data);
    } catch {
      throw new ChatStreamError("STREAM_MALFORMED", `the ${raw.event} event's data is not JSON`);
    }
    const event = { event: raw.event, data, answer } as ChatStreamEvent;
    if (event.event === "token") {
      if (typeof event.data.text !== "string") {
        throw new ChatStreamError("STREAM_MALFORMED", "a token event without text");
      }
      answer += event.data.text;
    }
    else if (event.event === "reset") answer = "";
    event.answer = answer;
    yield event;
    if (event.event === "final" || event.event === "error") return;
  }
  throw new ChatStreamError("STREAM_INCOMPLETE", "the stream ended before its final event");
}
