//! How deeply an update nests shared types (XML elements and texts, maps, arrays), checked
//! before the update is applied.
//!
//! yrs deletes and garbage-collects shared types recursively, one stack frame per level, and
//! tree walks elsewhere are bounded by the same depth; so the server refuses any update that
//! would put a shared type deeper than a limit (see [`DEFAULT_MAX_NESTING_DEPTH`]).
//!
//! Depth: a shared type directly inside a root type is at depth 1, one inside that at depth 2,
//! and so on. An item's parent comes from the update itself (an item names its parent, or
//! inherits it from its left or right neighbour) or from the document. Everything is resolved
//! iteratively: chains inside the update are memoised (linear in the update), chains in the
//! document are walked upwards one level at a time and never further than the limit.
//!
//! IO-free; the caller passes a read transaction of the document as it is before the update.

use std::collections::HashMap;

use yrs::branch::BranchPtr;
use yrs::types::xml::XmlFragmentRef;
use yrs::{Assoc, BranchID, IndexScope, ReadTxn, StateVector, StickyIndex, ID};

use super::scan::{self, Link, ScanError, ScannedItem};

/// Default of the deepest nesting of shared types an update may create: 100. Real advice
/// drafts need about a dozen levels (nested lists, tables with lists in their cells).
pub const DEFAULT_MAX_NESTING_DEPTH: usize = 100;

/// Most positions one check resolves in the document by walking along a list of siblings,
/// which yrs does in time linear in the list. Only shared types placed next to plain content
/// (text, values) need such a walk; ProseMirror content places elements next to elements, so
/// real updates need none or a few. Default: 256.
pub const MAX_POSITION_LOOKUPS: usize = 256;

/// Why an update was refused.
#[derive(Debug, thiserror::Error)]
pub enum NestingError {
    /// The update would nest shared types deeper than the limit.
    #[error("refused: the change nests elements more than {limit} levels deep")]
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// The update places shared types inside content the server does not have, so their depth
    /// cannot be known; a client that reconnects sends the missing content with them.
    #[error("refused: the change places elements inside content the server does not have yet")]
    UnknownParent,
    /// The update would need more than [`MAX_POSITION_LOOKUPS`] position lookups.
    #[error("refused: the change places too many elements next to plain content")]
    TooComplex,
    /// The document is already nested deeper than the limit (it was stored before the limit
    /// existed or with a higher one); it can be read but not changed.
    #[error(
        "this document is nested more than {limit} levels deep, so it can be read but not \
         changed; ask an administrator to restore an earlier version"
    )]
    DocumentTooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// The update's bytes were refused.
    #[error(transparent)]
    Scan(#[from] ScanError),
}

/// Checks that applying `update` (Yjs v1 bytes) to the document read through `doc` creates no
/// shared type deeper than `limit`.
///
/// # Errors
/// [`NestingError`] saying why the update is refused.
pub fn check(doc: &impl ReadTxn, update: &[u8], limit: usize) -> Result<(), NestingError> {
    let mut resolver = Resolver::new(Some(doc), update, limit)?;
    if resolver.deepest_type()? > limit {
        return Err(NestingError::TooDeep { limit });
    }
    Ok(())
}

/// The deepest nesting of shared types in a document's full state (Yjs v1 bytes, as
/// `encode_state_as_update_v1` of an empty state vector gives), counting up to `cap + 1`.
///
/// # Errors
/// [`NestingError::Scan`] when the bytes are refused.
pub fn state_depth(state: &[u8], cap: usize) -> Result<usize, NestingError> {
    let mut resolver = Resolver::<yrs::Transaction<'static>>::new(None, state, cap)?;
    resolver.deepest_type()
}

/// Where an item sits: the depth of the shared type holding it (0 for a root type), or that
/// yrs will discard it (its parent is gone), or that its parent is not known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Depth(usize),
    Dead,
    Unknown,
}

impl Place {
    /// The place of something inside a shared type at this place.
    fn inside(self) -> Place {
        match self {
            Place::Depth(depth) => Place::Depth(depth.saturating_add(1)),
            other => other,
        }
    }
}

/// One step of resolving an item's place.
enum Step {
    Done(Place),
    /// First resolve this other item of the update.
    Needs(usize),
}

