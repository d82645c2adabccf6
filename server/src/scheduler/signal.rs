//! Wake-ups for live inbox connections: "person N has new items". A hint only; the database
//! is the truth, and connections also poll it, so a wake-up missed (or one from another server
//! process, which never arrives) only delays delivery by one poll.

use std::sync::LazyLock;

use tokio::sync::broadcast;

static NEW_ITEMS: LazyLock<broadcast::Sender<i64>> = LazyLock::new(|| broadcast::channel(1024).0);

/// Tells live connections of `person` to look for new items.
pub fn notify(person: i64) {
    // No receivers is fine: nobody is connected.
    let _ = NEW_ITEMS.send(person);
}

/// Receives the ids of people with new items.
pub fn subscribe() -> broadcast::Receiver<i64> {
    NEW_ITEMS.subscribe()
}
