"""No SQLite-only SQL outside the SQLite engine (issue 18): every SQL string in bot/ is read as PostgreSQL 15 and
SQLite 3.40 both read it, or asks ``bot/kernel/sql.py`` for the difference by name.

The scan reads the string literals of every module (docstrings left out) and fails on the constructs one of the
two engines rejects or reads differently. Exempt: the engines themselves, what only an SQLite file has (its
backup, integrity check and restore, its demo file), and an engine's own branch in shared code (``if
sql.is_postgresql(conn): … else …``). Any other line that must stay carries the marker ``# sqlite-only: <why>``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

EXEMPT = {
    "bot/kernel/db.py": "the SQLite engine (pragmas, BEGIN IMMEDIATE, migrations' user_version)",
    "bot/kernel/db_postgres.py": "the PostgreSQL engine",
    "bot/kernel/sql.py": "where the engines' differences are spelt, by name",
    "bot/ops/backups.py": "SQLite's online backup and integrity check of the copy",
    "bot/ops/health.py": "klasterbot health on the SQLite file (read-only URI, sqlite_master, user_version)",
    "bot/__main__.py": "migrate/backup/restore of the SQLite file (integrity_check, user_version, sqlite_master)",
    "bot/devtools/demo/state.py": "the demo's own SQLite file",
    "bot/ops/pg_backups.py": "pg_dump/pg_restore of a PostgreSQL database (PostgreSQL's own SQL)",
    "bot/ops/pg_tools.py": "PostgreSQL's client tools",
}
NOT_YET = {"bot/kernel/db_postgres.py", "bot/ops/pg_backups.py", "bot/ops/pg_tools.py"}  # other branches' files
MARKER = "# sqlite-only:"

# Boolean columns: BOOLEAN in the PostgreSQL schema, 0/1 in SQLite. Compare and set them with TRUE/FALSE (SQLite
# reads those as 1/0) and pass Python bools. (``private`` in the stock totals is a 0/1 count, summed: not here.)
FLAGS = ("reachable", "is_exercise", "stock_public", "stock_secretariat", "stale_notified", "expiry_notified",
         "active", "late", "notify", "complete", "closed", "gone", "attended")  # fmt: skip

# A literal that looks like SQL (upper-case keywords, as the code writes them; a fragment such as " AND x = ?").
_SQLISH = re.compile(r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|JOIN|ON CONFLICT|RETURNING|GROUP BY|ORDER BY"
                     r"|VALUES|CREATE TABLE|FILTER)\b|\b(AND|OR|SET)\b[^'\"]*[=<>?]")  # fmt: skip

RULES: list[tuple[str, re.Pattern[str], bool]] = [
    # (what, pattern, only in strings that look like SQL)
    ("INDEXED BY (use sql.indexed_by)", re.compile(r"\bINDEXED\s+BY\b", re.I), False),
    ("COLLATE NOCASE/RTRIM/BINARY (compare lower(x) = lower(?), order by lower(x))",
     re.compile(r"\bCOLLATE\s+(NOCASE|RTRIM|BINARY)\b", re.I), False),
    ("BEGIN IMMEDIATE/EXCLUSIVE/DEFERRED (the engine opens transactions)",
     re.compile(r"\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)\b", re.I), False),
    ("INSERT/UPDATE OR IGNORE/REPLACE, REPLACE INTO (ON CONFLICT … DO NOTHING/UPDATE, NOT EXISTS)",
     re.compile(r"\b(INSERT|UPDATE)\s+OR\s+(IGNORE|REPLACE|ABORT|FAIL|ROLLBACK)\b|^\s*REPLACE\s+INTO\b", re.I), False),
    ("total() (COALESCE(SUM(x), 0.0))", re.compile(r"\btotal\s*\(", re.I), True),
    ("group_concat (sql.group_concat)", re.compile(r"\bgroup_concat\s*\(", re.I), False),
    ("GLOB", re.compile(r"\bGLOB\b"), True),
    ("null-safe IS/IS NOT with a value (IS [NOT] DISTINCT FROM)",
     re.compile(r"\bIS\s+(NOT\s+)?(?!NULL\b|DISTINCT\b|NOT\b|TRUE\b|FALSE\b)[\w?:.]", re.I), True),
    ("rowid", re.compile(r"\b(_rowid_|rowid|oid)\b", re.I), True),
    ("SQLite date functions (compute times in Python from the clock)",
     re.compile(r"\b(strftime|julianday|unixepoch|datetime|date|time)\s*\(", re.I), True),
    ("round() (PostgreSQL has round(double, n) only for numeric: round in Python)", re.compile(r"\bround\s*\(", re.I),
     True),
    ("SQLite-only function", re.compile(r"\b(instr|char|printf|format|ifnull|iif|typeof|randomblob|zeroblob|hex|"
                                        r"likelihood|likely|unlikely|changes|total_changes|last_insert_rowid|"
                                        r"sqlite_\w+)\s*\(", re.I), True),
    ("SQLite catalogue/pragma (sql.table_exists)", re.compile(r"\b(sqlite_master|sqlite_schema|PRAGMA)\b", re.I), False),
    ("WITHOUT ROWID", re.compile(r"\bWITHOUT\s+ROWID\b", re.I), False),
    ("LIKE without ESCAPE (SQLite has no default escape character: sql.LIKE_ESCAPE, sql.like_prefix)",
     re.compile(r"\bLIKE\s+(\?|'[^']*'|[\w.]+)(?!\s*(\|\||ESCAPE|\{))", re.I), True),
    ("named parameter (the PostgreSQL adapter takes ? only)", re.compile(r"(?<![:\w'\"]):[A-Za-z_]\w*\b"), True),
    ("LIMIT -1", re.compile(r"\bLIMIT\s+-\s*1\b", re.I), True),
    ("boolean flag compared or set with 0/1 (TRUE/FALSE)",
     re.compile(r"\b(" + "|".join(FLAGS) + r")\s*(=|!=|<>)\s*[01]\b(?!\.)", re.I), True),
    ("boolean expression summed (COUNT(*) FILTER (WHERE …) or CASE)",
     re.compile(r"\b(SUM|TOTAL|AVG)\s*\(\s*[\w.]+\s*(<|>|<=|>=|=|!=|<>)\s*[\w.?']+\s*\)", re.I), True),
]


def _scalar_min_max(text: str) -> bool:
    """``MIN(a, b)`` / ``MAX(a, b)``: scalar in SQLite, unknown in PostgreSQL (LEAST/GREATEST, which SQLite lacks)."""
    for m in re.finditer(r"\b(MIN|MAX)\s*\(", text, re.I):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            ch = text[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 1:
                return True
            elif ch == "'":
                i = text.find("'", i + 1)
                if i < 0:
                    break
            i += 1
    return False


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _asks_engine(test: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == "is_postgresql") or (isinstance(n, ast.Attribute) and n.attr == "is_postgresql")
        for n in ast.walk(test)
    )


def _engine_branches(tree: ast.AST) -> set[int]:
    """Nodes of an engine's own branch: both arms of ``if is_postgresql(conn)`` (and of ``… if is_postgresql(conn)
    else …``), the statements after such an ``if`` whose arm returns (the other engine's path), and module constants
    named ``*_SQLITE`` / ``*_POSTGRESQL``."""
    marked: set[int] = set()

    def mark(nodes: list[ast.AST]) -> None:
        marked.update(id(sub) for node in nodes for sub in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.IfExp) and _asks_engine(node.test):
            mark([node.body, node.orelse])
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            for i, stmt in enumerate(block):
                if isinstance(stmt, ast.If) and _asks_engine(stmt.test):
                    mark([*stmt.body, *stmt.orelse])
                    if stmt.body and isinstance(stmt.body[-1], ast.Return | ast.Raise):
                        mark(block[i + 1 :])
    for stmt in getattr(tree, "body", []):
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.endswith(("_SQLITE", "_POSTGRESQL")) for t in stmt.targets
        ):
            mark([stmt])
    return marked


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal outside docstrings and engine branches (an f-string as its literal
    parts joined, the holes left as {})."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    skip = _docstrings(tree) | _engine_branches(tree)
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in skip:
            parts = []
            for value in node.values:
                inner.add(id(value))
                parts.append(value.value if isinstance(value, ast.Constant) else "{}")
            yield node.lineno, "".join(str(p) for p in parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip | inner:
            yield node.lineno, node.value


def _marked(lines: list[str], first: int, text: str) -> bool:
    """The literal's lines (from its first) or the line after it carry the sqlite-only marker."""
    span = text.count("\n") + 2
    return any(MARKER in line for line in lines[first - 1 : first - 1 + span])


def problems_in(path: Path, rel: str) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[str] = []
    for lineno, text in _strings(path):
        sqlish = bool(_SQLISH.search(text))
        hits = [what for what, pattern, only_sql in RULES if (sqlish or not only_sql) and pattern.search(text)]
        if sqlish and _scalar_min_max(text):
            hits.append("scalar MIN(a, b)/MAX(a, b) (CASE WHEN …)")
        if hits and not _marked(lines, lineno, text):
            found.extend(f"{rel}:{lineno}: {what}: {' '.join(text.split())[:100]!r}" for what in hits)
    return found


def shared_modules() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(BOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel not in EXEMPT:
            out.append((path, rel))
    return out


def test_no_sqlite_only_sql_in_shared_code() -> None:
    found = [problem for path, rel in shared_modules() for problem in problems_in(path, rel)]
    assert not found, "SQLite-only SQL outside the SQLite engine:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM stock INDEXED BY stock_item WHERE cluster_id = ?",
        "SELECT name FROM organizations WHERE cluster_id = ? ORDER BY name COLLATE NOCASE",
        "INSERT OR IGNORE INTO t (a) VALUES (?)",
        "UPDATE OR IGNORE t SET a = ? WHERE a = ?",
        "SELECT total(quantity) FROM stock WHERE cluster_id = ?",
        "SELECT group_concat(name, '; ') FROM organizations WHERE cluster_id = ?",
        "SELECT 1 FROM needs WHERE region_code IS ? AND cluster_id = ?",
        "UPDATE offers SET committed = MAX(0, committed + ?) WHERE id = ?",
        "SELECT AVG(MIN(pledged / quantity, 1.0)) FROM needs WHERE cluster_id = ?",
        "SELECT strftime('%s', 'now') FROM needs WHERE id = ?",
        "SELECT 1 FROM users WHERE reachable = 1 AND user_id = ?",
        "UPDATE digest_subscriptions SET active = 0 WHERE id = ?",
        "SELECT SUM(pledged < quantity) FROM needs WHERE cluster_id = ?",
        "SELECT 1 FROM scheduled_jobs WHERE ref LIKE ? AND kind = ?",
        "SELECT 1 FROM stock WHERE norm_item < char(127) AND cluster_id = ?",
        "SELECT rowid FROM stock WHERE cluster_id = ?",
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
        "DELETE FROM stock WHERE cluster_id = :c",
    ],
)
def test_the_scan_finds_sqlite_only_sql(tmp_path: Path, sql: str) -> None:
    """Each construct is caught (the scan cannot pass by accident)."""
    module = tmp_path / "m.py"
    module.write_text(f"def f(conn):\n    return conn.execute({sql!r}, ())\n", encoding="utf-8")
    assert problems_in(module, "m.py")
    marked = tmp_path / "marked.py"
    marked.write_text(f"def f(conn):\n    return conn.execute({sql!r}, ())  {MARKER} test\n", encoding="utf-8")
    assert not problems_in(marked, "marked.py")
    branch = tmp_path / "branch.py"
    branch.write_text(f"def f(conn):\n    if is_postgresql(conn):\n        return None\n    return conn.execute({sql!r})\n",
                      encoding="utf-8")  # fmt: skip
    assert not problems_in(branch, "branch.py")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM stock {} WHERE cluster_id = ?",
        "SELECT 1 FROM users WHERE lower(username) = lower(?) AND reachable = TRUE",
        "SELECT 1 FROM needs WHERE region_code IS NOT DISTINCT FROM ? AND closed_at IS NULL AND x IS NOT NULL",
        "SELECT MIN(due_at) FROM scheduled_jobs WHERE kind = ?",
        "SELECT COUNT(*) FILTER (WHERE pledged < quantity) FROM needs WHERE cluster_id = ?",
        "SELECT 1 FROM scheduled_jobs WHERE ref LIKE ? ESCAPE '\\' AND kind = ?",
        "INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING",
        "SELECT COUNT(*) FROM offers WHERE committed = 0 AND cluster_id = ?",
    ],
)
def test_the_scan_passes_portable_sql(tmp_path: Path, sql: str) -> None:
    module = tmp_path / "m.py"
    module.write_text(f"def f(conn):\n    return conn.execute({sql!r}, ())\n", encoding="utf-8")
    assert problems_in(module, "m.py") == []


def test_the_exempt_files_exist() -> None:
    """An exemption names a file that is there (a renamed engine must not leave a hole); the PostgreSQL engine
    and its tools may not be merged yet."""
    missing = [rel for rel in EXEMPT if rel not in NOT_YET and not (ROOT / rel).is_file()]
    assert missing == []
