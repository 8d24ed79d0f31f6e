//! The EKS-on-EC2 blueprint: the complete environment of the seed project (a CDK-for-Go `MyEKSStack`),
//! one Rust module per seed file, assembled into one stack by [`build`].
//!
//! Configuration comes from `kumo.toml` ([`Config`]); the embedded default ([`DEFAULT_CONFIG_TOML`]) is
//! complete, so the blueprint synthesizes with no file and no credentials.

// Library code reports problems (diagnostics, `Result`s); it never panics on what a caller can pass.
// (The assertion API and tests may: failing loudly is their job.)
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::unreachable)
)]

mod config;
mod stack;

pub mod database_cluster;
pub mod db_migrator;
pub mod eks_cluster;
pub mod encryption;
pub mod environment;
pub mod hosted_zone;
pub mod image_builder;
pub mod network;
pub mod pod_identities;

pub use config::*;
pub use stack::{Parts, build, build_app, build_app_with, build_with, synth_environment};
