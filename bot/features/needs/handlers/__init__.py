"""Needs and offers: posting, pledges, lists, incidents."""
