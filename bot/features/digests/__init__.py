"""The digests feature."""
