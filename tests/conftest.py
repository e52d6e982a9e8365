"""Shared pytest configuration. Fixtures used by a single test module live in that module."""
