-- Several processes may hold one document. Each document numbers its log rows itself: the
-- append transaction takes the next numbers from `documents.head_seq` under that row's lock, so
-- per document the numbers have no holes and their order is commit order. A load reads rows
-- above the snapshot's number; a compaction replaces a snapshot only by one covering more and
-- deletes only the rows its snapshot covers.
ALTER TABLE documents ADD COLUMN head_seq BIGINT NOT NULL DEFAULT 0;
-- Read-only for everyone (a draft past `concept`): the append statement refuses updates to a
-- frozen document, whichever process sends them.
ALTER TABLE documents ADD COLUMN frozen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE doc_updates ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
-- The rows left after earlier compactions, numbered in id order. A row an earlier load skipped
-- (its id was taken before a compaction and committed after it) is numbered too, so it is
-- loaded again.
UPDATE doc_updates SET seq = numbered.seq
FROM (SELECT id, row_number() OVER (PARTITION BY doc_id ORDER BY id) AS seq FROM doc_updates) AS numbered
WHERE doc_updates.id = numbered.id;
UPDATE documents SET head_seq = heads.seq
FROM (SELECT doc_id, MAX(seq) AS seq FROM doc_updates GROUP BY doc_id) AS heads
WHERE documents.id = heads.doc_id;
DROP INDEX doc_updates_doc_id;
CREATE UNIQUE INDEX doc_updates_doc_seq ON doc_updates (doc_id, seq);
-- Snapshots cover log numbers now; every remaining row lies above them.
ALTER TABLE doc_snapshots ADD COLUMN upto_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE doc_snapshots DROP COLUMN upto_id;
UPDATE documents SET frozen = 1
WHERE id IN (SELECT doc_id FROM drafts WHERE status <> 'concept');
