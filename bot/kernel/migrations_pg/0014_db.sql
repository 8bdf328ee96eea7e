-- The situation summary does not grow with history (issue #17): it reads open items only, from partial indexes
-- that hold nothing but the open rows, and the counts it shows (open and fulfilled needs, open offers) from
-- running totals kept by triggers, so closed history costs the summary nothing.

-- Covering partial indexes, column order = the summary's GROUP BY order (replacing 0004's full needs_sitrep_*).
DROP INDEX IF EXISTS needs_sitrep_region;
DROP INDEX IF EXISTS needs_sitrep_category;
DROP INDEX IF EXISTS needs_sitrep_item;
CREATE INDEX needs_open_region ON needs (cluster_id, region_code, priority, pledged, quantity) WHERE status = 'open';
CREATE INDEX needs_open_category ON needs (cluster_id, category, quantity, pledged, sent, received)
    WHERE status = 'open';
CREATE INDEX needs_open_item ON needs (cluster_id, item_key, unit, item_name, quantity, pledged, received)
    WHERE status = 'open';
-- Unused offers, newest first: the count and the first five read only the open, uncommitted ones.
CREATE INDEX offers_unused ON offers (cluster_id, created_at) WHERE status = 'open' AND committed = 0;

-- Rows per (cluster, kind, status) of needs and offers, kept by the triggers below in the writing transaction.
CREATE TABLE status_counts (
    cluster_id BIGINT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('need', 'offer')),
    status     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, kind, status)
);

INSERT INTO status_counts (cluster_id, kind, status, n)
    SELECT cluster_id, 'need', status, COUNT(*) FROM needs GROUP BY cluster_id, status;
INSERT INTO status_counts (cluster_id, kind, status, n)
    SELECT cluster_id, 'offer', status, COUNT(*) FROM offers GROUP BY cluster_id, status;

CREATE FUNCTION needs_count_insert_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts AS t (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'need', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = t.n + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER needs_count_insert AFTER INSERT ON needs FOR EACH ROW
    EXECUTE FUNCTION needs_count_insert_fn();
CREATE FUNCTION needs_count_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'need' AND status = OLD.status;
    RETURN NULL;
END
$$;
CREATE TRIGGER needs_count_delete AFTER DELETE ON needs FOR EACH ROW
    EXECUTE FUNCTION needs_count_delete_fn();
CREATE FUNCTION needs_count_update_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'need' AND status = OLD.status;
    INSERT INTO status_counts AS t (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'need', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = t.n + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER needs_count_update AFTER UPDATE OF status, cluster_id ON needs FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.cluster_id IS DISTINCT FROM NEW.cluster_id)
    EXECUTE FUNCTION needs_count_update_fn();

CREATE FUNCTION offers_count_insert_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts AS t (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'offer', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = t.n + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER offers_count_insert AFTER INSERT ON offers FOR EACH ROW
    EXECUTE FUNCTION offers_count_insert_fn();
CREATE FUNCTION offers_count_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'offer' AND status = OLD.status;
    RETURN NULL;
END
$$;
CREATE TRIGGER offers_count_delete AFTER DELETE ON offers FOR EACH ROW
    EXECUTE FUNCTION offers_count_delete_fn();
CREATE FUNCTION offers_count_update_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'offer' AND status = OLD.status;
    INSERT INTO status_counts AS t (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'offer', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = t.n + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER offers_count_update AFTER UPDATE OF status, cluster_id ON offers FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.cluster_id IS DISTINCT FROM NEW.cluster_id)
    EXECUTE FUNCTION offers_count_update_fn();
