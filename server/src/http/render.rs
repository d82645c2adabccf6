//! Rendering off the async runtime, bounded: [`render_blocking`] runs an export, a comparison
//! or a dossier on the blocking pool, at most `--max-concurrent-renders` at once, and gives up
//! on the answer after `--render-timeout-secs`; [`check_render_size`] refuses documents too big
//! to render at all. Every export route goes through these two.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::{AppError, Result};
use crate::state::AppState;

/// Seconds a caller is told to wait when every render slot is taken.
pub const BUSY_RETRY_AFTER_SECS: u64 = 5;

/// Runs `work` on the blocking pool within the server's render bounds.
///
/// # Errors
/// [`AppError::Busy`] (503 with `Retry-After`) when every render slot is taken,
/// [`AppError::Unavailable`] (503) when the render takes longer than the time limit, and
/// whatever `work` fails with.
pub async fn render_blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    run_bounded(&state.render_permits, state.work.render_timeout, work).await
}

/// Refuses a document whose encoded state is larger than `--max-render-bytes`; `what` names it
/// in the message ("version 3").
///
/// # Errors
/// [`AppError::TooLarge`] (413) naming the limit.
pub fn check_render_size(state: &AppState, what: &str, bytes: usize) -> Result<()> {
    let max = state.work.max_render_bytes;
    if bytes > max {
        return Err(AppError::TooLarge(format!(
            "{what} is too large to render or compare here: {bytes} bytes, and the limit is \
             {max} bytes (--max-render-bytes); compare smaller versions, or ask the \
             administrator to raise the limit"
        )));
    }
    Ok(())
}

/// [`render_blocking`] with explicit bounds. The permit moves into the blocking task, so a
/// render that overruns its time keeps its slot until it really ends: timeouts never let more
/// renders run than there are permits.
async fn run_bounded<T: Send + 'static>(
    permits: &Arc<Semaphore>,
    timeout: Duration,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let permit = permits
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::Busy {
            message: "the server is busy with other exports, comparisons and imports; try again in a few seconds"
                .into(),
            retry_after_secs: BUSY_RETRY_AFTER_SECS,
        })?;
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    });
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(AppError::Internal(join.into())),
        Err(_) => Err(AppError::Unavailable(format!(
            "rendering took longer than the limit of {} s (--render-timeout-secs) and was \
             abandoned; try a smaller document or try again later",
            timeout.as_secs_f64()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    const WAIT: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn a_render_runs_and_returns_its_result() {
        let permits = Arc::new(Semaphore::new(1));
        let value = run_bounded(&permits, WAIT, || Ok(6 * 7)).await.unwrap();
        assert_eq!(value, 42);
        assert_eq!(permits.available_permits(), 1);
    }

    #[tokio::test]
    async fn renders_beyond_the_permits_are_busy_with_retry_after() {
        let permits = Arc::new(Semaphore::new(1));
        let _held = permits.clone().try_acquire_owned().unwrap();
        let err = run_bounded(&permits, WAIT, || Ok(())).await.unwrap_err();
        assert!(
            matches!(
                err,
                AppError::Busy {
                    retry_after_secs: BUSY_RETRY_AFTER_SECS,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.status_code(),
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[tokio::test]
    async fn an_overrunning_render_is_abandoned_but_keeps_its_slot_until_it_ends() {
        let permits = Arc::new(Semaphore::new(1));
        let (release, released) = mpsc::channel::<()>();
        // The render waits until the test releases it: it can only end by the time limit.
        let err = run_bounded(&permits, Duration::from_millis(50), move || {
            let _ = released.recv();
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(
            matches!(err, AppError::Unavailable(ref m) if m.contains("--render-timeout-secs")),
            "{err:?}"
        );
        let busy = run_bounded(&permits, WAIT, || Ok(())).await.unwrap_err();
        assert!(matches!(busy, AppError::Busy { .. }), "{busy:?}");
        release.send(()).unwrap();
        let freed = tokio::time::timeout(WAIT, permits.acquire()).await;
        assert!(freed.is_ok(), "the slot comes back once the render ends");
    }

    #[tokio::test]
    async fn a_failing_render_passes_its_error_on() {
        let permits = Arc::new(Semaphore::new(1));
        let err = run_bounded::<()>(&permits, WAIT, || Err(AppError::NotFound))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound));
    }
}
