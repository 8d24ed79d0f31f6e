//! Test helpers (see ARCHITECTURE.md).

pub mod cfn_lint;
pub mod leftovers;
pub mod moto;
pub mod recorded;
