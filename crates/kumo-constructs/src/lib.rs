//! kumo L2 constructs: safe defaults and wiring over the generated L1 resources (`kumo-cfn`).
//!
//! Every construct follows one shape:
//!
//! * a **props** struct (`VpcProps`, `ClusterProps`, ...) with `Default` where a sensible default exists
//!   and builder-style setters; each field documents its default (`Default:` lines, like the CDK's
//!   `@default`);
//! * a constructor `Thing::new(parent, "Id", props)` that adds the L1 resources under a child scope named
//!   `Id` (the main resource is named `Resource`, so its logical id reads `Id` + hash);
//! * a returned **handle** whose accessors are intrinsic expressions (`cluster.security_group_id()`,
//!   `repo.arn()`, `repo.uri()`), so using one records the dependency and can never dangle.
//!
//! Nothing here needs a Lambda function, a custom resource, an asset or a bootstrap stack: every
//! construct maps to native CloudFormation types.
//!
//! ```
//! use kumo_core::Stack;
//! use kumo_constructs::ec2::{Vpc, VpcProps};
//!
//! let mut stack = Stack::new("Demo");
//! let vpc = Vpc::new(&mut stack, "Network", VpcProps::default());
//! assert_eq!(vpc.private_subnet_ids().len(), 2);
//! stack.synth().unwrap();
//! ```

// Library code reports problems (diagnostics, `Result`s); it never panics on what a caller can pass.
// (The assertion API and tests may: failing loudly is their job.)
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::unreachable)
)]

pub mod acm;
pub mod arn;
pub mod codebuild;
pub mod ec2;
pub mod ecr;
pub mod eks;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod rds;
pub mod route53;
pub mod secretsmanager;

mod parent;

pub use parent::Parent;

#[cfg(test)]
pub(crate) mod test_util;
