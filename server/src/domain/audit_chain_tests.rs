//! The committed hash scheme (scheme 2): erasing a name keeps the chain intact, changing
//! anything else breaks it.

use super::*;

/// Appends a scheme-2 entry the way storage does.
fn push(chain: &mut Vec<StoredEntry>, actor: &str, action: &str, subject: &str) {
    let prev = chain
        .last()
        .map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone());
    let (stable, name) = split_actor(actor);
    let salt = format!("salt-{}", chain.len());
    let commitment = name.map(|n| name_commitment(&salt, n));
    let at = chain.len() as i64 * 10;
    let hash = entry_hash_v2(
        &prev,
        &CommittedFields {
            at,
            actor: stable,
            name_commitment: commitment.as_deref(),
            actor_party: Some("ZIN"),
            action,
            subject,
        },
    );
    chain.push(StoredEntry {
        id: chain.len() as i64 + 1,
        at,
        actor: stable.to_owned(),
        actor_party: Some("ZIN".into()),
        action: action.into(),
        subject: subject.into(),
        prev_hash: prev,
        hash,
        scheme: SCHEME_COMMITTED,
        actor_name: name.map(str::to_owned),
        name_salt: name.map(|_| salt),
        name_commitment: commitment,
    });
}

fn sample() -> Vec<StoredEntry> {
    let mut chain = Vec::new();
    push(
        &mut chain,
        "person:7 (Anna de Vries)",
        "draft.create",
        "{\"draft\":1}",
    );
    push(
        &mut chain,
        "token:import",
        "milestone.create",
        "{\"milestone\":2}",
    );
    push(
        &mut chain,
        "person:7 (Anna de Vries)",
        "comment.create",
        "{\"comment\":3}",
    );
    push(
        &mut chain,
        "person:1 (Beheer)",
        PERSON_REMOVE,
        "{\"person\":7}",
    );
    chain
}

/// Erases person 7's names the way a removal does.
fn erase(chain: &mut [StoredEntry], actor: &str) {
    for entry in chain.iter_mut().filter(|e| e.actor == actor) {
        entry.actor_name = Some(pseudonym(Some("ZIN")));
        entry.name_salt = None;
    }
}

#[test]
fn actors_split_into_identity_and_name() {
    assert_eq!(
        split_actor("person:12 (Anna de Vries)"),
        ("person:12", Some("Anna de Vries"))
    );
    assert_eq!(
        split_actor("person:12 (A (B))"),
        ("person:12", Some("A (B)"))
    );
    assert_eq!(split_actor("person:12"), ("person:12", None));
    assert_eq!(split_actor("token:import (x)"), ("token:import (x)", None));
    assert_eq!(split_actor("polder"), ("polder", None));
}

#[test]
fn pseudonyms_name_the_party_or_nothing() {
    assert_eq!(pseudonym(Some("ZIN")), "voormalig lid, ZIN");
    assert_eq!(pseudonym(Some("  ")), "voormalig lid");
    assert_eq!(pseudonym(None), "voormalig lid");
}

#[test]
fn commitments_depend_on_salt_and_name() {
    let a = name_commitment("s1", "Anna");
    assert_eq!(a, name_commitment("s1", "Anna"));
    assert_ne!(a, name_commitment("s2", "Anna"));
    assert_ne!(a, name_commitment("s1", "Anne"));
    // length prefixes keep salt and name apart
    assert_ne!(name_commitment("ab", "c"), name_commitment("a", "bc"));
}

#[test]
fn the_two_schemes_never_hash_alike() {
    let v1 = entry_hash(
        GENESIS,
        &AuditFields {
            at: 1,
            actor: "person:1",
            actor_party: None,
            action: "a",
            subject: "{}",
        },
    );
    let v2 = entry_hash_v2(
        GENESIS,
        &CommittedFields {
            at: 1,
            actor: "person:1",
            name_commitment: None,
            actor_party: None,
            action: "a",
            subject: "{}",
        },
    );
    assert_ne!(v1, v2);
}

#[test]
fn an_intact_committed_chain_verifies() {
    assert_eq!(verify(&sample()), Ok(4));
}

#[test]
fn erasing_a_removed_persons_name_keeps_the_chain_intact() {
    let mut chain = sample();
    erase(&mut chain, "person:7");
    assert_eq!(verify(&chain), Ok(4));
    assert_eq!(chain[0].actor_name.as_deref(), Some("voormalig lid, ZIN"));
}

#[test]
fn erasing_someone_not_removed_is_detected() {
    let mut chain = sample();
    erase(&mut chain, "person:1");
    assert_eq!(
        verify(&chain),
        Err(ChainBreak::ErasedWithoutRemoval { id: 4 })
    );
}

#[test]
fn a_changed_name_is_detected() {
    let mut chain = sample();
    chain[2].actor_name = Some("Mallory".into());
    assert_eq!(verify(&chain), Err(ChainBreak::Altered { id: 3 }));
}

#[test]
fn after_an_erasure_every_other_field_is_still_covered() {
    type Change = fn(&mut StoredEntry);
    let changes: [Change; 6] = [
        |e| e.action = "draft.delete".into(),
        |e| e.subject = "{\"draft\":99}".into(),
        |e| e.at += 1,
        |e| e.actor = "person:8".into(),
        |e| e.actor_party = Some("VWS".into()),
        |e| e.name_commitment = Some(name_commitment("x", "y")),
    ];
    for change in changes {
        let mut chain = sample();
        erase(&mut chain, "person:7");
        change(&mut chain[0]);
        assert_eq!(verify(&chain), Err(ChainBreak::Altered { id: 1 }));
    }
}

#[test]
fn a_removal_entry_cannot_be_forged_in_without_breaking_the_chain() {
    let mut chain = sample();
    erase(&mut chain, "person:1");
    chain[1].action = PERSON_REMOVE.into();
    chain[1].subject = "{\"person\":1}".into();
    assert_eq!(verify(&chain), Err(ChainBreak::Altered { id: 2 }));
}

#[test]
fn a_legacy_entry_after_a_committed_one_is_refused() {
    let mut chain = sample();
    chain[1].scheme = SCHEME_NAMED;
    let fields = AuditFields {
        at: chain[1].at,
        actor: "token:import",
        actor_party: Some("ZIN"),
        action: "milestone.create",
        subject: "{\"milestone\":2}",
    };
    chain[1].hash = entry_hash(&chain[1].prev_hash, &fields);
    assert_eq!(verify(&chain), Err(ChainBreak::Scheme { id: 2 }));
    let mut unknown = sample();
    unknown[0].scheme = 3;
    assert_eq!(verify(&unknown), Err(ChainBreak::Scheme { id: 1 }));
}

#[test]
fn switching_an_entry_to_the_other_scheme_is_detected() {
    // a scheme-1 chain whose first entry claims scheme 2 no longer matches its hash
    let mut chain = Vec::new();
    push(&mut chain, "polder", "audit.rechain", "{}");
    chain[0].scheme = SCHEME_NAMED;
    assert_eq!(verify(&chain), Err(ChainBreak::Altered { id: 1 }));
}
