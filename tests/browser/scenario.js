// What tests/test_browser.py asks the page to do, with the built client from clients/typescript:
// a session, two streamed chats (each event timed as it arrives), a stream the API refuses, a lead.
import { createDovvyClient, DovvyApiError, streamChat } from "@dovvybuddy/api-client";

const UNKNOWN_SESSION = "0b8f3c1e-2d4a-4f6b-9c8d-1e2f3a4b5c6d";

async function timed(stream) {
  const events = [];
  for await (const event of stream) {
    events.push({ event: event.event, data: event.data, answer: event.answer, at: performance.now() });
  }
  return events;
}

function described(error) {
  const about = { name: error.name, message: String(error.message), isTypeError: error instanceof TypeError };
  if (error instanceof DovvyApiError) {
    Object.assign(about, { status: error.status, code: error.code, detail: error.detail });
  }
  return about;
}

// From an origin the gateway allows: everything works, credentials included.
window.converse = async (gateway, messages) => {
  // A cookie of this site's own; the gateway's port differs, the site is the same, so a credentialed
  // request carries it and an uncredentialed one does not.
  document.cookie = "dovvy_probe=set-by-the-page; SameSite=Lax; path=/";
  const api = createDovvyClient(gateway);
  const created = await api.POST("/api/sessions", { body: {} });
  if (created.error) throw new Error(`creating a session: ${JSON.stringify(created.error)}`);
  const sessionId = created.data.id;

  const emergency = await timed(streamChat(api, { message: messages.emergency, sessionId }));
  const replaced = await timed(streamChat(gateway, { message: messages.replaced, sessionId }));

  let refused = null;
  try {
    await timed(streamChat(api, { message: "hello", sessionId: UNKNOWN_SESSION }));
  } catch (error) {
    refused = described(error);
  }

  const lead = await api.POST("/api/leads", {
    body: {
      type: "trip",
      data: { name: "Test Diver", email: "diver@example.com", destination: "Tulamben", group_size: 2 },
      session_id: sessionId,
    },
    headers: { "Idempotency-Key": `browser-${sessionId}` },
  });
  return {
    sessionId,
    emergency,
    replaced,
    refused,
    lead: { status: lead.response.status, data: lead.data ?? null, error: lead.error ?? null },
  };
};

// From an origin the gateway does not list: the browser itself refuses to hand over the answers.
window.trespass = async (gateway) => {
  const outcomes = {};
  try {
    const answer = await createDovvyClient(gateway).POST("/api/sessions", { body: {} });
    outcomes.session = { resolved: answer.response.status };
  } catch (error) {
    outcomes.session = described(error);
  }
  try {
    await timed(streamChat(gateway, { message: "my buddy is unconscious and not breathing" }));
    outcomes.stream = { resolved: true };
  } catch (error) {
    outcomes.stream = described(error);
  }
  return outcomes;
};

document.getElementById("status").textContent = "ready";
