//! The operations kumo calls, one module per service. Each operation builds its [`crate::Request`] in
//! the service's protocol, sends it, and reads the fields kumo uses; nothing else of the response is
//! modelled. To add an operation, add a function next to its siblings (and a recorded or moto-backed
//! test); the client core does not change.

pub mod acm;
pub mod cloudformation;
pub mod codebuild;
pub mod codeconnections;
pub mod ec2;
pub mod eks;
pub mod elbv2;
pub mod iam;
pub mod rds;
pub mod route53;
pub mod service_quotas;
pub mod stepfunctions;
pub mod sts;
pub mod tagging;
