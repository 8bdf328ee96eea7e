-- Digest runs (issue #13): a send that timed out may have reached the chat, and a run a crash left 'sending' may
-- have too; both are 'uncertain' (never sent again, like announcements), and every failed or uncertain run keeps
-- its reason. PostgreSQL changes the CHECK constraint in place (SQLite rebuilds the table); the column order
-- comes out the same (``error`` last).
ALTER TABLE digest_runs DROP CONSTRAINT digest_runs_status_check;
ALTER TABLE digest_runs ADD CONSTRAINT digest_runs_status_check
    CHECK (status IN ('sending', 'sent', 'empty', 'unreachable', 'failed', 'uncertain'));
ALTER TABLE digest_runs ADD COLUMN error TEXT NOT NULL DEFAULT '';   -- why a run failed or is uncertain
