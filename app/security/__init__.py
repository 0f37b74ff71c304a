"""Secrets at rest and password hashing, configured from the app's settings."""
