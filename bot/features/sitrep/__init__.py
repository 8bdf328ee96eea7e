"""The sitrep feature."""
