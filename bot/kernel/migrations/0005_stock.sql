-- Private stock reports (stok / persediaan): the current figure per organisation, item and location,
-- its history, running totals for the cluster picture, forwarded /cari requests, pending file imports
-- and the link between a pledge made from stock and the stock line it came from.

-- One row per (organisation, item, kabupaten/kota, location): a new report replaces the figure.
CREATE TABLE stock (
    id              INTEGER PRIMARY KEY,
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    item_key        TEXT,                      -- catalogue key; NULL for a free-text item
    item_name       TEXT NOT NULL,
    norm_item       TEXT NOT NULL,             -- item_key, or "~" + folded name: the item part of the identity
    category        TEXT NOT NULL DEFAULT '',  -- catalogue category key; '' when unknown
    quantity        REAL NOT NULL CHECK (quantity >= 0),  -- in the base unit (kg, l, buah …) when convertible
    unit            TEXT NOT NULL,
    region_code     TEXT NOT NULL DEFAULT '',  -- Kemendagri kabupaten/kota code; '' when unknown
    location        TEXT NOT NULL DEFAULT '',  -- warehouse / posko as typed
    norm_location   TEXT NOT NULL DEFAULT '',
    expires_at      INTEGER,                   -- epoch seconds (end of the given day or month)
    condition       TEXT NOT NULL DEFAULT 'baik' CHECK (condition IN ('baik', 'rusak_ringan', 'rusak_berat')),
    confirmed_at    INTEGER NOT NULL,          -- last report or "still correct"; drives the stale flag
    stale_notified  INTEGER NOT NULL DEFAULT 0,  -- a stale reminder went out since the last confirmation
    expiry_notified INTEGER NOT NULL DEFAULT 0,  -- a near-expiry reminder went out for this expiry date
    source          TEXT NOT NULL DEFAULT 'chat' CHECK (source IN ('chat', 'import')),
    updated_by      INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX stock_identity ON stock (organization_id, norm_item, region_code, norm_location);
-- /cari and stock matching: one item in one cluster, every column the query reads (covering).
CREATE INDEX stock_item
    ON stock (cluster_id, norm_item, region_code, organization_id, quantity, unit, confirmed_at, expires_at);
-- Freshness counts (stale = confirmed before a cut-off) and near-expiry counts, as index range counts.
CREATE INDEX stock_confirmed ON stock (cluster_id, confirmed_at);
CREATE INDEX stock_expiry ON stock (cluster_id, expires_at) WHERE expires_at IS NOT NULL;

-- Running totals per (cluster, category, unit, organisation, kabupaten/kota), kept by the triggers below in the
-- same transaction as every stock change, so the cluster picture never aggregates 1,000,000 stock rows. The
-- organisation in the key gives exact contributor counts; ``private`` (a copy of NOT organizations.stock_public,
-- rewritten when that flag changes) applies the privacy rule without a join. The sums the picture reads are
-- kept from this table by a second level of triggers (stock_region_sums, stock_category_sums).
CREATE TABLE stock_totals (
    cluster_id      INTEGER NOT NULL,
    category        TEXT NOT NULL,
    unit            TEXT NOT NULL,
    organization_id INTEGER NOT NULL,
    region_code     TEXT NOT NULL,
    private         INTEGER NOT NULL,
    quantity        REAL NOT NULL,
    lines           INTEGER NOT NULL,
    confirmed_sum   INTEGER NOT NULL,          -- Σ confirmed_at: mean age = now − confirmed_sum / lines
    -- Primary key order serves the by-category totals (grouped by category, unit, then organisation).
    PRIMARY KEY (cluster_id, category, unit, organization_id, region_code)
) WITHOUT ROWID;
CREATE INDEX stock_totals_org ON stock_totals (cluster_id, organization_id);

-- Second level: the sums the cluster picture reads, kept by triggers on stock_totals (third level for the
-- contributor counts per category, which must count an organisation once across its kabupaten/kota).
CREATE TABLE stock_region_sums (
    cluster_id           INTEGER NOT NULL,
    region_code          TEXT NOT NULL,
    category             TEXT NOT NULL,
    unit                 TEXT NOT NULL,
    quantity             REAL NOT NULL,
    lines                INTEGER NOT NULL,
    confirmed_sum        INTEGER NOT NULL,
    contributors         INTEGER NOT NULL,
    private_contributors INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, region_code, category, unit)
) WITHOUT ROWID;

