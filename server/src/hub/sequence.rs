//! [`Sequence`]: which log sequence numbers of a document this process has applied.
//!
//! Every stored update of a document has a number, given in commit order without holes. A
//! process applies its own commits and those it hears of from other processes, in whatever order
//! they arrive; `applied` is the highest number up to which it has applied *every* update, and
//! the ranges above it that it has applied too are kept until the gap below them is filled.
//! Only `applied` is safe as the number a snapshot of memory covers.

use std::collections::BTreeMap;

/// Applied sequence numbers: everything up to [`Sequence::applied`], plus ranges above it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Sequence {
    applied: i64,
    /// Disjoint, non-adjacent ranges `first → last`, all above `applied + 1`.
    ahead: BTreeMap<i64, i64>,
}

impl Sequence {
    /// Everything up to `applied` is in the state.
    pub(super) fn new(applied: i64) -> Self {
        Self {
            applied,
            ahead: BTreeMap::new(),
        }
    }

    /// The highest number up to which every update is applied.
    pub(super) fn applied(&self) -> i64 {
        self.applied
    }

    /// The highest number applied, gaps or not.
    pub(super) fn highest(&self) -> i64 {
        self.ahead
            .last_key_value()
            .map_or(self.applied, |(_, last)| (*last).max(self.applied))
    }

    /// Whether updates above `applied` are applied while some below them are not.
    pub(super) fn has_gap(&self) -> bool {
        !self.ahead.is_empty()
    }

    /// Whether every number in `first..=last` is applied.
    pub(super) fn covers(&self, first: i64, last: i64) -> bool {
        if last <= self.applied {
            return true;
        }
        let first = first.max(self.applied + 1);
        self.ahead
            .range(..=first)
            .next_back()
            .is_some_and(|(_, end)| *end >= last)
    }

    /// Records `first..=last` as applied.
    pub(super) fn mark(&mut self, first: i64, last: i64) {
        if last < first || last <= self.applied {
            return;
        }
        let (mut first, mut last) = (first.max(self.applied + 1), last);
        // Merge with every range that overlaps or touches this one.
        let touching: Vec<i64> = self
            .ahead
            .range(..=last.saturating_add(1))
            .filter(|(_, end)| **end >= first - 1)
            .map(|(start, _)| *start)
            .collect();
        for start in touching {
            if let Some(end) = self.ahead.remove(&start) {
                first = first.min(start);
                last = last.max(end);
            }
        }
        if first <= self.applied + 1 {
            self.applied = last;
        } else {
            self.ahead.insert(first, last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Sequence;
    use proptest::prelude::*;

    #[test]
    fn in_order_ranges_advance_applied() {
        let mut seq = Sequence::new(0);
        seq.mark(1, 3);
        seq.mark(4, 4);
        assert_eq!(seq.applied(), 4);
        assert!(!seq.has_gap());
    }

    #[test]
    fn a_range_above_a_gap_waits_until_the_gap_is_filled() {
        let mut seq = Sequence::new(10);
        seq.mark(14, 16);
        assert_eq!(seq.applied(), 10);
        assert!(seq.has_gap());
        assert!(seq.covers(15, 16));
        assert!(!seq.covers(11, 14));
        assert_eq!(seq.highest(), 16);
        seq.mark(11, 13);
        assert_eq!(seq.applied(), 16);
        assert!(!seq.has_gap());
    }

    #[test]
    fn duplicates_and_overlaps_change_nothing_twice() {
        let mut seq = Sequence::new(5);
        seq.mark(3, 5);
        assert_eq!(seq, Sequence::new(5));
        seq.mark(8, 9);
        seq.mark(8, 9);
        seq.mark(9, 12);
        assert_eq!(seq.highest(), 12);
        seq.mark(6, 8);
        assert_eq!(seq.applied(), 12);
    }

    proptest! {
        /// Whatever order ranges arrive in, the result equals the set of numbers they hold.
        #[test]
        fn applied_is_the_longest_prefix_of_what_was_marked(
            ranges in proptest::collection::vec((1i64..60, 0i64..5), 0..40)
        ) {
            let mut seq = Sequence::new(0);
            let mut set = std::collections::BTreeSet::new();
            for (first, len) in ranges {
                seq.mark(first, first + len);
                set.extend(first..=first + len);
            }
            let mut prefix = 0;
            while set.contains(&(prefix + 1)) {
                prefix += 1;
            }
            prop_assert_eq!(seq.applied(), prefix);
            prop_assert_eq!(seq.highest(), set.iter().next_back().copied().unwrap_or(0).max(prefix));
            for n in 1..70 {
                prop_assert_eq!(seq.covers(n, n), n <= prefix || set.contains(&n));
            }
            prop_assert_eq!(seq.has_gap(), set.iter().any(|n| *n > prefix));
        }
    }
}
