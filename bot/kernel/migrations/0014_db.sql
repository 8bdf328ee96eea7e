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
    cluster_id INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('need', 'offer')),
    status     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, kind, status)
) WITHOUT ROWID;

INSERT INTO status_counts (cluster_id, kind, status, n)
    SELECT cluster_id, 'need', status, COUNT(*) FROM needs GROUP BY cluster_id, status;
INSERT INTO status_counts (cluster_id, kind, status, n)
    SELECT cluster_id, 'offer', status, COUNT(*) FROM offers GROUP BY cluster_id, status;

CREATE TRIGGER needs_count_insert AFTER INSERT ON needs BEGIN
    INSERT INTO status_counts (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'need', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER needs_count_delete AFTER DELETE ON needs BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'need' AND status = OLD.status;
END;
CREATE TRIGGER needs_count_update AFTER UPDATE OF status, cluster_id ON needs
    WHEN OLD.status IS NOT NEW.status OR OLD.cluster_id IS NOT NEW.cluster_id BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'need' AND status = OLD.status;
    INSERT INTO status_counts (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'need', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER offers_count_insert AFTER INSERT ON offers BEGIN
    INSERT INTO status_counts (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'offer', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER offers_count_delete AFTER DELETE ON offers BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'offer' AND status = OLD.status;
END;
CREATE TRIGGER offers_count_update AFTER UPDATE OF status, cluster_id ON offers
    WHEN OLD.status IS NOT NEW.status OR OLD.cluster_id IS NOT NEW.cluster_id BEGIN
    UPDATE status_counts SET n = n - 1 WHERE cluster_id = OLD.cluster_id AND kind = 'offer' AND status = OLD.status;
    INSERT INTO status_counts (cluster_id, kind, status, n) VALUES (NEW.cluster_id, 'offer', NEW.status, 1)
        ON CONFLICT (cluster_id, kind, status) DO UPDATE SET n = n + 1;
END;
