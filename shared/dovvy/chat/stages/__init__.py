"""The stages of a chat turn, in the order `chat.orchestrator` runs them: load, triage (the safety
tier; an emergency goes to protocol), routing, retrieve, generate, check, follow_up, save. Each
reads the `TurnContext` and returns a typed value; those that speak to the client yield events."""
