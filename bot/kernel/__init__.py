"""The kernel every feature stands on: runtime and database, scheduling, Telegram I/O (the outbox), the read
gate and the actor, dialogs, button codecs, i18n glue. The kernel imports no feature (import-linter holds it)."""
