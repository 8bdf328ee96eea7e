"""Pure logic: no I/O, no Telegram. Parsing, catalogue, matching, sitrep computation, standards."""
