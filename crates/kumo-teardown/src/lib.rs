//! What a stack leaves outside CloudFormation, and removing it.
//!
//! In-cluster controllers make AWS resources CloudFormation never hears of: the Load Balancer
//! Controller's load balancers, listeners, target groups and security groups (and rules on the
//! stack's groups that name them), external-dns's records, the EBS CSI driver's volumes, interfaces
//! the VPC CNI leaves `available`. Left in place they block `DeleteStack` (DependencyViolation on
//! subnets and the VPC, HostedZoneNotEmpty) or keep billing after it.
//!
//! * [`rules`] — the table: each kind, how it is found and deleted, what blocks it, what is retried.
//! * [`scope`] — whose is it: the stack's clusters, VPCs and zones, and the judgement by tags (this
//!   stack's, a stack's own resource, another stack's or cluster's).
//! * [`discover`] — finding the leftovers: the tagging API, then each service's look-ups.
//! * [`sweep`] — deleting them in table order, with bounded retries and the blocker named.
//! * [`machine`] — the same sweep rendered as a Step Functions state machine, for the time-to-live
//!   reaper that runs it without kumo present; [`reaper`] — the resources `--ttl` adds to a template.

// Library code reports problems as values; it never panics on what AWS sends.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::unreachable)
)]

pub mod discover;
pub mod machine;
pub mod reaper;
pub mod rules;
pub mod scope;
pub mod sweep;

pub use discover::{Detail, Leftover, discover};
pub use rules::{Kind, RULES, Rule, rule};
pub use scope::Scope;
pub use sweep::{Step, SweepError, SweepOptions, SweepReport, sweep};
