"""Helpers the test modules share: the cast, a cluster with members, queries on the test database, and each
feature's scenario helpers. Test modules import helpers from here (or fixtures via conftest), never from another
test module (tests/kernel/test_layout.py holds that)."""
