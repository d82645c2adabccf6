//! The live inbox's cursor: a person's items are numbered in commit order (`seq`), so a reader
//! that asks for the items after the last one it saw, as the inbox socket does, sees every item
//! exactly once while deliveries from several tasks interleave (truly so on PostgreSQL, where
//! item ids are taken before commit and commit out of order). Items stored before the
//! numbering existed are numbered per person in id order by its migration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use polder::notify::{Notification, NotificationKind};
use polder::storage::escalation::notifications::NewEvent;
use polder::storage::SqlStorage;
use polder::ws::inbox::cursor_after;
use sqlx::Row;

use crate::helpers::{backend_tests, Backend, TestDatabase};

backend_tests!(
    a_reader_following_the_cursor_sees_every_item_once_while_deliveries_interleave,
    items_from_before_the_numbering_are_numbered_per_person_in_id_order,
);

/// Tasks delivering at once.
const WRITERS: usize = 6;
/// Deliveries per task.
const EACH: usize = 40;
/// Other recipients of every delivery: their items are written after the reader's, so each
/// transaction stays open a while after the reader's item took its id.
const OTHERS: usize = 12;

fn event(key: String) -> NewEvent {
    NewEvent {
        key,
        body_id: None,
        party_id: None,
        person_id: None,
        notification: Notification {
            kind: NotificationKind::DueToday,
            title: "Eindoplevering".into(),
            body: "Vandaag".into(),
            link: None,
            subject_ref: "test:cursor".into(),
            due: None,
        },
    }
}

async fn person(storage: &SqlStorage, email: &str) -> i64 {
    storage.create_user(email, email, "x", false).await.unwrap()
}

/// Follows `person`'s inbox as the live socket does until `done` is set and nothing is left;
/// returns the ids seen, in the order seen, and how many reads it took.
async fn follow(
    storage: Arc<SqlStorage>,
    person: i64,
    mut cursor: i64,
    done: Arc<AtomicBool>,
) -> (Vec<i64>, u64) {
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut seen = Vec::new();
    let mut reads = 0;
    loop {
        assert!(Instant::now() < deadline, "the deliveries never finished");
        // read the flag first: a read after every delivery committed then finds all the rest
        let finished = done.load(Ordering::SeqCst);
        let items = storage.inbox_after_seq(person, cursor).await.unwrap();
        reads += 1;
        if finished && items.is_empty() {
            return (seen, reads);
        }
        for item in &items {
            seen.push(item.id);
            cursor = cursor_after(cursor, item);
        }
        tokio::task::yield_now().await;
    }
}

