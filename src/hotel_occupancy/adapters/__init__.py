"""Adapters: implementations of the ports (in-memory; SQLAlchemy in a later release)."""
