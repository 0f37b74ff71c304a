"""Sign-in with two-factor authentication, server-side sessions, activation and password change."""
