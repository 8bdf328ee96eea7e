"""The demo's people and places: switching who types (``:as``), adding a colleague (``:as baru NAMA``), moving
between the group and a private chat, ``:who``. Functions of a ``Session``, kept apart so the session stays readable."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.devtools.seed import DemoPerson
from bot.devtools.sim import SimUser

if TYPE_CHECKING:
    from bot.devtools.demo.session import Session

GROUP, PRIVATE = "grup", "pribadi"
_CHAT_WORDS = {"grup": GROUP, "group": GROUP, "g": GROUP, "pribadi": PRIVATE, "private": PRIVATE, "p": PRIVATE}
NEW_PERSON_ID = 6300100  # people added with ":as baru NAMA" get ids from here on
_NEW_WORDS = ("baru", "new")


def switch_user(session: Session, name: str) -> None:
    wanted = name.strip().lower().lstrip("@")
    if not wanted:
        session.note("Write :as NAME, e.g. :as Budi. :who lists everyone; :as baru NAMA adds a person.")
        return
    first, _, rest = name.strip().partition(" ")
    if first.lower() in _NEW_WORDS:
        add_person(session, rest)
        return
    # First names, then usernames, then organisations ("pmi"), so ":as b" can still mean Budi.
    tiers: tuple[Callable[[DemoPerson], bool], ...] = (
        lambda p: p.name.lower().startswith(wanted),
        lambda p: (p.user.username or "").lower().startswith(wanted),
        lambda p: wanted in (org.short_name.lower() if (org := session.world.org(p.org_key)) else ""),
    )
    found: list[DemoPerson] = []
    for matches in tiers:
        found = [p for p in session.world.people if matches(p)]
        if found:
            break
    if len(found) != 1:
        names = ", ".join(p.name for p in (found or session.world.people))
        hint = "" if found else f" (:as baru {name.strip()} adds a new person)"
        session.note(f"{'Which one' if found else 'No such user'}: {names}{hint}")
        return
    session.person = found[0]
    session.note(f"Now typing as {describe(session, session.person)} in [{session.location_label()}].")

def add_person(session: Session, full_name: str) -> None:
    """``:as baru Nama Lengkap``: a new Telegram user in the group (e.g. a colleague to hand over to)."""
    words = full_name.split()
    if not words or len(full_name) > 64:
        session.note("Write :as baru NAME, e.g. :as baru Rudi Hartono.")
        return
    if any(p.name.lower() == words[0].lower() for p in session.world.people):
        session.note(f"There is already a {words[0]}: :as {words[0]} types as them.")
        return
    number = NEW_PERSON_ID + sum(1 for p in session.world.people if p.user.id >= NEW_PERSON_ID) + 1
    username = re.sub(r"[^a-z0-9]", "", words[0].lower())[:20] or "orang"
    user = SimUser(number, words[0], " ".join(words[1:]) or None, f"{username}_{number % 1000}")
    person = DemoPerson(user, None)
    session.world = dataclasses.replace(session.world, people=(*session.world.people, person))
    session.api.set_member(session.world.group_id, user.json(), person.group_status)
    session.sim.private_chat(user)
    session.person = person
    session.note(f"Added {describe(session, person)}, a member of the Telegram group; now typing as them.")

def switch_chat(session: Session, arg: str) -> None:
    where = _CHAT_WORDS.get(arg.strip().lower())
    if where is None:
        session.note("Write :chat grup or :chat pribadi.")
        return
    session.where = where
    session.note(f"Now in [{session.location_label()}].")

def describe(session: Session, person: DemoPerson) -> str:
    org = session.world.org(person.org_key)
    parts = [person.name + (f" {person.user.last_name}" if person.user.last_name else "")]
    if person.user.username:
        parts.append(f"@{person.user.username}")
    return " ".join(parts) + (f" ({org.short_name})" if org else " (not a member / bukan anggota)")

def who(session: Session) -> None:
    session.say(f"Group / grup: {session.world.group_title} ({session.world.group_id})")
    for person in session.world.people:
        org = session.world.org(person.org_key)
        marker = "*" if person is session.person else " "
        role = "sekretariat" if person.secretariat else ("anggota" if org else "tamu, belum terdaftar")
        where = f"{org.short_name}, {person.title}" if org else "—"
        name = f"{person.name} @{person.user.username}"
        session.say(f" {marker} {name:<20} {where:<55} {role}; Telegram: {person.group_status}")
    session.note(f"Typing as {session.person.name} in [{session.location_label()}]. :as NAME to switch.")
