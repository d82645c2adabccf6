//! The SQL of a plain append: one round trip that advances a document's head and stores its
//! rows (and the deletions they record), for a batch that claims no new Yjs client id.
//!
//! Both statements refuse the same way: they touch nothing when the document is frozen or
//! missing, and then return no row. On PostgreSQL it is one statement whose data-modifying
//! `WITH` clauses share the advanced head; on SQLite, which has no such clauses, it is one
//! string of statements that sqlx runs in one call to its worker thread, inside the caller's
//! transaction, each later statement reading the head the first one advanced.
//!
//! Parameters: `$1` the number of rows, `$2` the document id, `$3` the time; then one per
//! row (its data); then five per deletion (client, first clock, end clock, person, label).

use std::fmt::Write as _;

use super::sql::Backend;

/// Most parameters one plain append takes; a bigger batch is stored statement by statement.
pub(super) const MAX_PARAMS: usize = 1024;

/// Most parameters one SQLite group commit string takes (SQLite allows 32,766); a bigger
/// group is stored in a transaction statement by statement.
pub(super) const MAX_GROUP_PARAMS: usize = 8192;

/// Most rows one SQLite `INSERT` of the string names (SQLite's compound `VALUES` limit is 500).
const ROWS_PER_SQLITE_INSERT: usize = 250;

/// The parameters a plain append of `(rows, deletions)` binds.
pub(super) fn param_count((rows, deletions): (usize, usize)) -> usize {
    3 + rows + 5 * deletions
}

/// Whether statements of these shapes are worth keeping prepared: the usual ones (a batch or
/// two of a few rows) come back all the time; a long one is prepared for its one use.
pub(super) fn keep_prepared(shapes: &[(usize, usize)]) -> bool {
    shapes.len() <= 2 && shapes.iter().map(|&(r, d)| r + d).sum::<usize>() <= 8
}

/// The plain append of `rows` rows (at least one) and `deletions` deletions.
pub(super) fn plain_append(backend: Backend, rows: usize, deletions: usize) -> String {
    match backend {
        Backend::Postgres => postgres(rows, deletions),
        Backend::Sqlite => sqlite(rows, deletions),
    }
}

fn postgres(rows: usize, deletions: usize) -> String {
    let mut sql = String::from(
        "WITH head AS (UPDATE documents SET head_seq = head_seq + $1::bigint \
         WHERE id = $2 AND frozen = 0 RETURNING head_seq), \
         appended AS (INSERT INTO doc_updates (doc_id, seq, data, created_at) \
         SELECT $2, head.head_seq - $1::bigint + v.n, v.data, $3::bigint \
         FROM head, (VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "({}, ${}::bytea)", row + 1, row + 4);
    }
    sql.push_str(") AS v(n, data))");
    if deletions > 0 {
        sql.push_str(
            ", deleted AS (INSERT INTO doc_deletions \
             (doc_id, client_id, clock_start, clock_end, user_id, label) \
             SELECT $2, v.c, v.s, v.e, v.u, v.l FROM head, (VALUES ",
        );
        push_deletions(&mut sql, rows, deletions, |sql, p| {
            let _ = write!(
                sql,
                "(${}::bigint, ${}::bigint, ${}::bigint, ${}::bigint, ${}::text)",
                p,
                p + 1,
                p + 2,
                p + 3,
                p + 4
            );
        });
        sql.push_str(") AS v(c, s, e, u, l))");
    }
    sql.push_str(" SELECT head_seq FROM head");
    sql
}

fn sqlite(rows: usize, deletions: usize) -> String {
    let mut sql = String::new();
    push_sqlite(&mut sql, 0, 0, rows, deletions);
    sql
}

/// A whole group commit on SQLite as one string, `BEGIN IMMEDIATE` to `COMMIT`, for batches
/// of these `(rows, deletions)`: one call to sqlx's worker thread instead of one per statement.
/// Batch `k` takes the parameters after those of the batches before it, and its head comes
/// back as a row `(head_seq, batch = k)`; a refused batch returns none.
pub(super) fn sqlite_group(shapes: &[(usize, usize)]) -> String {
    let mut sql = String::from("BEGIN IMMEDIATE;");
    let mut base = 0;
    for (batch, &(rows, deletions)) in shapes.iter().enumerate() {
        push_sqlite(&mut sql, base, batch, rows, deletions);
        base += param_count((rows, deletions));
    }
    sql.push_str(" COMMIT;");
    sql
}

