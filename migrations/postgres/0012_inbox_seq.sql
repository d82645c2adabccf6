-- Each person's inbox in commit order, for the live inbox's cursor. Item ids come from one
-- sequence and are taken before commit, so two deliveries may commit out of id order; a cursor
-- on ids would skip the one that commits last. Instead every item gets the next number of its
-- person's head (1, 2, 3, …), taken in the delivering transaction, whose row lock on the head
-- is held until commit: per person, seq order is commit order. The head is a table of its own
-- (not a column of users, whose updates may raise the access epoch).

CREATE TABLE inbox_heads (
    person_id  BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL
);

ALTER TABLE inbox_items ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

-- Existing items: numbered per person in id order.
UPDATE inbox_items SET seq = numbered.seq
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY id) AS seq FROM inbox_items) AS numbered
WHERE inbox_items.id = numbered.id;

INSERT INTO inbox_heads (person_id, seq)
SELECT person_id, MAX(seq) FROM inbox_items GROUP BY person_id;

-- The live cursor reads by it; (person_id, id) stays for the newest-first listing and digests.
CREATE UNIQUE INDEX inbox_items_person_seq ON inbox_items (person_id, seq);