CREATE TABLE stock_category_sums (
    cluster_id           INTEGER NOT NULL,
    category             TEXT NOT NULL,
    unit                 TEXT NOT NULL,
    quantity             REAL NOT NULL,
    lines                INTEGER NOT NULL,
    confirmed_sum        INTEGER NOT NULL,
    contributors         INTEGER NOT NULL,
    private_contributors INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, category, unit)
) WITHOUT ROWID;

-- An organisation contributes to a category once, however many kabupaten/kota it holds it in.
CREATE TABLE stock_category_orgs (
    cluster_id      INTEGER NOT NULL,
    category        TEXT NOT NULL,
    unit            TEXT NOT NULL,
    organization_id INTEGER NOT NULL,
    regions         INTEGER NOT NULL,
    private         INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, category, unit, organization_id)
) WITHOUT ROWID;

CREATE TRIGGER stock_sums_insert AFTER INSERT ON stock_totals BEGIN
    INSERT INTO stock_region_sums (cluster_id, region_code, category, unit, quantity, lines, confirmed_sum,
                                   contributors, private_contributors)
    VALUES (NEW.cluster_id, NEW.region_code, NEW.category, NEW.unit, NEW.quantity, NEW.lines, NEW.confirmed_sum, 1,
            NEW.private)
    ON CONFLICT (cluster_id, region_code, category, unit) DO UPDATE SET
        quantity = quantity + excluded.quantity, lines = lines + excluded.lines,
        confirmed_sum = confirmed_sum + excluded.confirmed_sum, contributors = contributors + 1,
        private_contributors = private_contributors + excluded.private_contributors;
    INSERT INTO stock_category_sums (cluster_id, category, unit, quantity, lines, confirmed_sum, contributors,
                                     private_contributors)
    VALUES (NEW.cluster_id, NEW.category, NEW.unit, NEW.quantity, NEW.lines, NEW.confirmed_sum, 0, 0)
    ON CONFLICT (cluster_id, category, unit) DO UPDATE SET
        quantity = quantity + excluded.quantity, lines = lines + excluded.lines,
        confirmed_sum = confirmed_sum + excluded.confirmed_sum;
    INSERT INTO stock_category_orgs (cluster_id, category, unit, organization_id, regions, private)
    VALUES (NEW.cluster_id, NEW.category, NEW.unit, NEW.organization_id, 1, NEW.private)
    ON CONFLICT (cluster_id, category, unit, organization_id) DO UPDATE SET regions = regions + 1;
END;

CREATE TRIGGER stock_sums_update AFTER UPDATE OF quantity, lines, confirmed_sum, private ON stock_totals BEGIN
    UPDATE stock_region_sums SET quantity = quantity - OLD.quantity + NEW.quantity,
        lines = lines - OLD.lines + NEW.lines, confirmed_sum = confirmed_sum - OLD.confirmed_sum + NEW.confirmed_sum,
        private_contributors = private_contributors - OLD.private + NEW.private
    WHERE cluster_id = NEW.cluster_id AND region_code = NEW.region_code AND category = NEW.category
      AND unit = NEW.unit;
    UPDATE stock_category_sums SET quantity = quantity - OLD.quantity + NEW.quantity,
        lines = lines - OLD.lines + NEW.lines, confirmed_sum = confirmed_sum - OLD.confirmed_sum + NEW.confirmed_sum
    WHERE cluster_id = NEW.cluster_id AND category = NEW.category AND unit = NEW.unit;
    UPDATE stock_category_orgs SET private = NEW.private
    WHERE NEW.private != OLD.private AND cluster_id = NEW.cluster_id AND category = NEW.category
      AND unit = NEW.unit AND organization_id = NEW.organization_id;
END;

CREATE TRIGGER stock_sums_delete AFTER DELETE ON stock_totals BEGIN
    UPDATE stock_region_sums SET quantity = quantity - OLD.quantity, lines = lines - OLD.lines,
        confirmed_sum = confirmed_sum - OLD.confirmed_sum, contributors = contributors - 1,
        private_contributors = private_contributors - OLD.private
    WHERE cluster_id = OLD.cluster_id AND region_code = OLD.region_code AND category = OLD.category
      AND unit = OLD.unit;
    DELETE FROM stock_region_sums
    WHERE cluster_id = OLD.cluster_id AND region_code = OLD.region_code AND category = OLD.category
      AND unit = OLD.unit AND contributors <= 0;
    UPDATE stock_category_sums SET quantity = quantity - OLD.quantity, lines = lines - OLD.lines,
        confirmed_sum = confirmed_sum - OLD.confirmed_sum
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit;
    UPDATE stock_category_orgs SET regions = regions - 1
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit
      AND organization_id = OLD.organization_id;
    DELETE FROM stock_category_orgs
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit
      AND organization_id = OLD.organization_id AND regions <= 0;
