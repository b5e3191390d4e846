//! Version 1: the whole schema as of SQLite's version 10, shaped for several relays writing at
//! once: byte and envelope counters live in rows (`device_queues`, `sender_usage`) that the
//! writing transaction locks and updates, instead of in one writer's memory.

pub(super) const SQL: &str = "
CREATE TABLE accounts (
    name        TEXT   NOT NULL PRIMARY KEY,
    account_key BYTEA  NOT NULL CHECK (length(account_key) = 32),
    created_ms  BIGINT NOT NULL
);

-- The signed list as served; version is the client's u64 with its sign bit flipped, so SQL
-- compares it in order.
CREATE TABLE device_lists (
    account TEXT   NOT NULL PRIMARY KEY REFERENCES accounts (name),
    version BIGINT NOT NULL,
    bytes   BYTEA  NOT NULL
);

-- The devices the current list names.
CREATE TABLE devices (
    account        TEXT   NOT NULL REFERENCES accounts (name),
    device_id      BIGINT NOT NULL,
    identity       BYTEA  NOT NULL CHECK (length(identity) = 64),
    last_active_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, device_id)
);

-- One row per listed device: what is queued for it. Every write to a device's queue locks this
-- row first, so two relays inserting for one device commit one after the other, and take
-- their envelope ids in that order.
CREATE TABLE device_queues (
    account   TEXT   NOT NULL,
    device_id BIGINT NOT NULL,
    envelopes BIGINT NOT NULL DEFAULT 0,
    bytes     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, device_id),
    FOREIGN KEY (account, device_id) REFERENCES devices (account, device_id)
);

-- Payload bytes an account has stored for others (each payload once).
CREATE TABLE sender_usage (
    account TEXT   NOT NULL PRIMARY KEY,
    bytes   BIGINT NOT NULL
);

CREATE TABLE signed_prekeys (
    account TEXT   NOT NULL,
    device  BIGINT NOT NULL,
    bytes   BYTEA  NOT NULL,
    PRIMARY KEY (account, device),
    FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
);

CREATE TABLE one_time_prekeys (
    account TEXT   NOT NULL,
    device  BIGINT NOT NULL,
    key_id  BIGINT NOT NULL,
    public  BYTEA  NOT NULL CHECK (length(public) = 32),
    PRIMARY KEY (account, device, key_id),
    FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
);

-- A payload several envelopes of one submission share (a group message), stored once.
CREATE TABLE payloads (
    id     BIGSERIAL PRIMARY KEY,
    sender TEXT   NOT NULL,
    size   BIGINT NOT NULL,
    refs   BIGINT NOT NULL,
    bytes  BYTEA  NOT NULL
);

-- Ids come from this sequence, taken while the recipient device's queue row is locked: a
-- device's envelopes become visible in id order, so a reader's `after` cursor never skips one.
CREATE SEQUENCE envelope_ids;

CREATE TABLE envelopes (
    id               BIGINT NOT NULL PRIMARY KEY,
    recipient        TEXT   NOT NULL,
    recipient_device BIGINT NOT NULL,
    sender           TEXT   NOT NULL,
    sender_device    BIGINT NOT NULL,
    client_id        BYTEA  NOT NULL CHECK (length(client_id) = 16),
    size             BIGINT NOT NULL,
    received_ms      BIGINT NOT NULL,
    -- Exactly one of these: a shared payload's id, or the payload inline.
    payload_id       BIGINT REFERENCES payloads (id),
    payload          BYTEA,
    UNIQUE (sender, sender_device, client_id, recipient, recipient_device),
    FOREIGN KEY (recipient, recipient_device) REFERENCES devices (account, device_id)
);
CREATE INDEX envelopes_by_recipient ON envelopes (recipient, recipient_device, id);
CREATE INDEX envelopes_by_age ON envelopes (received_ms, id);

CREATE TABLE push_subscriptions (
    account  TEXT   NOT NULL,
    device   BIGINT NOT NULL,
    endpoint TEXT   NOT NULL,
    p256dh   BYTEA  NOT NULL CHECK (length(p256dh) = 65),
    auth     BYTEA  NOT NULL CHECK (length(auth) = 16),
    PRIMARY KEY (account, device),
    FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
);

CREATE TABLE expiry_notices (
    id               BIGSERIAL PRIMARY KEY,
    account          TEXT   NOT NULL,
    device           BIGINT NOT NULL,
    client_id        BYTEA  NOT NULL CHECK (length(client_id) = 16),
    recipient        TEXT   NOT NULL,
    recipient_device BIGINT NOT NULL,
    FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
);
CREATE INDEX expiry_notices_by_device ON expiry_notices (account, device, id);

-- A group's newest ordered epoch (NULL: none yet); locked while a change is ordered.
CREATE TABLE group_heads (
    group_id BYTEA  NOT NULL PRIMARY KEY,
    head     BIGINT
);
CREATE TABLE group_order (
    group_id BYTEA  NOT NULL,
    epoch    BIGINT NOT NULL,
    hash     BYTEA  NOT NULL,
    PRIMARY KEY (group_id, epoch)
);

CREATE TABLE blobs (
    id         BYTEA  NOT NULL PRIMARY KEY,
    account    TEXT   NOT NULL,
    device     BIGINT NOT NULL,
    size       BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX blobs_by_uploader ON blobs (account, device);
CREATE INDEX blobs_by_expiry ON blobs (expires_ms);
-- Locked by add_blob and renew_blob: one device's quota is checked one change at a time.
CREATE TABLE blob_usage (
    account TEXT   NOT NULL,
    device  BIGINT NOT NULL,
    PRIMARY KEY (account, device)
);

-- Newest removal last (seq order); public keys only.
CREATE TABLE removed_devices (
    seq       BIGSERIAL PRIMARY KEY,
    account   TEXT   NOT NULL REFERENCES accounts (name),
    device_id BIGINT NOT NULL,
    identity  BYTEA  NOT NULL CHECK (length(identity) = 64),
    UNIQUE (account, device_id, identity)
);

-- visibility: 1 = Nobody (the wire's byte); Everyone has no row.
CREATE TABLE presence_settings (
    account    TEXT     NOT NULL PRIMARY KEY REFERENCES accounts (name),
    visibility SMALLINT NOT NULL CHECK (visibility = 1)
);
";
