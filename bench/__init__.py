"""Benchmarks of lightbase against the inits people use today (see docs/benchmarks.md)."""
