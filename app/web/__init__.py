"""What every page shares: the htmx fragment-or-page choice, security headers, template context."""
