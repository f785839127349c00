-- One row per acknowledged intake. The protected fields arrive sealed in the
-- browser and are stored as they came: text forms (`enseal1.…`), which only
-- the holder of the keyset's private key opens. The CHECKs refuse a clear
-- value even from a code path that forgot the service's own check.
CREATE TABLE intakes (
    id              BIGSERIAL PRIMARY KEY,
    -- The form's record id: every sealed field is bound to it (its context),
    -- and it is the idempotency key: a retried submission is stored once.
    record_id       TEXT NOT NULL UNIQUE,
    received_at     BIGINT NOT NULL,           -- Unix seconds, UTC
    received_day    TEXT NOT NULL,             -- YYYY-MM-DD (UTC): what pipelines fetch by
    kid             TEXT NOT NULL,             -- key the fields are sealed to: what rotation re-seals
    name            TEXT NOT NULL,
    dob             TEXT NOT NULL,
    ssn             TEXT NOT NULL CHECK (ssn LIKE 'enseal1.%'),
    diagnosis       TEXT NOT NULL CHECK (diagnosis LIKE 'enseal1.%')
);
CREATE INDEX intakes_by_day ON intakes (received_day, id);
CREATE INDEX intakes_by_kid ON intakes (kid);
