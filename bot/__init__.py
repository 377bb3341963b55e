"""Kotobotti: integration and social services for newcomers to Finland."""
