"""The caisse's back office under /caisse: its agents and its médecin conseil."""
