"""The caisse's registry of households: its CSV format (FORMAT.md), its import (web and CLI)."""
