"""The agenda feature."""
