"""Handlers of the support feature (its rules: bot/services/support/)."""
