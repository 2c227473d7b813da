"""Handlers of the people feature (its rules: bot/services/people/)."""
