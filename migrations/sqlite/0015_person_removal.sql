-- Removing a person (docs/SECURITY.md, "Removing a person").
-- A removed person's users row stays as a tombstone (so foreign keys hold): removed_at is set,
-- the e-mail is a unique placeholder without an '@', the name is the pseudonym, and the
-- password hash can never match.
ALTER TABLE users ADD COLUMN removed_at BIGINT;

-- Audit scheme 2: the hash covers the actor's stable identity (`person:ID`) and a salted
-- commitment to their display name; the name and its salt are kept beside the hash, so a
-- removal can erase both without changing any hash. Existing rows are scheme 1 until the
-- one-time re-chaining the server runs after this migration (recorded as `audit.rechain`).
ALTER TABLE audit_log ADD COLUMN scheme BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN actor_name TEXT;
ALTER TABLE audit_log ADD COLUMN name_salt TEXT;
ALTER TABLE audit_log ADD COLUMN name_commitment TEXT;
