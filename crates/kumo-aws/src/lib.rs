//! kumo's small AWS client, for the services whose SDK crates would cost more build time than kumo can
//! spend (`aws-sdk-ec2` alone adds over three minutes to a clean release build; see ARCHITECTURE.md).
//!
//! It speaks the four wire protocols those services use — the EC2 query protocol, awsQuery (IAM, RDS,
//! CloudFormation), awsJson 1.0 / 1.1 (Service Quotas, CodeBuild, CodeConnections) and restJson (EKS),
//! plus restXml for Route 53 — over the same rustls + ring HTTPS stack and with the same settings as the
//! SDK clients: region, credentials, endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_<SERVICE>`) and timeouts all come from the [`aws_types::SdkConfig`] the CLI loads.
//!
//! * [`Client`] signs every attempt with SigV4, retries throttling, 5xx and transient network failures
//!   with bounded, jittered back-off, never starts a new attempt after a [`Stop`] was triggered
//!   (Ctrl-C), and traces each attempt (service, operation, status, duration, request id, attempt) at
//!   `debug` level on target `kumo::aws` — never a header or a body.
//! * [`AwsError`] carries the service's error code, message and request id.
//! * An operation is a small function in [`services`]: build a [`Request`] with the service's protocol,
//!   send it, read the fields it needs from the [`Response`]. Adding one (teardown adds EC2 deletes,
//!   ELBv2, Route 53, tagging) changes nothing in the core.
//! * [`sdk_log::RequestLog`] gives the SDK clients (CloudFormation, S3, STS) the same per-attempt trace.

pub mod client;
pub mod error;
#[cfg(any(test, feature = "test-util"))]
pub mod replay;
pub mod request;
pub mod sdk_log;
pub mod service;
pub mod services;
pub mod transport;
pub mod xml;

pub use client::{Client, ClientBuilder, Observer, RetryPolicy, Stop};
pub use error::{AwsError, ErrorKind};
pub use request::{Params, Request, Response};
pub use service::{Protocol, Service};
pub use xml::XmlNode;
