"""HTTP plumbing shared by every function: app factory, middleware, error rendering, adapters."""
