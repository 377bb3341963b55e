"""Rasa graph components of our own (adapters: only what Rasa's pipeline needs)."""
