//! IAM: roles, managed policies and typed policy documents.

mod policy;
mod role;

pub use policy::{Condition, Effect, POLICY_VERSION, PolicyDocument, PolicyStatement, Principal};
pub use role::{DEFAULT_POLICY_NAME, ManagedPolicy, ManagedPolicyProps, Role, RoleProps};
