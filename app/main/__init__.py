"""The portal's front page and health check."""
