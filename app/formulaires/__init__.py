"""« Formulaires »: prescription d'IT, demande d'ETM, demande d'admission en invalidité."""
