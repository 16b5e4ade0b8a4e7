"""HTTP endpoints, grouped by resource; each module exposes a `routes` list."""
