"""Performance benchmarks (issue 6). Not collected by the default pytest run.

Run ``python -m tests.perf.bench`` from the repository root (see tests/perf/README.md).
"""
