-- The kecamatan (adm3, Kemendagri code "63.06.08") of a need and an offer, from bot/data/kecamatan_<province>.json.
ALTER TABLE needs ADD COLUMN district_code TEXT;
ALTER TABLE offers ADD COLUMN district_code TEXT;
