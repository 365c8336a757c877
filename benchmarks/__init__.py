"""`make bench`: measured speed and memory (`python -m benchmarks.run`)."""
