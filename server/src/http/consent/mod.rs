//! The consent API: endorsement rounds on a draft's version and the body's gate
//! ([`rounds`]), consultation rounds with their guests ([`consultations`]) and open points
//! ([`open_points`]).

pub mod consultations;
pub mod open_points;
pub mod rounds;

use utoipa_axum::router::OpenApiRouter;

use crate::error::Result;
use crate::http::render::render_blocking;
use crate::state::AppState;
use crate::versions;

/// The consent routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(rounds::router())
        .merge(consultations::router())
        .merge(open_points::router())
}

/// The draft's current round when `snapshot` (with `hash`) has other content than the round's
/// version: the hash differs and so does the rendered Markdown (the Yjs encoding of unchanged
/// content may differ). A version stored with it supersedes that round.
///
/// # Errors
/// Storage and render errors.
pub(crate) async fn superseded_round(
    state: &AppState,
    draft_id: i64,
    snapshot: &[u8],
    hash: &str,
) -> Result<Option<i64>> {
    let Some(round) = state.db.current_round(draft_id).await? else {
        return Ok(None);
    };
    if round.content_hash == hash {
        return Ok(None);
    }
    let Some((_, old)) = state.db.version_state(draft_id, round.version_id).await? else {
        return Ok(Some(round.id));
    };
    let max = state.work.max_render_bytes;
    if old.len() > max || snapshot.len() > max {
        return Ok(Some(round.id));
    }
    let new = snapshot.to_vec();
    let same = render_blocking(state, move || {
        Ok(versions::endorsement::same_text(&old, &new))
    })
    .await?;
    Ok((!same).then_some(round.id))
}
