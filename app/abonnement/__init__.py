"""« Demande d'abonnement »: the public request for an access to the portal (seed 003)."""
