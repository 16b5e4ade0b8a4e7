"""Measuring the system (`dovvy eval` and `dovvy bench`): quality on the eval sets, latency and
load, cold start. Outside the domain packages and out of every deployed bundle: the domain never
imports from here, and this package may import anything, the wiring included."""
