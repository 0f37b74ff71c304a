"""« Profil »: the praticien's details, his assistants, and the recent sign-ins of his account."""
