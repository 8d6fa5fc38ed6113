"""Lowest layer: configuration, unbound extensions, errors and logging. Imports nothing above it."""
