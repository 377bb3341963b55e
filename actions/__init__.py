"""Rasa SDK actions: thin adapters from a tracker to bot.conversation and back."""
