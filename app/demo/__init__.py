"""Demo data: a deterministic registry of households and the demo accounts (never in production)."""
