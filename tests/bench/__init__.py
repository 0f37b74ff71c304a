"""Benchmark script (make bench), not collected as tests."""
