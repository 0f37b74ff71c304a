"""The FSE page: identification, basket, billing, transmission."""
