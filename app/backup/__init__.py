"""`flask backup` and `flask restore`: consistent online backups and restores checked before they
replace anything (SECURITY.md 29; README, « Production »)."""
