//! Throttling of sign-ins, per account and per network address, in the database.
//!
//! Every attempt is counted *before* its password is checked, in one statement per key (see
//! [`SqlStorage::count_sign_in_attempt`]), so attempts that arrive together cannot all pass:
//! of any number of concurrent wrong passwords for one account, at most
//! [`MAX_FAILURES_PER_ACCOUNT`] are checked. A correct password takes its attempt back and
//! clears the account. The counters live in the database, so the limit holds across server
//! processes that share it, and across restarts.
//!
//! Windows are fixed: the first counted attempt starts a window of [`WINDOW`]; when it has
//! passed, counting starts again.

use std::time::Duration;

use crate::auth::secret;
use crate::storage::{SqlStorage, StorageError};

/// Failed sign-ins allowed per account within [`WINDOW`]: 5.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Default of the failed sign-ins allowed per client address within [`WINDOW`]: 20 (several
/// people may share one address; `--sign-in-failures-per-address` changes it).
pub const DEFAULT_MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// How long a window lasts: 15 minutes.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// An attempt that may go ahead: remember it to report how it ended.
#[derive(Debug)]
pub struct Reservation {
    account: String,
    address: String,
}

/// The outcome of asking to try a password.
#[derive(Debug)]
pub enum Attempt {
    /// Check the password, then call [`Reservation::succeeded`] or leave it counted.
    Allowed(Reservation),
    /// Too many failures; try again after this long.
    Throttled(Duration),
}

/// Counts an attempt for `account` (a normalised e-mail address) from `address` (see
/// [`crate::auth::proxy::address_key`]) at `now_ms`, and says whether it may go ahead.
///
/// The address is counted first: an address over its limit is refused without touching the
/// account, so one address cannot fill the table with accounts. An attempt refused for its
/// account gives the address its count back (no password was checked).
///
/// # Errors
/// Storage errors.
pub async fn attempt(
    db: &SqlStorage,
    account: &str,
    address: &str,
    max_per_address: i64,
    now_ms: i64,
) -> Result<Attempt, StorageError> {
    let window = i64::try_from(WINDOW.as_millis()).unwrap_or(i64::MAX);
    let expired_before = now_ms.saturating_sub(window);
    db.prune_sign_in_attempts(expired_before).await?;
    let reservation = Reservation {
        account: secret::hash(&format!("account:{account}")),
        address: secret::hash(&format!("address:{address}")),
    };
    let retry = |window_start: i64| {
        let left = window_start.saturating_add(window).saturating_sub(now_ms);
        Duration::from_millis(u64::try_from(left).unwrap_or(0)).max(Duration::from_secs(1))
    };
    let by_address = db
        .count_sign_in_attempt(&reservation.address, now_ms, expired_before)
        .await?;
    if by_address.attempts > max_per_address.max(1) {
        return Ok(Attempt::Throttled(retry(by_address.window_start)));
    }
    let by_account = db
        .count_sign_in_attempt(&reservation.account, now_ms, expired_before)
        .await?;
    if by_account.attempts > MAX_FAILURES_PER_ACCOUNT {
        db.uncount_sign_in_attempt(&reservation.address).await?;
        return Ok(Attempt::Throttled(retry(by_account.window_start)));
    }
    Ok(Attempt::Allowed(reservation))
}

impl Reservation {
    /// The password was right: the account's failures are forgotten and the address gets its
    /// count back. (A wrong password needs nothing: its attempt stays counted.)
    ///
    /// # Errors
    /// Storage errors.
    pub async fn succeeded(self, db: &SqlStorage) -> Result<(), StorageError> {
        db.clear_sign_in_attempts(&self.account).await?;
        db.uncount_sign_in_attempt(&self.address).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (SqlStorage, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::storage::sql::sqlite_url_for(dir.path());
        (SqlStorage::connect(&url).await.unwrap(), dir)
    }

    fn allowed(attempt: Attempt) -> Option<Reservation> {
        match attempt {
            Attempt::Allowed(reservation) => Some(reservation),
            Attempt::Throttled(_) => None,
        }
    }

    #[tokio::test]
    async fn failures_lock_the_account_until_the_window_has_passed() {
        let (db, _dir) = db().await;
        let start = 1_000_000_000_000;
        for i in 0..MAX_FAILURES_PER_ACCOUNT {
            let attempt = attempt(&db, "a@b.nl", "192.0.2.1", 20, start + i)
                .await
                .unwrap();
            assert!(allowed(attempt).is_some(), "attempt {i}");
        }
        let Attempt::Throttled(wait) = attempt(&db, "a@b.nl", "192.0.2.1", 20, start + 10)
            .await
            .unwrap()
        else {
            panic!("the sixth attempt is throttled");
        };
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(1));
        // another account from the same address is not locked by this one
        assert!(allowed(
            attempt(&db, "c@d.nl", "192.0.2.1", 20, start + 11)
                .await
                .unwrap()
        )
        .is_some());
        // after the window, counting starts again
        let later = start + i64::try_from(WINDOW.as_millis()).unwrap();
        let reservation = allowed(
            attempt(&db, "a@b.nl", "192.0.2.1", 20, later)
                .await
                .unwrap(),
        )
        .expect("a new window");
        // a success clears the account
        reservation.succeeded(&db).await.unwrap();
        for i in 0..MAX_FAILURES_PER_ACCOUNT {
            let attempt = attempt(&db, "a@b.nl", "192.0.2.1", 20, later + 1 + i)
                .await
                .unwrap();
            assert!(allowed(attempt).is_some(), "attempt {i} after the success");
        }
    }

    #[tokio::test]
    async fn an_address_is_limited_across_accounts_and_successes_do_not_count() {
        let (db, _dir) = db().await;
        let now = 1_000_000_000_000;
        for i in 0..3 {
            let reservation = allowed(attempt(&db, "ok@b.nl", "192.0.2.9", 3, now).await.unwrap())
                .expect("within the limit");
            if i < 2 {
                // two correct passwords: they give the address its attempts back
                reservation.succeeded(&db).await.unwrap();
            }
        }
        for account in ["x@b.nl", "y@b.nl"] {
            assert!(allowed(attempt(&db, account, "192.0.2.9", 3, now).await.unwrap()).is_some());
        }
        // three failures from the address: a fourth account is refused there, not elsewhere
        assert!(allowed(attempt(&db, "z@b.nl", "192.0.2.9", 3, now).await.unwrap()).is_none());
        assert!(allowed(attempt(&db, "z@b.nl", "192.0.2.10", 3, now).await.unwrap()).is_some());
    }
}