END;

CREATE TRIGGER stock_category_orgs_insert AFTER INSERT ON stock_category_orgs BEGIN
    UPDATE stock_category_sums SET contributors = contributors + 1,
        private_contributors = private_contributors + NEW.private
    WHERE cluster_id = NEW.cluster_id AND category = NEW.category AND unit = NEW.unit;
END;

CREATE TRIGGER stock_category_orgs_private AFTER UPDATE OF private ON stock_category_orgs BEGIN
    UPDATE stock_category_sums SET private_contributors = private_contributors - OLD.private + NEW.private
    WHERE cluster_id = NEW.cluster_id AND category = NEW.category AND unit = NEW.unit;
END;

CREATE TRIGGER stock_category_orgs_delete AFTER DELETE ON stock_category_orgs BEGIN
    UPDATE stock_category_sums SET contributors = contributors - 1,
        private_contributors = private_contributors - OLD.private
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit;
    DELETE FROM stock_category_sums
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit AND contributors <= 0;
END;

-- Lines per UTC day of confirmation ('c') and of expiry ('e'): "how many are stale / expire soon" is a sum over
-- at most a few hundred day rows plus exact index counts for the two partial days at the edges.
CREATE TABLE stock_days (
    cluster_id INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('c', 'e')),
    day        INTEGER NOT NULL,               -- epoch seconds / 86400
    lines      INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, kind, day)
) WITHOUT ROWID;

CREATE TRIGGER stock_totals_insert AFTER INSERT ON stock BEGIN
    INSERT INTO stock_totals (cluster_id, category, unit, organization_id, region_code, private, quantity, lines,
                              confirmed_sum)
    VALUES (NEW.cluster_id, NEW.category, NEW.unit, NEW.organization_id, NEW.region_code,
            (SELECT stock_public = 0 FROM organizations WHERE id = NEW.organization_id), NEW.quantity, 1,
            NEW.confirmed_at)
    ON CONFLICT (cluster_id, category, unit, organization_id, region_code) DO UPDATE SET
        quantity = quantity + excluded.quantity, lines = lines + 1,
        confirmed_sum = confirmed_sum + excluded.confirmed_sum;
    INSERT INTO stock_days (cluster_id, kind, day, lines) VALUES (NEW.cluster_id, 'c', NEW.confirmed_at / 86400, 1)
    ON CONFLICT (cluster_id, kind, day) DO UPDATE SET lines = lines + 1;
    INSERT INTO stock_days (cluster_id, kind, day, lines)
    SELECT NEW.cluster_id, 'e', NEW.expires_at / 86400, 1 WHERE NEW.expires_at IS NOT NULL
    ON CONFLICT (cluster_id, kind, day) DO UPDATE SET lines = lines + 1;
END;

CREATE TRIGGER stock_totals_delete AFTER DELETE ON stock BEGIN
    UPDATE stock_totals SET quantity = quantity - OLD.quantity, lines = lines - 1,
        confirmed_sum = confirmed_sum - OLD.confirmed_at
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit
      AND organization_id = OLD.organization_id AND region_code = OLD.region_code;
    DELETE FROM stock_totals
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit
      AND organization_id = OLD.organization_id AND region_code = OLD.region_code AND lines <= 0;
    UPDATE stock_days SET lines = lines - 1
    WHERE cluster_id = OLD.cluster_id AND kind = 'c' AND day = OLD.confirmed_at / 86400;
    UPDATE stock_days SET lines = lines - 1
    WHERE OLD.expires_at IS NOT NULL AND cluster_id = OLD.cluster_id AND kind = 'e' AND day = OLD.expires_at / 86400;
END;

CREATE TRIGGER stock_totals_update
AFTER UPDATE OF cluster_id, organization_id, category, unit, region_code, quantity, confirmed_at ON stock BEGIN
    UPDATE stock_totals SET quantity = quantity - OLD.quantity, lines = lines - 1,
        confirmed_sum = confirmed_sum - OLD.confirmed_at
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit
      AND organization_id = OLD.organization_id AND region_code = OLD.region_code;
    INSERT INTO stock_totals (cluster_id, category, unit, organization_id, region_code, private, quantity, lines,
                              confirmed_sum)
    VALUES (NEW.cluster_id, NEW.category, NEW.unit, NEW.organization_id, NEW.region_code,
            (SELECT stock_public = 0 FROM organizations WHERE id = NEW.organization_id), NEW.quantity, 1,
            NEW.confirmed_at)
    ON CONFLICT (cluster_id, category, unit, organization_id, region_code) DO UPDATE SET
        quantity = quantity + excluded.quantity, lines = lines + 1,
        confirmed_sum = confirmed_sum + excluded.confirmed_sum;
    DELETE FROM stock_totals
    WHERE cluster_id = OLD.cluster_id AND category = OLD.category AND unit = OLD.unit
      AND organization_id = OLD.organization_id AND region_code = OLD.region_code AND lines <= 0;
