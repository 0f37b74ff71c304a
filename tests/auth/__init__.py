"""Sign-in, sessions, assistants and access control."""
