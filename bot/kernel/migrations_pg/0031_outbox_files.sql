-- Files on the outbox (issue #13): a calendar file, an export or a chart the bot owes is an outbox 'send' row whose
-- file_kind says how it goes out (sendDocument | sendPhoto, the row's text its caption), with the bytes in
-- outbox_files beside it, written in the same transaction as the row. The bytes live in the database rather than in
-- files beside it: they commit and roll back with the row, and nothing is left to clean up after a crash. They are
-- deleted as soon as the row is finished (sent, failed, uncertain or superseded; the triggers below), so a backup
-- holds at most what is still owed.
--
-- PostgreSQL: BYTEA for the bytes; each SQLite trigger is a PL/pgSQL function ``<trigger>_fn`` plus a FOR EACH ROW
-- trigger of the same name, event, column list and WHEN condition.
ALTER TABLE outbox ADD COLUMN file_kind TEXT CHECK (file_kind IS NULL OR file_kind IN ('document', 'photo'));

CREATE TABLE outbox_files (
    outbox_id   BIGINT PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    filename    TEXT NOT NULL,
    data        BYTEA NOT NULL,
    sha256      TEXT NOT NULL,                 -- the same bytes sent once are sent again by Telegram's file id
    file_id     TEXT                           -- that id, once a row with the same bytes was sent
);
CREATE INDEX outbox_files_sha ON outbox_files (sha256);

CREATE FUNCTION outbox_files_finished_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM outbox_files WHERE outbox_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_files_finished AFTER UPDATE OF status ON outbox FOR EACH ROW
    WHEN (NEW.status NOT IN ('pending', 'sending') AND NEW.file_kind IS NOT NULL)
    EXECUTE FUNCTION outbox_files_finished_fn();

CREATE FUNCTION outbox_files_pruned_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM outbox_files WHERE outbox_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_files_pruned AFTER DELETE ON outbox FOR EACH ROW WHEN (OLD.file_kind IS NOT NULL)
    EXECUTE FUNCTION outbox_files_pruned_fn();
