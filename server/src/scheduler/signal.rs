//! Wake-ups for live inbox connections, "person N has new items", and the count of each
//! person's open inbox sockets (for the per-person limit).
//!
//! One [`InboxSignal`] belongs to one running server: the app creates it, puts it in the app
//! state for the inbox sockets and hands it to the scheduler that stores notifications, so
//! servers in one process do not wake each other (there is no process-wide signal). The other
//! processes of a cluster hear of a wake-up through its [`InboxRelay`] (Redis in production),
//! whose subscriber passes each one on with [`InboxSignal::notify_local`]. A wake-up is a hint:
//! the database is the truth. A socket woken looks for items after the last one it sent; one
//! whose wake-up got lost finds them with its slow safety poll.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{watch, Notify};

/// Carries an inbox wake-up to the other processes of a cluster (Redis in production).
///
/// [`InboxSignal::notify`] calls it for every wake-up, from the task that stored the items: it
/// must not block (queue, bounded, and drop when full; a lost wake-up only waits for the
/// safety poll).
pub trait InboxRelay: Send + Sync + 'static {
    /// Tells the other processes that `person` has new items.
    fn publish(&self, person: i64);
}

struct Person {
    wake: watch::Sender<u64>,
    sockets: usize,
}

#[derive(Default)]
struct Shared {
    people: HashMap<i64, Person>,
    relay: Option<Arc<dyn InboxRelay>>,
}

/// Per-person wake-ups and socket counts; cheap to clone (clones share everything, the relay
/// too).
#[derive(Clone, Default)]
pub struct InboxSignal {
    shared: Arc<Mutex<Shared>>,
}

impl std::fmt::Debug for InboxSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxSignal").finish_non_exhaustive()
    }
}

/// One open inbox socket of a person: wakes when they have new items; dropping it frees its
/// place in the per-person limit.
pub struct InboxSubscription {
    signal: InboxSignal,
    person: i64,
    wake: watch::Receiver<u64>,
}

impl InboxSignal {
    /// Publishes every later [`notify`](Self::notify) through `relay` as well, for this signal
    /// and all its clones (replacing an earlier relay).
    #[must_use]
    pub fn with_relay(self, relay: Arc<dyn InboxRelay>) -> Self {
        self.lock().relay = Some(relay);
        self
    }

    /// Tells the live connections of `person` to look for new items: those of this server and,
    /// through the relay when there is one, those of the other processes.
    pub fn notify(&self, person: i64) {
        let relay = {
            let shared = self.lock();
            wake(&shared, person);
            shared.relay.clone()
        };
        // outside the lock: the relay is not ours to hold it for
        if let Some(relay) = relay {
            relay.publish(person);
        }
    }

    /// Tells only this server's live connections of `person` to look for new items (a wake-up
    /// that came from another process through the relay).
    pub fn notify_local(&self, person: i64) {
        wake(&self.lock(), person);
    }

    /// Opens one more inbox socket for `person`, unless they already hold `max` of them.
    pub fn subscribe(&self, person: i64, max: usize) -> Option<InboxSubscription> {
        let mut shared = self.lock();
        let people = &mut shared.people;
        let entry = people.entry(person).or_insert_with(|| Person {
            wake: watch::channel(0).0,
            sockets: 0,
        });
        if entry.sockets >= max {
            if entry.sockets == 0 {
                people.remove(&person);
            }
            return None;
        }
        entry.sockets += 1;
        let wake = entry.wake.subscribe();
        Some(InboxSubscription {
            signal: self.clone(),
            person,
            wake,
        })
    }

