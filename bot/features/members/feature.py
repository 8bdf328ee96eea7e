"""The members feature's manifest: the cluster's group (/pasang, /sekretariat), registration and approval,
the directory, handover of a representative's post, the capacity register; and who is acting (the actor lookup
the kernel's pre-handler and read gate use)."""

from __future__ import annotations

from typing import Any

from bot.features.members import service, storage
from bot.features.members.handlers import approval, capacity, cluster, directory, handover, registration
from bot.kernel.actor import ACTOR_LOOKUP, ActorLookup
from bot.kernel.feature import MEMBERS, PUBLIC, Access, Contribution, Feature, Rule
from bot.kernel.permissions import SECRETARIAT_CHECK


def _handlers(app: Any) -> None:
    for module in (cluster, registration, approval, directory, handover, capacity):
        module.register(app)


FEATURE = Feature(
    "members",
    handlers=_handlers,
    access=Access(
        commands={
            "daftar": PUBLIC, "pasang": PUBLIC, "terima": PUBLIC,
            "sekretariat": MEMBERS, "undang": MEMBERS, "anggota": MEMBERS, "serahterima": MEMBERS,
            "kapasitas": MEMBERS,
        },
        deeplinks={"daftar": Rule(PUBLIC), "inv": Rule(PUBLIC), "st": Rule(PUBLIC)},
        buttons={
            "reg:": Rule(PUBLIC), "ho:": Rule(PUBLIC),
            "appr:": Rule(MEMBERS, ((r"^appr:(\d+):", storage.cluster_of_member),)),
            "dir:": Rule(MEMBERS),
        },
    ),
    dialogs={registration.KIND: registration.on_text},
    deeplinks={
        "daftar": registration.deeplink_register,
        "inv": registration.deeplink_invite,
        "st": handover.deeplink,
    },
    contributes=(
        Contribution(ACTOR_LOOKUP, ActorLookup(service.actor_for_chat, service.actor_in_cluster)),
        Contribution(SECRETARIAT_CHECK, cluster.secretariat_check),
    ),
    depends_on=("core",),
)
