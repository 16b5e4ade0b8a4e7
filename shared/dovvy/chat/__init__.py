"""DovvyBuddy's conversation: safety check, routing, agents, profile, lead suggestions."""