async fn a_reader_following_the_cursor_sees_every_item_once_while_deliveries_interleave(
    backend: Backend,
) {
    let database = TestDatabase::create(&backend).await;
    let storage = Arc::new(SqlStorage::connect(&database.url).await.unwrap());
    // created first: the lowest id, so each delivery writes this item before the others'
    let reader = person(&storage, "reader@example.org").await;
    let mut recipients = vec![reader];
    for n in 0..OTHERS {
        recipients.push(person(&storage, &format!("other{n}@example.org")).await);
    }
    let done = Arc::new(AtomicBool::new(false));
    // The socket's starting point, taken before any delivery (as the socket takes it before it
    // listens), so the first items cannot fall before it.
    let cursor = storage.last_inbox_seq(reader).await.unwrap();
    let follower = tokio::spawn(follow(storage.clone(), reader, cursor, done.clone()));
    let started = Instant::now();
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let storage = storage.clone();
            let recipients = recipients.clone();
            tokio::spawn(async move {
                for n in 0..EACH {
                    let key = format!("test:cursor:{writer}:{n}");
                    let stored = storage
                        .deliver(&event(key), &recipients, false, polder::clock::now_ms())
                        .await
                        .unwrap();
                    assert!(stored.is_some());
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let (seen, reads) = follower.await.unwrap();
    println!(
        "{} deliveries by {WRITERS} tasks in {:?}; the reader read {reads} times",
        WRITERS * EACH,
        started.elapsed()
    );
    let stored: Vec<i64> =
        sqlx::query("SELECT id FROM inbox_items WHERE person_id = $1 ORDER BY id")
            .bind(reader)
            .fetch_all(storage.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("id").unwrap())
            .collect();
    assert_eq!(stored.len(), WRITERS * EACH);
    let distinct: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "an item was seen twice");
    let missed: Vec<i64> = stored
        .iter()
        .filter(|id| !distinct.contains(id))
        .copied()
        .collect();
    assert!(missed.is_empty(), "the reader never saw items {missed:?}");
    assert_eq!(distinct.len(), stored.len());
    storage.close().await;
}

/// The migrations of `backend` before the numbering, copied to a directory of their own.
fn migrations_before_the_numbering(backend: &Backend) -> tempfile::TempDir {
    let dialect = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let all: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(dialect);
    let before = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let version: u32 = name.split('_').next().unwrap().parse().unwrap();
        if version < 12 {
            std::fs::copy(&path, before.path().join(&name)).unwrap();
        }
    }
    before
}

async fn insert_returning_id(pool: &sqlx::AnyPool, sql: &str, binds: &[&str]) -> i64 {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.fetch_one(pool).await.unwrap().try_get("id").unwrap()
}

async fn items_from_before_the_numbering_are_numbered_per_person_in_id_order(backend: Backend) {
    let database = TestDatabase::create(&backend).await;
    sqlx::any::install_default_drivers();
    let before = migrations_before_the_numbering(&backend);
    let pool = sqlx::AnyPool::connect(&database.url).await.unwrap();
    sqlx::migrate::Migrator::new(before.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let user = "INSERT INTO users (email, name, password_hash, is_admin, created_at) \
                VALUES ($1, $1, 'x', 0, 0) RETURNING id";
    let anna = insert_returning_id(&pool, user, &["anna@example.org"]).await;
    let bram = insert_returning_id(&pool, user, &["bram@example.org"]).await;
    let cas = insert_returning_id(&pool, user, &["cas@example.org"]).await;
    let mut events = Vec::new();
    for key in ["e1", "e2", "e3", "e4", "e5"] {
        let sql =
            "INSERT INTO notification_events (event_key, kind, subject_ref, payload, created_at) \
                   VALUES ($1, 'due_today', 'test:1', '{}', 0) RETURNING id";
        events.push(insert_returning_id(&pool, sql, &[key]).await);
    }
    // id order differs from event order and from created_at order
    let items = [(4, anna), (0, bram), (3, anna), (1, anna), (2, bram)];
    for (n, (event, person)) in items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO inbox_items (event_id, person_id, created_at, email_status) \
             VALUES ($1, $2, $3, 'none')",
        )
        .bind(events[*event])
        .bind(*person)
        .bind(1000 - i64::try_from(n).unwrap())
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let storage = SqlStorage::connect(&database.url).await.unwrap();
    let numbered = |person: i64| {
        let storage = storage.clone();
        async move {
            sqlx::query(
                "SELECT e.event_key, i.seq FROM inbox_items i \
                 JOIN notification_events e ON e.id = i.event_id WHERE i.person_id = $1 ORDER BY i.id",
            )
            .bind(person)
            .fetch_all(storage.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row.try_get::<String, _>("event_key").unwrap(),
                    row.try_get::<i64, _>("seq").unwrap(),
                )
            })
            .collect::<Vec<_>>()
        }
    };
    let pairs = |list: &[(&str, i64)]| -> Vec<(String, i64)> {
        list.iter().map(|(k, s)| ((*k).to_owned(), *s)).collect()
    };
    assert_eq!(
        numbered(anna).await,
        pairs(&[("e5", 1), ("e4", 2), ("e2", 3)])
    );
    assert_eq!(numbered(bram).await, pairs(&[("e1", 1), ("e3", 2)]));
    assert_eq!(storage.last_inbox_seq(anna).await.unwrap(), 3);
    assert_eq!(storage.last_inbox_seq(bram).await.unwrap(), 2);
    assert_eq!(storage.last_inbox_seq(cas).await.unwrap(), 0);

    // new deliveries continue each person's numbering
    storage
        .deliver(&event("e6".into()), &[cas, anna], false, 2000)
        .await
        .unwrap()
        .unwrap();
    let after = storage.inbox_after_seq(anna, 3).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!((after[0].key.as_str(), after[0].seq), ("e6", 4));
    let first = storage.inbox_after_seq(cas, 0).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].seq, 1);
    assert_eq!(
        storage
            .inbox_after_seq(anna, 0)
            .await
            .unwrap()
            .iter()
            .map(|item| item.seq)
            .collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    storage.close().await;
}
