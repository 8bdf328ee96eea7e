"""The agenda's texts, keyboards and calendar files, by sub-feature. Every user string is escaped."""
