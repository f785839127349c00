-- The load report's plaintext baseline only (cargo feature plaintext-baseline,
-- never in a normal build): the same table without the sealed-value CHECKs,
-- apart from intakes, so a baseline row can never sit among real ones.
CREATE TABLE intakes_plaintext (
    id              BIGSERIAL PRIMARY KEY,
    -- The form's record id: every sealed field is bound to it (its context),
    -- and it is the idempotency key: a retried submission is stored once.
    record_id       TEXT NOT NULL UNIQUE,
    received_at     BIGINT NOT NULL,           -- Unix seconds, UTC
    received_day    TEXT NOT NULL,             -- YYYY-MM-DD (UTC): what pipelines fetch by
    kid             TEXT NOT NULL,             -- key the fields are sealed to: what rotation re-seals
    name            TEXT NOT NULL,
    dob             TEXT NOT NULL,
    ssn             TEXT NOT NULL,
    diagnosis       TEXT NOT NULL
);
CREATE INDEX intakes_plaintext_by_day ON intakes_plaintext (received_day, id);
CREATE INDEX intakes_plaintext_by_kid ON intakes_plaintext (kid);
