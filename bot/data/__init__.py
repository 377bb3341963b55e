"""Packaged data files (see PROVENANCE.md)."""
