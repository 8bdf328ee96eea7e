-- Member organisations, their representatives, the secretariat, handovers and the capacity register.
-- The organisation is the lasting member; people (members rows) come and go.

CREATE TABLE organizations (
    id             INTEGER PRIMARY KEY,
    cluster_id     INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    short_name     TEXT NOT NULL DEFAULT '',
    norm_name      TEXT NOT NULL,            -- lower-cased, punctuation-free, for duplicate detection
    type           TEXT NOT NULL,            -- opd, tni, polri, bmkg, basarnas, bumn, usaha, ngo, akademisi, media, lainnya
    region_code    TEXT,                     -- Kemendagri kabupaten/kota code, e.g. 63.03
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('invited', 'pending', 'approved', 'rejected', 'inactive')),
    stock_public   INTEGER NOT NULL DEFAULT 0, -- 1 = its stock may be shown by name in the group
    invite_code    TEXT UNIQUE,
    created_at     INTEGER NOT NULL,
    decided_at     INTEGER,
    decided_by     INTEGER,
    last_activity  INTEGER
);
CREATE INDEX organizations_cluster ON organizations (cluster_id, status, type);

CREATE TABLE members (
    id              INTEGER PRIMARY KEY,
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title           TEXT NOT NULL DEFAULT '',  -- their own role/position in the organisation
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'active', 'inactive', 'rejected', 'former')),
    joined_at       INTEGER NOT NULL,
    left_at         INTEGER
);
-- One current (pending/active) membership per person per cluster.
CREATE UNIQUE INDEX members_current ON members (cluster_id, user_id) WHERE status IN ('pending', 'active');
CREATE INDEX members_org ON members (organization_id, status);
CREATE INDEX members_user ON members (user_id, status);
-- Directory counts and "who represents whom" per cluster (the partial index above cannot serve them).
CREATE INDEX members_cluster_status ON members (cluster_id, status, organization_id);

CREATE TABLE secretariat (
    cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    added_by   INTEGER,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, user_id)
) WITHOUT ROWID;

CREATE TABLE handovers (
    id              INTEGER PRIMARY KEY,
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    from_user_id    INTEGER,
    to_user_id      INTEGER,
    code            TEXT UNIQUE,             -- one-time code the successor sends the bot
    status          TEXT NOT NULL DEFAULT 'offered'
                    CHECK (status IN ('offered', 'accepted', 'rejected', 'expired', 'reassigned')),
    created_by      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER
);
CREATE INDEX handovers_org ON handovers (organization_id, created_at);

CREATE TABLE capacities (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('warehouse', 'vehicle', 'equipment', 'personnel', 'topic')),
    name            TEXT NOT NULL,           -- e.g. "perahu karet", "gudang", "tim SAR air", "manajemen gudang"
    norm_name       TEXT NOT NULL,
    quantity        REAL,                    -- count, or m² for a warehouse
    region_code     TEXT,
    location        TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    updated_at      INTEGER NOT NULL
);
CREATE INDEX capacities_org ON capacities (organization_id, kind);
