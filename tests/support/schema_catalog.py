"""The schema of a migrated database, read from its catalogue into one engine-neutral shape, so that the SQLite
and the PostgreSQL migrations can be compared (tests/kernel/test_schema_parity.py).

Per table: ``columns`` (name, type family, NOT NULL, default: "value" | "auto" (a generated row id) | None) in
order, ``primary_key`` (columns in key order), ``unique`` (the UNIQUE constraints' column tuples), ``indexes`` (the
named indexes: unique, key columns — ``"<expr>"`` for an expression —, partial), ``foreign_keys``, ``checks``
(how many CHECK constraints) and ``triggers`` (name: timing, event, UPDATE OF columns, has WHEN).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from bot.kernel.pg_migrations import BOOLEAN_COLUMNS

# Primary keys given by Telegram or by another table: a SQLite rowid alias (which could generate a value, though
# the code never lets it), a plain BIGINT on PostgreSQL.
NATURAL_KEYS = {
    ("chats", "chat_id"), ("users", "user_id"), ("sitrep_state", "cluster_id"), ("stock_pledges", "pledge_id"),
    ("telegram_health", "id"), ("schema_migrations", "version"), ("outbox_files", "outbox_id"),
}
_FAMILY = {"integer": "integer", "bigint": "integer", "smallint": "integer", "text": "text", "real": "real",
           "double precision": "real", "boolean": "boolean", "blob": "bytes", "bytea": "bytes"}
_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_TRIGGER = re.compile(r"\b(BEFORE|AFTER|INSTEAD OF)\s+(INSERT|DELETE|UPDATE)(?:\s+OF\s+(.+?))?\s+ON\s+", re.I | re.S)
_CHECK = re.compile(r"\bCHECK\s*\(", re.I)

Table = dict[str, Any]


def _trigger(sql: str) -> tuple[str, str, tuple[str, ...], bool]:
    match = _TRIGGER.search(sql)
    assert match, sql
    timing, event, of = match.groups()
    columns = tuple(sorted(c.strip() for c in of.split(","))) if of else ()
    head = re.split(r"\bBEGIN\b|\bEXECUTE\b", sql[match.end():], maxsplit=1, flags=re.I)[0]  # not the body
    return timing.upper(), event.upper(), columns, bool(re.search(r"\bWHEN\b", head, re.I))


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def sqlite_schema(conn: sqlite3.Connection) -> dict[str, Table]:
    out: dict[str, Table] = {}
    tables = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for table, create in tables:
        info = conn.execute(f"PRAGMA table_info({table})").fetchall()
        pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        rowid_alias = (
            len(pk) == 1 and "WITHOUT ROWID" not in create.upper()
            and next(r[2] for r in info if r[1] == pk[0]).upper() == "INTEGER"
        )
        columns = []
        for _cid, name, decl, notnull, default, in_pk in info:
            family = _FAMILY[decl.lower()]
            if (table, name) in BOOLEAN_COLUMNS and family == "integer":
                family = "boolean"
            auto = rowid_alias and name == pk[0] and (table, name) not in NATURAL_KEYS
            columns.append((name, family, bool(notnull or in_pk), "auto" if auto else "value" if default else None))
        unique, indexes = set(), {}
        for _seq, index, is_unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
            if origin == "pk":
                continue
            keys = tuple(r[2] if r[2] is not None else "<expr>"
                         for r in conn.execute(f"PRAGMA index_xinfo({index})") if r[5])
            if origin == "u":
                unique.add(keys)
            else:
                indexes[index] = (bool(is_unique), keys, bool(partial))
        fks: dict[int, list[Any]] = {}
        for fid, _seq, ref, frm, to, on_update, on_delete, _match in conn.execute(f"PRAGMA foreign_key_list({table})"):
            fks.setdefault(fid, [ref, [], [], on_update, on_delete])
            fks[fid][1].append(frm)
            fks[fid][2].append(to)
        triggers = {
            name: _trigger(sql) for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))
        }
        out[table] = {
            "columns": columns, "primary_key": pk, "unique": unique, "indexes": indexes,
            "foreign_keys": {(ref, tuple(f), tuple(t), u, d) for ref, f, t, u, d in fks.values()},
            "checks": len(_CHECK.findall(_strip_comments(create))), "triggers": triggers,
        }
    return out


def pg_schema(conn: Any) -> dict[str, Table]:
    """The same shape from a psycopg connection's current schema."""
    out: dict[str, Table] = {}
    tables = [r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE'")]
    for table in tables:
        columns = [
            (name, _FAMILY[dtype], nullable == "NO", "auto" if identity == "YES" else "value" if default else None)
            for name, dtype, nullable, default, identity in conn.execute(
                "SELECT column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position", (table,))
        ]
        pk: list[str] = []
        unique, indexes = set(), {}
        for index, is_unique, is_primary, partial, nkeys, oid, constraint in conn.execute(
            "SELECT i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL, x.indnkeyatts, x.indexrelid, "
            "(SELECT contype FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u')) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace", (table,)
        ):
            keys = tuple(conn.execute("SELECT pg_get_indexdef(%s, %s, true)", (oid, k)).fetchone()[0]
                         for k in range(1, nkeys + 1))
            keys = tuple(k if re.fullmatch(r"\w+", k) else "<expr>" for k in keys)
            if is_primary:
                pk = list(keys)
            elif constraint == "u":
                unique.add(keys)
            else:
                indexes[index] = (bool(is_unique), keys, bool(partial))
        fks = set()
        for ref, frm, to, on_update, on_delete in conn.execute(
            "SELECT r.relname, "
            "(SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(att, n) "
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att), "
            "(SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(att, n) "
            " JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.att), "
            "c.confupdtype, c.confdeltype FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_class r ON r.oid = c.confrelid "
            "WHERE c.contype = 'f' AND t.relname = %s AND t.relnamespace = current_schema()::regnamespace", (table,)
        ):
            fks.add((ref, tuple(frm), tuple(to), _ACTIONS[on_update], _ACTIONS[on_delete]))
        checks = conn.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'c' AND t.relname = %s AND t.relnamespace = current_schema()::regnamespace", (table,)
        ).fetchone()[0]
        triggers = {
            name: _trigger(sql) for name, sql in conn.execute(
                "SELECT g.tgname, pg_get_triggerdef(g.oid) FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid "
                "WHERE NOT g.tgisinternal AND t.relname = %s AND t.relnamespace = current_schema()::regnamespace",
                (table,))
        }
        out[table] = {
            "columns": columns, "primary_key": pk, "unique": unique, "indexes": indexes, "foreign_keys": fks,
            "checks": int(checks), "triggers": triggers,
        }
    return out
