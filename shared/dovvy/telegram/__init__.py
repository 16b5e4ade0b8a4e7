"""DovvyBuddy on Telegram: the same chat turn as the web app, answered in Telegram's terms
(`format`), with commands and the lead form asked one question at a time (`bot`, `lead_flow`)."""
