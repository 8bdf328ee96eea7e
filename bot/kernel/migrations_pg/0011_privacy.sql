-- Statistical disclosure control for stock (docs/privacy.md): the one published table per cluster and snapshot
-- that every member-facing stock figure is read from, the private basis of each table's published version
-- (for the hold rule), and each organisation's choice whether the secretariat may see its own figures.

-- TRUE (default): the secretariat sees this organisation's figures per organisation; FALSE: only the published table.
ALTER TABLE organizations ADD COLUMN stock_secretariat BOOLEAN NOT NULL DEFAULT TRUE;

-- One row per publication (at most one per period), with the counts shown beside the figures.
CREATE TABLE published_stock_snapshots (
    cluster_id        BIGINT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    snapshot          BIGINT NOT NULL,          -- start of the publication period (epoch seconds)
    published_at      BIGINT NOT NULL,
    organizations     INTEGER NOT NULL,
    lines             INTEGER NOT NULL,
    stale_lines       INTEGER NOT NULL,
    near_expiry_lines INTEGER NOT NULL,
    expired_lines     INTEGER NOT NULL,
    mean_age_days     DOUBLE PRECISION NOT NULL,
    stale_days        INTEGER NOT NULL,
    expiry_days       INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, snapshot)
);

-- The published blocks (bot.features.stock.disclosure): level cell (item × kabupaten/kota), item (the item elsewhere),
-- category (other items), hidden (no figure); 'holders' rows say per item how many organisations hold it and
-- whether its published blocks cover all of it; 'table' rows count the organisations per (category, unit).
-- Only the latest snapshot's rows are kept.
CREATE TABLE published_stock (
    cluster_id   BIGINT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    snapshot     BIGINT NOT NULL,
    category     TEXT NOT NULL,
    unit         TEXT NOT NULL,
    level        TEXT NOT NULL CHECK (level IN ('cell', 'item', 'category', 'hidden', 'holders', 'table')),
    norm_item    TEXT NOT NULL DEFAULT '',
    item_key     TEXT,
    item_name    TEXT NOT NULL DEFAULT '',
    region_code  TEXT NOT NULL DEFAULT '',
    quantity     DOUBLE PRECISION,                       -- NULL for hidden and holders rows
    contributors INTEGER NOT NULL,           -- distinct organisations
    complete     BOOLEAN NOT NULL DEFAULT TRUE, -- holders rows: the item's blocks cover all of its stock
    data_at      BIGINT NOT NULL,           -- when the table's published version was taken (held tables: earlier)
    PRIMARY KEY (cluster_id, snapshot, category, unit, level, norm_item, region_code)
);
CREATE INDEX published_stock_item ON published_stock (cluster_id, snapshot, norm_item);

-- Private: the holdings each table's published version was computed from, to decide whether a new version may
-- replace it (hold rule). Never shown; one set per (cluster, category, unit).
CREATE TABLE published_stock_basis (
    cluster_id      BIGINT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    category        TEXT NOT NULL,
    unit            TEXT NOT NULL,
    organization_id BIGINT NOT NULL,
    norm_item       TEXT NOT NULL,
    region_code     TEXT NOT NULL,
    quantity        DOUBLE PRECISION NOT NULL,
    closed          BOOLEAN NOT NULL,          -- the organisation did not allow the secretariat at the time
    data_at         BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, category, unit, organization_id, norm_item, region_code)
);
