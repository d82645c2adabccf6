//! Endorsement rounds: the rules of a round on one version, without IO (docs/DOMAIN.md §15).
