//! The checks, one module per concern. Each returns its checklist items; none changes anything.

pub(crate) mod capacity;
pub(crate) mod identity;
pub(crate) mod quotas;
pub(crate) mod region;
pub(crate) mod sources;
pub(crate) mod versions;

/// `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

// The checks borrow the run's context, so they cannot be spawned: `join_all` runs them concurrently on
// the current task and returns their outputs in order.
pub(crate) use futures_util::future::join_all;
