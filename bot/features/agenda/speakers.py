"""Speakers: suggested from the organisations' declared topics, typed names resolved to organisations (one
read each, no Telegram)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from bot.features.agenda import domain
from bot.features.agenda import storage as repo
from bot.features.members import orgs as org_domain
from bot.features.members import service as members_svc
from bot.features.members import storage as members_repo
from bot.kernel.sql import Conn


@dataclass(frozen=True)
class Suggestion:
    org_id: int
    label: str
    topic: str
    score: float


def _similarity(title: str, topic: str) -> float:
    a, b = org_domain.normalize_name(title), org_domain.normalize_name(topic)
    if not a or not b:
        return 0.0
    if b in a or a in b:
        return 1.0
    score = difflib.SequenceMatcher(None, a, b).ratio()
    words_a, words_b = set(a.split()), set(b.split())
    if words_b:
        score = max(score, len(words_a & words_b) / len(words_b))
    return score


def suggest_speakers(conn: Conn, cluster_id: int, title: str, limit: int = 6) -> list[Suggestion]:
    """Organisations whose teachable topics (capacity kind 'topic') fit the title best; with no good fit,
    every organisation that offers a topic (so the secretariat still sees who teaches)."""
    best: dict[int, Suggestion] = {}
    for org_id, label, topic in repo.topic_capacities(conn, cluster_id):
        score = _similarity(title, topic)
        if org_id not in best or score > best[org_id].score:
            best[org_id] = Suggestion(org_id, label, topic, round(score, 3))
    ranked = sorted(best.values(), key=lambda s: (-s.score, s.label.lower()))
    good = [s for s in ranked if s.score >= 0.5]
    return (good or ranked)[:limit]


@dataclass
class SpeakerLookup:
    org_ids: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    unknown: str | None = None
    suggestions: list[str] = field(default_factory=list)


def resolve_speakers(conn: Conn, cluster_id: int, text: str, title: str = "") -> SpeakerLookup:
    """``PMI Kalsel, Dinsos`` → approved member organisations; the first unknown name stops with suggestions."""
    lookup = SpeakerLookup()
    for name in domain.split_names(text):
        org, others = members_svc.find_org(conn, cluster_id, name)
        if org is None or org.status != "approved":
            lookup.unknown = name
            names = [o.label for o in others if o.status == "approved"]
            names += [s.label for s in suggest_speakers(conn, cluster_id, title) if s.label not in names]
            lookup.suggestions = names[:5]
            return lookup
        if org.id not in lookup.org_ids:
            lookup.org_ids.append(org.id)
            lookup.labels.append(org.label)
    return lookup


def speaker_labels(conn: Conn, cluster_id: int, org_ids: list[int]) -> list[str]:
    out = []
    for org_id in org_ids:
        org = members_repo.org_by_id(conn, org_id)
        if org is not None and org.cluster_id == cluster_id and org.status == "approved":
            out.append(org.label)
    return out
