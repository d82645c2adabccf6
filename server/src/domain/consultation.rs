//! Consultation rounds: the rules of a consultation on one version for invited outside
//! organisations, without IO (docs/DOMAIN.md §16).