END;

CREATE TRIGGER stock_days_confirmed AFTER UPDATE OF cluster_id, confirmed_at ON stock
WHEN OLD.confirmed_at / 86400 != NEW.confirmed_at / 86400 OR OLD.cluster_id != NEW.cluster_id BEGIN
    UPDATE stock_days SET lines = lines - 1
    WHERE cluster_id = OLD.cluster_id AND kind = 'c' AND day = OLD.confirmed_at / 86400;
    INSERT INTO stock_days (cluster_id, kind, day, lines) VALUES (NEW.cluster_id, 'c', NEW.confirmed_at / 86400, 1)
    ON CONFLICT (cluster_id, kind, day) DO UPDATE SET lines = lines + 1;
END;

CREATE TRIGGER stock_days_expiry AFTER UPDATE OF cluster_id, expires_at ON stock
WHEN OLD.expires_at IS NOT NEW.expires_at OR OLD.cluster_id != NEW.cluster_id BEGIN
    UPDATE stock_days SET lines = lines - 1
    WHERE OLD.expires_at IS NOT NULL AND cluster_id = OLD.cluster_id AND kind = 'e' AND day = OLD.expires_at / 86400;
    INSERT INTO stock_days (cluster_id, kind, day, lines)
    SELECT NEW.cluster_id, 'e', NEW.expires_at / 86400, 1 WHERE NEW.expires_at IS NOT NULL
    ON CONFLICT (cluster_id, kind, day) DO UPDATE SET lines = lines + 1;
END;

-- Per item, for the situation summary's gaps: running totals per organisation (exact contributor counts), and
-- their sums per item and unit kept by a second level of triggers, so the summary reads a few dozen rows.
CREATE TABLE stock_item_totals (
    cluster_id      INTEGER NOT NULL,
    norm_item       TEXT NOT NULL,
    unit            TEXT NOT NULL,
    organization_id INTEGER NOT NULL,
    private         INTEGER NOT NULL,
    quantity        REAL NOT NULL,
    lines           INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, norm_item, unit, organization_id)
) WITHOUT ROWID;
CREATE INDEX stock_item_totals_org ON stock_item_totals (cluster_id, organization_id);

CREATE TABLE stock_item_sums (
    cluster_id           INTEGER NOT NULL,
    norm_item            TEXT NOT NULL,
    unit                 TEXT NOT NULL,
    quantity             REAL NOT NULL,
    contributors         INTEGER NOT NULL,
    private_contributors INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, norm_item, unit)
) WITHOUT ROWID;

CREATE TRIGGER stock_item_insert AFTER INSERT ON stock BEGIN
    INSERT INTO stock_item_totals (cluster_id, norm_item, unit, organization_id, private, quantity, lines)
    VALUES (NEW.cluster_id, NEW.norm_item, NEW.unit, NEW.organization_id,
            (SELECT stock_public = 0 FROM organizations WHERE id = NEW.organization_id), NEW.quantity, 1)
    ON CONFLICT (cluster_id, norm_item, unit, organization_id) DO UPDATE SET
        quantity = quantity + excluded.quantity, lines = lines + 1;
END;

CREATE TRIGGER stock_item_delete AFTER DELETE ON stock BEGIN
    UPDATE stock_item_totals SET quantity = quantity - OLD.quantity, lines = lines - 1
    WHERE cluster_id = OLD.cluster_id AND norm_item = OLD.norm_item AND unit = OLD.unit
      AND organization_id = OLD.organization_id;
    DELETE FROM stock_item_totals
    WHERE cluster_id = OLD.cluster_id AND norm_item = OLD.norm_item AND unit = OLD.unit
      AND organization_id = OLD.organization_id AND lines <= 0;
END;

