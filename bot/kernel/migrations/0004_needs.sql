-- Incidents, needs (kebutuhan), offers (tawaran), pledges (komitmen) and their event log.

CREATE TABLE counters (
    cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,           -- 'need' → K-0042, 'offer' → T-0017
    value      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cluster_id, kind)
) WITHOUT ROWID;

CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY,
    cluster_id   INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,         -- banjir, karhutla, longsor, puting_beliung, gempa, lainnya
    title        TEXT NOT NULL,
    region_codes TEXT NOT NULL DEFAULT '',  -- comma-separated Kemendagri codes
    status       TEXT NOT NULL CHECK (status IN ('siaga', 'tanggap', 'transisi', 'selesai')),
    started_at   INTEGER NOT NULL,
    closed_at    INTEGER,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX incidents_cluster ON incidents (cluster_id, status);

CREATE TABLE needs (
    id              INTEGER PRIMARY KEY,
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    incident_id     INTEGER REFERENCES incidents (id) ON DELETE SET NULL,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    created_by      INTEGER NOT NULL,
    item_key        TEXT,               -- catalogue key; NULL for an unmapped free-text item
    item_name       TEXT NOT NULL,
    category        TEXT,
    quantity        REAL NOT NULL CHECK (quantity > 0),
    unit            TEXT NOT NULL,
    region_code     TEXT,
    location        TEXT NOT NULL DEFAULT '',
    priority        INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),  -- 1 mendesak … 4 rendah
    needed_by       INTEGER,
    beneficiaries   INTEGER,
    beneficiary_unit TEXT,              -- jiwa | kk
    note            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fulfilled', 'cancelled')),
    pledged         REAL NOT NULL DEFAULT 0,   -- running totals, kept equal to the pledges' sums
    sent            REAL NOT NULL DEFAULT 0,
    received        REAL NOT NULL DEFAULT 0,
    chat_id         INTEGER,
    message_id      INTEGER,
    is_exercise     INTEGER NOT NULL DEFAULT 0,
    escalated_at    INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    closed_at       INTEGER,
    UNIQUE (cluster_id, number)
);
CREATE INDEX needs_open ON needs (cluster_id, status, priority, created_at);
CREATE INDEX needs_item ON needs (cluster_id, status, item_key, region_code);
CREATE INDEX needs_org ON needs (organization_id, status);
-- Covering indexes for the situation summary's GROUP BYs (column order = GROUP BY order; no table reads).
CREATE INDEX needs_sitrep_region ON needs (cluster_id, status, region_code, priority, pledged, quantity);
CREATE INDEX needs_sitrep_category ON needs (cluster_id, status, category, quantity, pledged, sent, received);
CREATE INDEX needs_sitrep_item ON needs (cluster_id, status, item_key, unit, item_name, quantity, pledged, received);

CREATE TABLE offers (
    id              INTEGER PRIMARY KEY,
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    created_by      INTEGER NOT NULL,
    item_key        TEXT,
    item_name       TEXT NOT NULL,
    category        TEXT,
    quantity        REAL NOT NULL CHECK (quantity > 0),
    unit            TEXT NOT NULL,
    committed       REAL NOT NULL DEFAULT 0,
    region_code     TEXT,
    location        TEXT NOT NULL DEFAULT '',
    available_until INTEGER,
    conditions      TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'withdrawn')),
    chat_id         INTEGER,
    message_id      INTEGER,
    is_exercise     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (cluster_id, number)
);
CREATE INDEX offers_open ON offers (cluster_id, status, item_key, region_code);

CREATE TABLE pledges (
    id              INTEGER PRIMARY KEY,
    need_id         INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    user_id         INTEGER NOT NULL,
    offer_id        INTEGER REFERENCES offers (id) ON DELETE SET NULL,
    source          TEXT NOT NULL DEFAULT 'direct',  -- direct | offer | stock
    quantity        REAL NOT NULL CHECK (quantity > 0),
    status          TEXT NOT NULL DEFAULT 'pledged' CHECK (status IN ('pledged', 'sent', 'received', 'cancelled')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX pledges_need ON pledges (need_id, status);
CREATE INDEX pledges_org ON pledges (organization_id, status);

-- Every pledge state change (the audit trail the totals can be recomputed from).
CREATE TABLE pledge_events (
    id          INTEGER PRIMARY KEY,
    pledge_id   INTEGER NOT NULL REFERENCES pledges (id) ON DELETE CASCADE,
    need_id     INTEGER NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    quantity    REAL NOT NULL,
    user_id     INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX pledge_events_need ON pledge_events (need_id, at);

-- Per-cluster settings that the secretariat can change (key/value, typed by the code that reads them).
CREATE TABLE cluster_settings (
    cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (cluster_id, key)
) WITHOUT ROWID;
