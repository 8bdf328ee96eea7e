"""Use cases: validate, store through ``bot.storage``, decide who is told what. No Telegram imports.

Transaction bodies here are plain functions ``fn(conn, ...)`` run whole by ``Database.write``; they
call repository functions for every SQL statement.
"""
