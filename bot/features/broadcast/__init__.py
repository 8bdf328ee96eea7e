"""The broadcast feature."""
