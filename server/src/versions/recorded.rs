//! [`RecordedAttribution`]: the [`Attribution`] the server builds from what it recorded while
//! applying updates (which person's connection first brought each Yjs client's content, and
//! which person's connection first deleted each range).

use std::collections::HashMap;

use super::{Attribution, Author};
use crate::sync::attribution::DeletedRange;

/// Claims and deletions as recorded by the server.
#[derive(Debug, Clone, Default)]
pub struct RecordedAttribution {
    /// Yjs client id → the person whose connection first sent its content.
    pub claims: HashMap<u64, Author>,
    /// Deleted id ranges with the person whose connection first deleted them.
    pub deletions: Vec<(DeletedRange, Author)>,
}

impl Attribution for RecordedAttribution {
    fn author_of_insert(&self, client: u64) -> Option<Author> {
        self.claims.get(&client).cloned()
    }

    fn author_of_delete(&self, client: u64, clock: u32) -> Option<Author> {
        self.deletions
            .iter()
            .find(|(range, _)| range.contains(client, clock))
            .map(|(_, author)| author.clone())
    }
}
