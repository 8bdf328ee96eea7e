"""The cast: the cluster's group and the people who write to the bot in the end-to-end tests."""

from __future__ import annotations

from bot.devtools.sim import SimUser

GROUP_ID = -1001234567890
ADMIN = SimUser(1001, "Rina", "Sekretariat", "rina_bpbd")  # creator of the group: the secretariat
MEMBER = SimUser(1002, "Budi", "Santoso", "budi_pmi")  # PMI Kalsel in the clusters of tests.support.world
OTHER = SimUser(1003, "Sari", None, "sari_dinsos")  # Dinsos
COLLEAGUE = SimUser(1004, "Dimas", None, "dimas_pmi")  # a second representative of PMI
DONOR = SimUser(1005, "Joko", None, "joko_bulog")  # Perum Bulog in tests.support.world.cluster_with_members
DONOR_MDMC = SimUser(1005, "Joko", None, "joko_mdmc")  # MDMC in the stock scenarios (tests.support.stock.ORGS)
STRANGER = SimUser(1006, "Tamu", None, None)  # in no cluster
SAR = SimUser(1007, "Andi", None, "andi_sar")  # BASARNAS in the stock scenarios
FIFTH = SimUser(1008, "Dewi", None, "dewi_bmkg")  # BMKG in the stock scenarios
