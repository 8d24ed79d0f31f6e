//! Errors of the Kubernetes side are per module (`TokenError`, `AccessError`, `BundleError`, `CertError`,
//! `ApplyError`, `KubeconfigError`); each says what failed, on which object, and what to do.

/// Formats an error with its whole `source()` chain on one line (kumo-deploy's, shared with the CLI).
pub use kumo_deploy::error::chain;