CREATE TRIGGER stock_item_update AFTER UPDATE OF cluster_id, organization_id, norm_item, unit, quantity ON stock BEGIN
    UPDATE stock_item_totals SET quantity = quantity - OLD.quantity, lines = lines - 1
    WHERE cluster_id = OLD.cluster_id AND norm_item = OLD.norm_item AND unit = OLD.unit
      AND organization_id = OLD.organization_id;
    INSERT INTO stock_item_totals (cluster_id, norm_item, unit, organization_id, private, quantity, lines)
    VALUES (NEW.cluster_id, NEW.norm_item, NEW.unit, NEW.organization_id,
            (SELECT stock_public = 0 FROM organizations WHERE id = NEW.organization_id), NEW.quantity, 1)
    ON CONFLICT (cluster_id, norm_item, unit, organization_id) DO UPDATE SET
        quantity = quantity + excluded.quantity, lines = lines + 1;
    DELETE FROM stock_item_totals
    WHERE cluster_id = OLD.cluster_id AND norm_item = OLD.norm_item AND unit = OLD.unit
      AND organization_id = OLD.organization_id AND lines <= 0;
END;

CREATE TRIGGER stock_item_sums_insert AFTER INSERT ON stock_item_totals BEGIN
    INSERT INTO stock_item_sums (cluster_id, norm_item, unit, quantity, contributors, private_contributors)
    VALUES (NEW.cluster_id, NEW.norm_item, NEW.unit, NEW.quantity, 1, NEW.private)
    ON CONFLICT (cluster_id, norm_item, unit) DO UPDATE SET
        quantity = quantity + excluded.quantity, contributors = contributors + 1,
        private_contributors = private_contributors + excluded.private_contributors;
END;

CREATE TRIGGER stock_item_sums_update AFTER UPDATE OF quantity, private ON stock_item_totals BEGIN
    UPDATE stock_item_sums SET quantity = quantity - OLD.quantity + NEW.quantity,
        private_contributors = private_contributors - OLD.private + NEW.private
    WHERE cluster_id = NEW.cluster_id AND norm_item = NEW.norm_item AND unit = NEW.unit;
END;

CREATE TRIGGER stock_item_sums_delete AFTER DELETE ON stock_item_totals BEGIN
    UPDATE stock_item_sums SET quantity = quantity - OLD.quantity, contributors = contributors - 1,
        private_contributors = private_contributors - OLD.private
    WHERE cluster_id = OLD.cluster_id AND norm_item = OLD.norm_item AND unit = OLD.unit;
    DELETE FROM stock_item_sums
    WHERE cluster_id = OLD.cluster_id AND norm_item = OLD.norm_item AND unit = OLD.unit AND contributors <= 0;
END;

-- Every change of a stock line: what it became, what it was, why, who, when (kept after the line is removed).
CREATE TABLE stock_history (
    id              INTEGER PRIMARY KEY,
    stock_id        INTEGER NOT NULL,
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL,
    item_key        TEXT,
    item_name       TEXT NOT NULL,
    region_code     TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,  -- report | replace | add | subtract | empty | remove | confirm | import | pledge
    previous        REAL,           -- NULL for a new line
    quantity        REAL NOT NULL,  -- 0 after a removal
    unit            TEXT NOT NULL,
    expires_at      INTEGER,
    user_id         INTEGER,
    at              INTEGER NOT NULL
);
CREATE INDEX stock_history_line ON stock_history (stock_id, at);
CREATE INDEX stock_history_org ON stock_history (organization_id, at);

-- /cari forwarded privately to the holders; each holder organisation answers once, with one tap.
CREATE TABLE stock_requests (
    id              INTEGER PRIMARY KEY,
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    organization_id INTEGER,
    norm_item       TEXT NOT NULL,
    item_name       TEXT NOT NULL,
    region_code     TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    forwarded_at    INTEGER                    -- set once, when the requester asks to forward it
);
CREATE TABLE stock_request_answers (
    request_id      INTEGER NOT NULL REFERENCES stock_requests (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL,
    user_id         INTEGER,
    answer          TEXT NOT NULL DEFAULT 'asked' CHECK (answer IN ('asked', 'yes', 'no')),
    answered_at     INTEGER,
    PRIMARY KEY (request_id, organization_id)
) WITHOUT ROWID;

-- A validated file waiting for the sender's decision (only when some rows had errors).
CREATE TABLE stock_imports (
    id          INTEGER PRIMARY KEY,
    cluster_id  INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    rows        TEXT NOT NULL,   -- JSON list of the valid rows
    valid_rows  INTEGER NOT NULL,
    error_rows  INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'cancelled')),
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
);

-- A pledge made from a stock line: once the need's organisation confirms receipt, the holder is asked to
-- reduce that line (nothing is deducted without the holder's confirmation).
CREATE TABLE stock_pledges (
    pledge_id       INTEGER PRIMARY KEY REFERENCES pledges (id) ON DELETE CASCADE,
    stock_id        INTEGER NOT NULL,
    organization_id INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'asked', 'deducted', 'kept')),
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER
);
