"""Benchmark scenarios, grouped by what they exercise."""
