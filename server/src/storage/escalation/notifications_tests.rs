//! Per-person numbering of inbox items.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::notify::NotificationKind;

fn event(key: &str) -> NewEvent {
    NewEvent {
        key: key.into(),
        body_id: None,
        party_id: None,
        person_id: None,
        notification: Notification {
            kind: NotificationKind::DueToday,
            title: "Eindoplevering".into(),
            body: "Vandaag".into(),
            link: None,
            subject_ref: format!("test:{key}"),
            due: None,
        },
    }
}

async fn seqs(db: &SqlStorage, person: i64) -> Vec<(String, i64)> {
    db.inbox_after_seq(person, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|item| (item.key, item.seq))
        .collect()
}

#[tokio::test]
async fn each_person_numbers_their_items_from_one_in_delivery_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = SqlStorage::connect(&crate::storage::sql::sqlite_url_for(dir.path()))
        .await
        .unwrap();
    let anna = db
        .create_user("anna@example.org", "Anna", "x", false)
        .await
        .unwrap();
    let bram = db
        .create_user("bram@example.org", "Bram", "x", false)
        .await
        .unwrap();
    assert_eq!(db.last_inbox_seq(anna).await.unwrap(), 0);
    db.deliver(&event("a"), &[bram, anna], false, 1)
        .await
        .unwrap();
    db.deliver(&event("b"), &[anna, anna], false, 2)
        .await
        .unwrap();
    db.deliver(&event("c"), &[bram], false, 3).await.unwrap();
    assert!(db
        .deliver(&event("b"), &[anna], false, 4)
        .await
        .unwrap()
        .is_none());
    db.deliver(&event("d"), &[anna, bram], false, 5)
        .await
        .unwrap();
    assert_eq!(
        seqs(&db, anna).await,
        [("a".into(), 1), ("b".into(), 2), ("d".into(), 3)]
    );
    assert_eq!(
        seqs(&db, bram).await,
        [("a".into(), 1), ("c".into(), 2), ("d".into(), 3)]
    );
    assert_eq!(db.last_inbox_seq(anna).await.unwrap(), 3);
    let after = db.inbox_after_seq(anna, 2).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].key, "d");
}

#[tokio::test]
async fn an_item_a_person_has_already_gives_its_number_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = SqlStorage::connect(&crate::storage::sql::sqlite_url_for(dir.path()))
        .await
        .unwrap();
    let anna = db
        .create_user("anna@example.org", "Anna", "x", false)
        .await
        .unwrap();
    let first = db
        .deliver(&event("a"), &[anna], false, 1)
        .await
        .unwrap()
        .unwrap();
    let mut tx = db.begin_write().await.unwrap();
    assert!(!add_inbox_item(&mut tx, first, anna, 2, "none")
        .await
        .unwrap());
    tx.commit().await.unwrap();
    assert_eq!(db.last_inbox_seq(anna).await.unwrap(), 1, "no hole");
    db.deliver(&event("b"), &[anna], false, 3).await.unwrap();
    assert_eq!(seqs(&db, anna).await, [("a".into(), 1), ("b".into(), 2)]);
}
