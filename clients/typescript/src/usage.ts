// Every operation of the contract, called once with the types the generator produced. `tsc
// --noEmit` compiles this file in `make test`, so a contract change that breaks a caller fails there.
import {
  ChatStreamError,
  createDovvyClient,
  DovvyApiError,
  streamChat,
  type ChatStreamEvent,
  type ConversationState,
} from "./index.js";

export async function tour(baseUrl: string): Promise<void> {
  const api = createDovvyClient(baseUrl);

  const health = await api.GET("/health");
  const ready = await api.GET("/ready");
  console.log(health.data?.status, ready.data?.checks);

  const state: ConversationState = { cert_level: "OW", context_mode: "planning", asked_follow_ups: [] };
  const first = await api.POST("/api/chat", {
    body: { message: "Where can I see mantas in March?", sessionState: state },
  });
  if (first.error) {
    // `code` is stable: SESSION_NOT_FOUND and SESSION_EXPIRED mean "start a new session".
    throw new Error(`${first.error.code}: ${JSON.stringify(first.error.detail)}`);
  }
  const sessionId: string = first.data.sessionId;
  const merged: ConversationState = { ...state, ...first.data.metadata.state_updates };
  const follow: string | null = first.data.followUpQuestion;
  console.log(first.data.message, follow, first.data.sources.map((s) => s.path));

  const streamed = await api.POST("/api/chat/stream", {
    body: { message: "and in July?", sessionId, sessionState: merged },
    parseAs: "stream",
  });
  console.log(streamed.response.headers.get("content-type"));

  // The same stream through the helper: typed events, `answer` already reset when the server says so.
  let shown = "";
  const sources: string[] = [];
  try {
    for await (const e of streamChat(api, { message: "and in October?", sessionId })) {
      if (e.event === "token" || e.event === "reset") shown = e.answer;
      if (e.event === "citation") sources.push(`${e.data.title} (${e.data.path})`);
      if (e.event === "route") console.log(e.data.agent, e.data.reason);
      if (e.event === "final") console.log(e.data.message === shown, e.data.metadata.state_updates);
      if (e.event === "error") console.log(e.data.code, e.data.detail);
    }
  } catch (error) {
    if (error instanceof DovvyApiError) console.log(error.status, error.code, error.detail, error.requestId);
    else if (error instanceof ChatStreamError) console.log(error.code);
    else throw error;
  }
  const fromUrl: AsyncGenerator<ChatStreamEvent> = streamChat(baseUrl, { message: "hi" });
  await fromUrl.return(undefined);

  const created = await api.POST("/api/sessions", {
    body: { diverProfile: { certification_level: "Advanced Open Water", logged_dives: 40 } },
  });
  const id = created.data?.id ?? sessionId;
  const session = await api.GET("/api/sessions/{sessionId}", { params: { path: { sessionId: id } } });
  console.log(session.data?.conversation_history.length, session.data?.conversation_state);

  const lead = await api.POST("/api/leads", {
    body: {
      type: "trip",
      data: { name: "Sam Lee", email: "sam@example.com", destination: "Raja Ampat", group_size: 2 },
      session_id: sessionId,
    },
    headers: { "Idempotency-Key": "tour-1" },
  });
  console.log(lead.data?.lead_id);

  await api.DELETE("/api/sessions/{sessionId}", { params: { path: { sessionId: id } } });
}
