"""Handlers of the release feature (its rules: bot/services/release/)."""
