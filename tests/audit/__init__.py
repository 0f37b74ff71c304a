"""Tests of the audit trail: recording, append-only guard, chain verification, concurrent writers."""
