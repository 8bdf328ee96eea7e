-- Published stock: the basis of a table's published version also remembers holdings that have left the
-- table since a publication showed them (``gone``, with the figure last published), so that a holding coming back
-- with that figure does not count as a change that masks another organisation's (hold rule, docs/privacy.md).
ALTER TABLE published_stock_basis ADD COLUMN gone BOOLEAN NOT NULL DEFAULT FALSE;
