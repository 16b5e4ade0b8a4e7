"""Run an http.server handler on a free loopback port for the length of a `with` block (the same
helper the benchmarks use)."""

from dovvy.measure.loopback import serving

__all__ = ["serving"]
