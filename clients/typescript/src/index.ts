// The DovvyBuddy API client: typed calls to every operation (client.ts, over the types generated
// from openapi.yaml in schema.ts) and the chat event stream as typed events (stream.ts).
import type { components, operations, paths } from "./schema.js";

export { createDovvyClient, type DovvyClient } from "./client.js";
export {
  ChatStreamError,
  DovvyApiError,
  EventStreamParser,
  readEventStream,
  streamChat,
  type ChatStreamEvent,
  type ChatStreamEventName,
  type ServerSentEvent,
  type StreamChatOptions,
} from "./stream.js";

export type { components, operations, paths };
export type Schemas = components["schemas"];
export type ChatRequest = Schemas["ChatRequest"];
export type ChatResponse = Schemas["ChatResponse"];
export type ConversationState = Schemas["ConversationState"];
export type Session = Schemas["Session"];
export type CreateLeadRequest = Schemas["CreateLeadRequest"];
export type ApiError = Schemas["Error"];
