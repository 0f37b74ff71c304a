"""« HNP »: ordipostes and their fiche de décompte."""
