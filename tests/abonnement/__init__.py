"""« Demande d'abonnement »: the public page, its rules and its throttle."""
