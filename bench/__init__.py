"""The performance benchmark: `python -m bench` (see __main__.py and RESULTS.md)."""
