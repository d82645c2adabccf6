-- The sign-in throttle: attempts per key (an account or a network address) in fixed windows.
-- Kept in the database so the limit holds across server processes and restarts. Keys are
-- SHA-256 hashes, so neither e-mail addresses nor client addresses are stored in the clear.
-- An attempt is counted before its password is checked, in one statement, so concurrent
-- attempts cannot all pass the limit; rows whose window has passed are deleted.

CREATE TABLE sign_in_throttle (
    key_hash      TEXT    PRIMARY KEY,
    window_start  BIGINT  NOT NULL,
    attempts      BIGINT  NOT NULL
);
CREATE INDEX sign_in_throttle_window ON sign_in_throttle (window_start);
