"""Performance benchmarks of EWO Cases at local-authority scale (``python -m benchmarks.run``).

Not part of the test suite: nothing here asserts a timing. See ``benchmarks/README.md``.
"""
