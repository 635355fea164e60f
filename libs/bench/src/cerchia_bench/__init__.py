"""Cerchia benchmarks: figures measured on the local stack, with controls in the same run."""
