"""The workplan feature."""
