"""« HNP »: the ordipostes by which the caisse paid the praticien's HNP/RDD FSE, and their décomptes."""
