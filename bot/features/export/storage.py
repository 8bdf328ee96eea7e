"""SQL for the export tables (/ekspor): needs, offers, pledges and organisations of one cluster, every row."""

from __future__ import annotations

from bot.kernel.sql import Conn, Row

_ORG_NAME = "COALESCE(NULLIF(o.short_name, ''), o.name)"


def export_needs(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        f"SELECT n.*, {_ORG_NAME} AS org_name, o.name AS org_full_name, i.title AS incident_title FROM needs n "
        "JOIN organizations o ON o.id = n.organization_id LEFT JOIN incidents i ON i.id = n.incident_id "
        "WHERE n.cluster_id = ? ORDER BY n.number",
        (cluster_id,),
    ).fetchall()


def export_offers(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT f.*, o.name AS org_full_name FROM offers f JOIN organizations o ON o.id = f.organization_id "
        "WHERE f.cluster_id = ? ORDER BY f.number",
        (cluster_id,),
    ).fetchall()


def export_pledges(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT p.id, p.quantity, p.status, p.source, p.created_at, p.updated_at, n.number AS need_number, "
        "n.item_key, n.item_name, n.category, n.unit, n.region_code, f.number AS offer_number, "
        "o.name AS provider, r.name AS recipient FROM pledges p JOIN needs n ON n.id = p.need_id "
        "JOIN organizations o ON o.id = p.organization_id JOIN organizations r ON r.id = n.organization_id "
        "LEFT JOIN offers f ON f.id = p.offer_id WHERE n.cluster_id = ? ORDER BY p.id",
        (cluster_id,),
    ).fetchall()


def export_orgs(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT o.*, (SELECT COUNT(*) FROM members m WHERE m.cluster_id = o.cluster_id AND m.status = 'active' "
        "AND m.organization_id = o.id) AS reps FROM organizations o WHERE o.cluster_id = ? "
        "ORDER BY o.type, lower(o.name), o.name",
        (cluster_id,),
    ).fetchall()
