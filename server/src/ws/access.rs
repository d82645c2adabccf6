//! Open sockets are authorised again when access changes, not only at the upgrade.
//!
//! Every sync and inbox socket registers here with the credential it was opened with. A
//! watcher reads the database's access epoch (see `storage::access_epoch`) every
//! [`CHECK_EVERY`] — one query per process, not per socket — and, when it moved (or a session
//! reaches its expiry), authenticates each affected credential once and decides for each of its
//! sockets again:
//! - the credential is gone (token revoked, signed out, session expired, password changed):
//!   closed with [`CloseReason::CREDENTIAL_REVOKED`] (4401, permanent);
//! - no access to the document any more (membership or grant removed): closed with
//!   [`CloseReason::ACCESS_REVOKED`] (4403, permanent);
//! - read-only now (member → observer, grant writer → reader): downgraded in its document
//!   actor, which tells the client at once and refuses its later updates; writable again:
//!   upgraded.
//!
//! Changes made through this server's API wake the watcher at once
//! ([`check_after_changes`]).
//!
//! A socket remembers the epoch it was last authorised at (for a new socket: the epoch seen
//! *before* its credential was checked), so a change that lands while a socket is being opened
//! is caught on the next check.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polder_shared::DocId;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::auth::HeldCredential;
use crate::auth::{self, secret, Access, Identity};
use crate::hub::{AccessHandle, CloseReason, Kick};
use crate::state::AppState;
use crate::storage::StorageError;

/// How often each server process reads the access epoch. Changes take effect within about
/// this long (plus the time to authorise the affected sockets again).
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// What a registered socket is.
pub enum SocketKind {
    /// A sync connection to a document.
    Sync {
        /// The document.
        doc_id: DocId,
        /// Whether it may write now.
        can_write: bool,
        /// Changes its write access in the document's actor.
        access: AccessHandle,
    },
    /// A live inbox connection of one person.
    Inbox {
        /// The person.
        person: i64,
    },
}

struct Registered {
    credential: HeldCredential,
    kind: SocketKind,
    kick: Kick,
    /// The access epoch this socket was last authorised at.
    epoch: i64,
    /// When its session expires (Unix ms), for session credentials.
    expires_at: Option<i64>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    sockets: HashMap<u64, Registered>,
}

/// The open sockets of this process, by credential; part of [`AppState`].
#[derive(Default)]
pub struct SocketRegistry {
    inner: Mutex<Inner>,
    /// The newest access epoch this process has seen.
    seen: AtomicI64,
    /// Wakes the watcher before its next tick (a change was made through this server).
    poke: tokio::sync::Notify,
}

/// Keeps a socket registered; dropping it unregisters the socket.
pub struct Registration {
    registry: Arc<SocketRegistry>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.registry.lock().sockets.remove(&self.id);
    }
}

/// One socket to authorise again, copied out of the registry.
struct Stale {
    id: u64,
    credential: HeldCredential,
    doc: Option<(DocId, bool, AccessHandle)>,
    inbox_person: Option<i64>,
    kick: Kick,
}

/// What to do with one socket.
enum Verdict {
    Keep,
    Close(CloseReason),
    SetWrite(bool),
}

impl SocketRegistry {
    /// The newest access epoch this process has seen.
    pub fn seen_epoch(&self) -> i64 {
        self.seen.load(Ordering::Acquire)
    }

    /// Asks the watcher to look at the access epoch now rather than at its next tick.
    pub fn poke(&self) {
        self.poke.notify_one();
    }

    /// Number of registered sockets.
    pub fn len(&self) -> usize {
        self.lock().sockets.len()
    }