    /// Inbox sockets `person` holds open.
    pub fn sockets_of(&self, person: i64) -> usize {
        self.lock()
            .people
            .get(&person)
            .map_or(0, |entry| entry.sockets)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        // Each operation is a single lookup, insert or removal: a poisoned lock is usable.
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Wakes the local sockets of `person`, if they have any.
fn wake(shared: &Shared, person: i64) {
    if let Some(entry) = shared.people.get(&person) {
        entry.wake.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// "Events wait in the outbox": the request that committed a change with an event wakes the
/// scheduler of its server, which delivers them at once instead of at its next interval. Like
/// [`InboxSignal`], a hint: a wake-up that finds nothing (or is lost in a crash) costs nothing,
/// since the outbox is in the database and every run reads it.
#[derive(Clone, Default)]
pub struct OutboxSignal {
    notify: Arc<Notify>,
}

impl std::fmt::Debug for OutboxSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxSignal").finish_non_exhaustive()
    }
}

impl OutboxSignal {
    /// Wakes the scheduler; several wake-ups before it runs make one run.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Waits for the next wake-up (returns at once if one came while nobody waited).
    pub async fn woken(&self) {
        self.notify.notified().await;
    }
}

impl InboxSubscription {
    /// Waits for the next wake-up (returns at once if one came since the last call).
    pub async fn woken(&mut self) {
        if self.wake.changed().await.is_err() {
            // The sender lives as long as any subscription of this person: unreachable, but
            // never spin.
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for InboxSubscription {
    fn drop(&mut self) {
        let mut shared = self.signal.lock();
        let people = &mut shared.people;
        if let Some(entry) = people.get_mut(&self.person) {
            entry.sockets = entry.sockets.saturating_sub(1);
            if entry.sockets == 0 {
                people.remove(&self.person);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_wake_up_reaches_only_that_person_and_is_not_lost_while_busy() {
        let signal = InboxSignal::default();
        let mut anna = signal.subscribe(1, 5).unwrap();
        let mut bram = signal.subscribe(2, 5).unwrap();
        // sent before anyone waits: still seen
        signal.notify(1);
        tokio::time::timeout(Duration::from_secs(5), anna.woken())
            .await
            .unwrap();
        assert!(!bram.wake.has_changed().unwrap(), "Bram has nothing new");
        signal.notify(2);
        tokio::time::timeout(Duration::from_secs(5), bram.woken())
            .await
            .unwrap();
    }

    #[test]
    fn each_person_holds_at_most_max_sockets_and_dropping_frees_a_place() {
        let signal = InboxSignal::default();
        let first = signal.subscribe(7, 2).unwrap();
        let _second = signal.subscribe(7, 2).unwrap();
        assert!(signal.subscribe(7, 2).is_none());
        assert!(signal.subscribe(8, 2).is_some(), "others are not affected");
        drop(first);
        assert_eq!(signal.sockets_of(7), 1);
        assert!(signal.subscribe(7, 2).is_some());
    }

    #[tokio::test]
    async fn an_outbox_wake_up_before_the_wait_is_kept() {
        let outbox = OutboxSignal::default();
        outbox.wake();
        outbox.wake();
        tokio::time::timeout(Duration::from_secs(5), outbox.woken())
            .await
            .unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(20), outbox.woken())
                .await
                .is_err(),
            "two wake-ups before the run make one run"
        );
    }

    /// A relay that records what it was asked to publish.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<i64>>);

    impl InboxRelay for Recorder {
        fn publish(&self, person: i64) {
            self.0.lock().unwrap().push(person);
        }
    }

    #[test]
    fn notify_wakes_locally_and_publishes_while_notify_local_only_wakes() {
        let relay = Arc::new(Recorder::default());
        let signal = InboxSignal::default().with_relay(relay.clone());
        let mut sub = signal.subscribe(4, 1).unwrap();
        signal.notify(4);
        assert!(
            sub.wake.has_changed().unwrap(),
            "notify wakes this server's socket"
        );
        sub.wake.mark_unchanged();
        signal.notify(9);
        assert_eq!(
            *relay.0.lock().unwrap(),
            [4, 9],
            "published, with or without sockets here"
        );
        signal.notify_local(4);
        assert!(sub.wake.has_changed().unwrap(), "notify_local wakes it too");
        assert_eq!(*relay.0.lock().unwrap(), [4, 9], "but publishes nothing");
    }

    #[test]
    fn a_relay_set_on_one_clone_serves_the_others() {
        let signal = InboxSignal::default();
        let schedulers = signal.clone();
        let relay = Arc::new(Recorder::default());
        let _signal = signal.with_relay(relay.clone());
        schedulers.notify(5);
        assert_eq!(*relay.0.lock().unwrap(), [5]);
    }

    #[test]
    fn two_signals_do_not_share_wake_ups() {
        let one = InboxSignal::default();
        let other = InboxSignal::default();
        let sub = one.subscribe(3, 1).unwrap();
        other.notify(3);
        assert!(!sub.wake.has_changed().unwrap());
        one.notify(3);
        assert!(sub.wake.has_changed().unwrap());
    }
}
