// Every operation of the contract, called once with the types the generator produced. `tsc
// --noEmit` compiles this file in `make test`, so a contract change that breaks a caller fails there.
import { createDovvyClient, type ConversationState } from "./index.js";

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
