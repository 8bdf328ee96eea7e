-- The kecamatan (adm3, Kemendagri code "63.06.08") of a stock line, from bot/data/kecamatan_<province>.json, when
-- the member named one. Private like the line itself: the published (pooled) table stays at kabupaten/kota level
-- (docs/privacy.md), so this column feeds no pooled figure and no trigger.
ALTER TABLE stock ADD COLUMN district_code TEXT;