struct Resolver<'t, T: ReadTxn> {
    doc: Option<&'t T>,
    known: StateVector,
    limit: usize,
    items: Vec<ScannedItem>,
    /// Per client, indexes into `items` sorted by clock.
    by_client: HashMap<u64, Vec<usize>>,
    /// Memoised places of update items.
    places: Vec<Option<Place>>,
    /// Update items whose place has been asked for.
    visited: Vec<bool>,
    /// Memoised depths of the document's shared types, by the id of the item creating them.
    branch_depths: HashMap<ID, usize>,
    lookups: usize,
}

impl<'t, T: ReadTxn> Resolver<'t, T> {
    fn new(doc: Option<&'t T>, update: &[u8], limit: usize) -> Result<Self, NestingError> {
        let mut items = Vec::new();
        scan::scan(update, |item| items.push(item))?;
        let mut by_client: HashMap<u64, Vec<usize>> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            by_client
                .entry(item.id.client.get())
                .or_default()
                .push(index);
        }
        for indexes in by_client.values_mut() {
            indexes.sort_by_key(|&index| items.get(index).map_or(0, |item| item.id.clock));
        }
        let known = doc.map(|doc| doc.state_vector()).unwrap_or_default();
        Ok(Self {
            doc,
            known,
            limit,
            places: vec![None; items.len()],
            visited: vec![false; items.len()],
            items,
            by_client,
            branch_depths: HashMap::new(),
            lookups: 0,
        })
    }

    /// The depth of the deepest shared type the update creates (0 if it creates none).
    fn deepest_type(&mut self) -> Result<usize, NestingError> {
        let mut deepest = 0;
        for index in 0..self.items.len() {
            if !self.items.get(index).is_some_and(|item| item.is_type) {
                continue;
            }
            match self.place(index)?.inside() {
                Place::Depth(depth) => deepest = deepest.max(depth),
                Place::Dead => {}
                Place::Unknown => return Err(NestingError::UnknownParent),
            }
        }
        Ok(deepest)
    }

    /// The update item holding `id`, if any.
    fn find(&self, id: &ID) -> Option<usize> {
        let indexes = self.by_client.get(&id.client.get())?;
        let after = indexes.partition_point(|&index| {
            self.items
                .get(index)
                .is_some_and(|item| item.id.clock <= id.clock)
        });
        let index = *indexes.get(after.checked_sub(1)?)?;
        let item = self.items.get(index)?;
        (id.clock - item.id.clock < item.len).then_some(index)
    }

    /// Resolves an update item's place with an explicit stack of items waiting for others.
    fn place(&mut self, start: usize) -> Result<Place, NestingError> {
        let mut waiting = vec![start];
        if let Some(flag) = self.visited.get_mut(start) {
            *flag = true;
        }
        while let Some(&index) = waiting.last() {
            let step = match self.places.get(index).copied().flatten() {
                Some(place) => Step::Done(place),
                None => self.step(index)?,
            };
            match step {
                Step::Done(place) => {
                    if let Some(slot) = self.places.get_mut(index) {
                        *slot = Some(place);
                    }
                    waiting.pop();
                }
                // Only unresolved items are needed, so a visited one is still on the stack.
                Step::Needs(other) if self.visited.get(other).copied().unwrap_or(true) => {
                    // A cycle of neighbours: yrs waits for it forever, so it never lands.
                    if let Some(slot) = self.places.get_mut(index) {
                        *slot = Some(Place::Unknown);
                    }
                    waiting.pop();
                }
                Step::Needs(other) => {
                    if let Some(flag) = self.visited.get_mut(other) {
                        *flag = true;
                    }
                    waiting.push(other);
                }
            }
        }
        Ok(self
            .places
            .get(start)
            .copied()
            .flatten()
            .unwrap_or(Place::Unknown))
    }

    fn step(&mut self, index: usize) -> Result<Step, NestingError> {
        let Some(item) = self.items.get(index).copied() else {
            return Ok(Step::Done(Place::Unknown));
        };
        match item.link {
            Link::Root => Ok(Step::Done(Place::Depth(0))),
            Link::Collected => Ok(Step::Done(Place::Dead)),
            Link::Parent(parent) => match self.find(&parent) {
                Some(other) => {
                    if !self.items.get(other).is_some_and(|item| item.is_type) {
                        return Ok(Step::Done(Place::Dead));
                    }
                    Ok(match self.places.get(other).copied().flatten() {
                        Some(place) => Step::Done(place.inside()),
                        None => Step::Needs(other),
                    })
                }
                None => Ok(Step::Done(self.doc_type_depth(&parent)?)),
            },
            Link::Neighbours { origin, right } => {
                // yrs takes the left neighbour's parent, else the right one's; an item with a
                // missing neighbour waits until it arrives.
                for neighbour in [origin, right].into_iter().flatten() {
                    let place = match self.find(&neighbour) {
                        Some(other) => match self.places.get(other).copied().flatten() {
                            Some(place) => place,
                            None => return Ok(Step::Needs(other)),
                        },
                        None => self.doc_item_place(&neighbour)?,
                    };
                    match place {
                        Place::Dead => continue,
                        other => return Ok(Step::Done(other)),
                    }
                }
                Ok(Step::Done(Place::Dead))
            }
        }
    }

    fn missing(&self, id: &ID) -> bool {
        id.clock >= self.known.get(&id.client)
    }

    /// The depth of the document's shared type created by item `id`, which is the place of
    /// whatever it holds.
    fn doc_type_depth(&mut self, id: &ID) -> Result<Place, NestingError> {
        let Some(doc) = self.doc else {
            return Ok(Place::Dead);
        };
        if self.missing(id) {
            return Ok(Place::Unknown);
        }
        match BranchID::get_nested(doc, id) {
            Some(branch) => Ok(Place::Depth(self.branch_depth(branch)?)),
            None => Ok(Place::Dead),
        }
    }

    /// The place of the document's item holding `id` (as a neighbour).
    fn doc_item_place(&mut self, id: &ID) -> Result<Place, NestingError> {
        let Some(doc) = self.doc else {
            return Ok(Place::Dead);
        };
        if self.missing(id) {
            return Ok(Place::Unknown);
        }
        if let Some(branch) = BranchID::get_nested(doc, id) {
            return Ok(Place::Depth(self.branch_depth(branch)?.saturating_sub(1)));
        }
        match self.holder(id)? {
            Some(branch) => Ok(Place::Depth(self.branch_depth(branch)?)),
            None => Ok(Place::Dead),
        }
    }

    /// The shared type holding the document's item `id`, found by a walk along its siblings.
    fn holder(&mut self, id: &ID) -> Result<Option<BranchPtr>, NestingError> {
        let Some(doc) = self.doc else {
            return Ok(None);
        };
        self.lookups += 1;
        if self.lookups > MAX_POSITION_LOOKUPS {
            return Err(NestingError::TooComplex);
        }
        let index = StickyIndex::new(IndexScope::Relative(*id), Assoc::After);
        Ok(index.get_offset(doc).map(|offset| offset.branch))
    }

    /// The depth of a document's shared type (0 for a root type), walking upwards at most
    /// `limit + 1` levels.
    fn branch_depth(&mut self, branch: BranchPtr) -> Result<usize, NestingError> {
        let cap = self.limit.saturating_add(1);
        let mut chain: Vec<ID> = Vec::new();
        let mut current = branch;
        let mut base = 0;
        // up to a root type
        while let BranchID::Nested(id) = current.id() {
            if let Some(&known) = self.branch_depths.get(&id) {
                base = known;
                break;
            }
            chain.push(id);
            if chain.len() >= cap {
                break;
            }
            let parent = match XmlFragmentRef::from(current).parent() {
                Some(parent) => Some(BranchPtr::from(parent.as_ref())),
                // not inside an XML type: find the holder through the item's own position
                None => self.holder(&id)?,
            };
            match parent {
                Some(parent) => current = parent,
                None => break,
            }
        }
        // The chain runs from `branch` up to just below the first known ancestor; a chain cut
        // at the cap gives only a lower bound, which is not remembered.
        let depth = base.saturating_add(chain.len()).min(cap);
        if depth >= cap {
            return Ok(depth);
        }
        for (offset, id) in chain.iter().enumerate() {
            self.branch_depths
                .insert(*id, depth.saturating_sub(offset).max(1));
        }
        Ok(depth)
    }
}

#[cfg(test)]
#[path = "nesting_tests.rs"]
mod tests;
