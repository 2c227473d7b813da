"""Benchmarks: figures for README, not pass/fail tests. Run as `python -m bench.<name>`."""
