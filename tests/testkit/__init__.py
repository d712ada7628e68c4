"""Tests of the test support package itself (auditor_testkit)."""
