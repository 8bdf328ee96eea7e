"""The stock feature."""
