"""Tests of the FSE portal."""
