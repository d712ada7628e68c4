"""Local AWS for the tests: ``moto`` (server and fault proxy) and ``seed`` (the estate)."""