    /// Whether no socket is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Registers an open socket, authorised at `epoch` with `credential`.
    pub fn register(
        self: &Arc<Self>,
        credential: HeldCredential,
        kind: SocketKind,
        kick: Kick,
        epoch: i64,
        expires_at: Option<i64>,
    ) -> Registration {
        let mut inner = self.lock();
        inner.next += 1;
        let id = inner.next;
        inner.sockets.insert(
            id,
            Registered {
                credential,
                kind,
                kick,
                epoch,
                expires_at,
            },
        );
        Registration {
            registry: self.clone(),
            id,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every operation on the map is a single insert, remove or scan: a panic elsewhere
        // cannot leave it inconsistent.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sockets authorised before `epoch` or whose session expired by `now_ms`.
    fn stale(&self, epoch: i64, now_ms: i64) -> Vec<Stale> {
        self.lock()
            .sockets
            .iter()
            .filter(|(_, s)| s.epoch < epoch || s.expires_at.is_some_and(|at| at <= now_ms))
            .map(|(id, s)| Stale {
                id: *id,
                credential: s.credential.clone(),
                doc: match &s.kind {
                    SocketKind::Sync {
                        doc_id,
                        can_write,
                        access,
                    } => Some((doc_id.clone(), *can_write, access.clone())),
                    SocketKind::Inbox { .. } => None,
                },
                inbox_person: match &s.kind {
                    SocketKind::Inbox { person } => Some(*person),
                    SocketKind::Sync { .. } => None,
                },
                kick: s.kick.clone(),
            })
            .collect()
    }

    fn mark_checked(&self, id: u64, epoch: i64, can_write: Option<bool>, expires_at: Option<i64>) {
        if let Some(socket) = self.lock().sockets.get_mut(&id) {
            socket.epoch = socket.epoch.max(epoch);
            socket.expires_at = expires_at;
            if let (Some(now), SocketKind::Sync { can_write, .. }) = (can_write, &mut socket.kind) {
                *can_write = now;
            }
        }
    }
}

/// Starts the watcher that re-authorises open sockets when access changes; it stops when
/// `shutdown` fires.
pub fn spawn_watcher(state: AppState, shutdown: CancellationToken, tracker: &TaskTracker) {
    tracker.spawn(async move {
        let mut ticker = tokio::time::interval(CHECK_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticker.tick() => {}
                () = state.sockets.poke.notified() => {}
            }
            match state.db.access_epoch().await {
                Ok(epoch) => {
                    state.sockets.seen.fetch_max(epoch, Ordering::AcqRel);
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot read the access epoch");
                    continue;
                }
            }
            if state.sockets.is_empty() {
                continue;
            }
            if let Err(error) = reauthorise(&state).await {
                tracing::warn!(%error, "re-authorising open sockets failed; retrying");
            }
        }
    });
}

/// Authorises every stale socket again, one authentication per credential and one access
/// check per credential and document.
async fn reauthorise(state: &AppState) -> Result<(), StorageError> {
    let epoch = state.sockets.seen_epoch();
    let stale = state.sockets.stale(epoch, crate::clock::now_ms());
    if stale.is_empty() {
        return Ok(());
    }
    let mut by_credential: HashMap<HeldCredential, Vec<Stale>> = HashMap::new();
    for socket in stale {
        by_credential
            .entry(socket.credential.clone())
            .or_default()
            .push(socket);
    }
    tracing::debug!(
        credentials = by_credential.len(),
        "re-authorising open sockets"
    );
    for (credential, sockets) in by_credential {
        let identity = auth::authenticate(&state.db, &credential.to_credential()).await?;
        let expires_at = match (&identity, credential.session()) {
            (Some(_), Some(session)) => state.db.session_expiry(&secret::hash(session)).await?,
            _ => None,
        };
        let mut access_by_doc: HashMap<DocId, Option<Access>> = HashMap::new();
        for socket in sockets {
            let verdict = match &identity {
                None => Verdict::Close(CloseReason::CREDENTIAL_REVOKED),
                Some(identity) => decide(state, identity, &socket, &mut access_by_doc).await?,
            };
            apply(state, &socket, verdict, epoch, expires_at).await;
        }
    }
    Ok(())
}

async fn decide(
    state: &AppState,
    identity: &Identity,
    socket: &Stale,
    access_by_doc: &mut HashMap<DocId, Option<Access>>,
) -> Result<Verdict, StorageError> {
    if let Some(person) = socket.inbox_person {
        return Ok(if identity.user_id == Some(person) {
            Verdict::Keep
        } else {
            Verdict::Close(CloseReason::CREDENTIAL_REVOKED)
        });
    }
    let Some((doc_id, can_write, _)) = &socket.doc else {
        return Ok(Verdict::Keep);
    };
    let access = match access_by_doc.get(doc_id) {
        Some(access) => *access,
        None => {
            let access = auth::document_access(&state.db, identity, doc_id).await?;
            access_by_doc.insert(doc_id.clone(), access);
            access
        }
    };
    Ok(match access {
        None => Verdict::Close(CloseReason::ACCESS_REVOKED),
        Some(access) if (access == Access::Write) != *can_write => {
            Verdict::SetWrite(access == Access::Write)
        }
        Some(_) => Verdict::Keep,
    })
}

async fn apply(
    state: &AppState,
    socket: &Stale,
    verdict: Verdict,
    epoch: i64,
    expires_at: Option<i64>,
) {
    match verdict {
        Verdict::Keep => state
            .sockets
            .mark_checked(socket.id, epoch, None, expires_at),
        Verdict::Close(reason) => {
            tracing::info!(code = reason.code, "closing a socket whose access ended");
            state.metrics.sockets_reauthorised.inc();
            socket.kick.kick(reason);
            state.sockets.mark_checked(socket.id, epoch, None, None);
        }
        Verdict::SetWrite(can_write) => {
            state.metrics.sockets_reauthorised.inc();
            if let Some((_, _, access)) = &socket.doc {
                if access.set_can_write(can_write).await.is_err() {
                    socket.kick.kick(CloseReason::SHUTTING_DOWN);
                }
            }
            state
                .sockets
                .mark_checked(socket.id, epoch, Some(can_write), expires_at);
        }
    }
}

/// Middleware: after a successful state-changing request through this server (any method but
/// `GET`, `HEAD` and `OPTIONS`), the watcher looks at the access epoch at once, so a membership,
/// token or session change made here takes effect without waiting for the next tick. One cheap
/// query per such request; changes made elsewhere still arrive with the tick.
pub async fn check_after_changes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = next.run(request).await;
    if changes && response.status().is_success() {
        state.sockets.poke();
    }
    response
}
