"""Several hosts over one database (issue 11, item 5)."""
