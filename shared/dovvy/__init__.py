"""DovvyBuddy's shared library: configuration, data access, providers, knowledge and chat."""

from __future__ import annotations

__version__ = "0.1.0"