/// One batch's statements on SQLite, its parameters numbered after `base`.
fn push_sqlite(sql: &mut String, base: usize, batch: usize, rows: usize, deletions: usize) {
    let (count, doc, now) = (base + 1, base + 2, base + 3);
    let _ = write!(
        sql,
        " UPDATE documents SET head_seq = head_seq + ${count} WHERE id = ${doc} AND frozen = 0 \
         RETURNING head_seq, {batch} AS batch;"
    );
    let live = format!("documents d WHERE d.id = ${doc} AND d.frozen = 0;");
    let mut row = 0;
    while row < rows {
        let end = (row + ROWS_PER_SQLITE_INSERT).min(rows);
        let _ = write!(
            sql,
            " INSERT INTO doc_updates (doc_id, seq, data, created_at) \
             SELECT ${doc}, d.head_seq - ${count} + v.column1, v.column2, ${now} FROM (VALUES "
        );
        for r in row..end {
            if r > row {
                sql.push_str(", ");
            }
            let _ = write!(sql, "({}, ${})", r + 1, base + r + 4);
        }
        let _ = write!(sql, ") AS v, {live}");
        row = end;
    }
    if deletions > 0 {
        let _ = write!(
            sql,
            " INSERT INTO doc_deletions (doc_id, client_id, clock_start, clock_end, user_id, label) \
             SELECT ${doc}, v.column1, v.column2, v.column3, v.column4, v.column5 FROM (VALUES "
        );
        push_deletions(sql, base + rows, deletions, |sql, p| {
            let _ = write!(
                sql,
                "(${}, ${}, ${}, ${}, ${})",
                p,
                p + 1,
                p + 2,
                p + 3,
                p + 4
            );
        });
        let _ = write!(sql, ") AS v, {live}");
    }
}

/// The `VALUES` tuples of the deletions, whose parameters follow the rows'.
fn push_deletions(
    sql: &mut String,
    rows: usize,
    deletions: usize,
    tuple: impl Fn(&mut String, usize),
) {
    for deletion in 0..deletions {
        if deletion > 0 {
            sql.push_str(", ");
        }
        tuple(sql, 4 + rows + 5 * deletion);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `$N` numbers a statement names, in order of first appearance, without repeats.
    fn parameters(sql: &str) -> Vec<usize> {
        let mut seen = Vec::new();
        let bytes = sql.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' {
                let digits: String = sql[i + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let n: usize = digits.parse().unwrap();
                if !seen.contains(&n) {
                    seen.push(n);
                }
                i += digits.len();
            }
            i += 1;
        }
        seen.sort_unstable();
        seen
    }

    #[test]
    fn every_parameter_is_named_once_in_turn_on_both_backends() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            for (rows, deletions) in [(1, 0), (3, 0), (1, 2), (600, 7)] {
                let sql = plain_append(backend, rows, deletions);
                let expected: Vec<usize> = (1..=param_count((rows, deletions))).collect();
                assert_eq!(parameters(&sql), expected, "{backend:?} {rows} {deletions}");
            }
        }
    }

    #[test]
    fn sqlite_splits_long_batches_below_its_compound_limit() {
        let sql = plain_append(Backend::Sqlite, 600, 0);
        assert_eq!(sql.matches("INSERT INTO doc_updates").count(), 3);
        assert!(
            sql.contains("(251, $254)"),
            "the second insert goes on numbering"
        );
    }

    #[test]
    fn a_group_numbers_each_batch_after_the_ones_before_it() {
        let shapes = [(1, 0), (2, 1), (1, 0)];
        let sql = sqlite_group(&shapes);
        let total: usize = shapes.iter().map(|&shape| param_count(shape)).sum();
        assert_eq!(parameters(&sql), (1..=total).collect::<Vec<_>>());
        assert!(sql.starts_with("BEGIN IMMEDIATE;") && sql.ends_with(" COMMIT;"));
        // the second batch's count, document and time are $5, $6 and $7
        assert!(sql
            .contains("head_seq + $5 WHERE id = $6 AND frozen = 0 RETURNING head_seq, 1 AS batch"));
        assert!(sql.contains("SELECT $6, d.head_seq - $5 + v.column1, v.column2, $7"));
        assert_eq!(sql.matches("RETURNING").count(), 3);
    }

    #[test]
    fn deletions_are_only_written_with_them() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            assert!(!plain_append(backend, 2, 0).contains("doc_deletions"));
            assert!(plain_append(backend, 2, 1).contains("doc_deletions"));
        }
    }
}
