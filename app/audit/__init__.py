"""The audit trail: recording security events and actions on health data, and checking the chain."""
