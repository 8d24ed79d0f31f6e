//! A failed call: which service and operation, what went wrong, and the request id to quote to AWS
//! support.

use std::fmt;

/// A failed AWS call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct AwsError {
    /// The service id (`EC2`, `IAM`, ...).
    pub service: &'static str,
    /// The operation (`DescribeAddresses`).
    pub operation: &'static str,
    pub kind: ErrorKind,
    /// The request id of the last attempt, when the service answered.
    pub request_id: Option<String>,
    /// Attempts made (1 = no retry).
    pub attempts: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service answered with an error code.
    Service { status: u16, code: String, message: String },
    /// No answer within the configured timeouts.
    Timeout,
    /// The endpoint could not be reached (refused, DNS, TLS).
    Connect { detail: String },
    /// An answer that is not a valid response for the call: an HTML error page, a missing field.
    Response { status: u16, detail: String },
    /// The credentials could not be loaded.
    Credentials { detail: String },
    /// The request could not be built or signed.
    Request { detail: String },
    /// Ctrl-C arrived before this attempt was sent; nothing was sent for it.
    Interrupted,
}

/// Error codes that mean "slow down": retried with back-off.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of transient server-side trouble: retried with back-off.
const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

impl AwsError {
    /// The service's error code, if it answered with one.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn message(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Service { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ErrorKind::Service { status, .. } | ErrorKind::Response { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Throttling, 5xx and network trouble: another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        match &self.kind {
            ErrorKind::Service { status, code, .. } => {
                THROTTLING_CODES.contains(&code.as_str())
                    || TRANSIENT_CODES.contains(&code.as_str())
                    || matches!(status, 429 | 500 | 502 | 503 | 504)
            }
            ErrorKind::Response { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            ErrorKind::Timeout | ErrorKind::Connect { .. } => true,
            ErrorKind::Credentials { .. } | ErrorKind::Request { .. } | ErrorKind::Interrupted => false,
        }
    }

    /// The identity lacks permission for the call.
    pub fn is_access_denied(&self) -> bool {
        self.code().is_some_and(|code| {
            code.contains("AccessDenied") || code == "UnauthorizedOperation" || code == "AuthorizationError"
        })
    }

    /// The endpoint does not implement the operation (an emulator), or the operation does not exist in
    /// this region: an HTML 404 / 501, or an `UnknownOperation` / `InvalidAction` code.
    pub fn is_unsupported(&self) -> bool {
        match &self.kind {
            ErrorKind::Response { status, .. } => matches!(status, 404 | 501),
            ErrorKind::Service { code, .. } => {
                matches!(
                    code.as_str(),
                    "UnknownOperationException" | "InvalidAction" | "UnsupportedOperation" | "NotImplemented"
                )
            }
            _ => false,
        }
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.service, self.operation)?;
        match &self.kind {
            ErrorKind::Service { code, message, .. } if message.is_empty() => f.write_str(code)?,
            ErrorKind::Service { code, message, .. } => write!(f, "{code}: {message}")?,
            ErrorKind::Timeout => f.write_str("the endpoint did not answer in time")?,
            ErrorKind::Connect { detail } => write!(f, "cannot reach the endpoint ({detail})")?,
            ErrorKind::Response { status, detail } => write!(f, "unexpected response (HTTP {status}): {detail}")?,
            ErrorKind::Credentials { detail } => write!(f, "cannot load AWS credentials: {detail}")?,
            ErrorKind::Request { detail } => write!(f, "cannot build the request: {detail}")?,
            ErrorKind::Interrupted => f.write_str("interrupted before the request was sent")?,
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str, status: u16) -> AwsError {
        AwsError {
            service: "EC2",
            operation: "DescribeAddresses",
            kind: ErrorKind::Service {
                status,
                code: code.into(),
                message: "m".into(),
            },
            request_id: Some("r-1".into()),
            attempts: 1,
        }
    }

    #[test]
    fn classification() {
        assert!(service("RequestLimitExceeded", 503).is_retryable());
        assert!(service("Throttling", 400).is_retryable());
        assert!(service("Whatever", 500).is_retryable());
        assert!(!service("InvalidParameterValue", 400).is_retryable());
        assert!(service("AccessDenied", 403).is_access_denied());
        assert!(service("UnauthorizedOperation", 403).is_access_denied());
        assert_eq!(
            service("InvalidParameterValue", 400).to_string(),
            "EC2 DescribeAddresses: InvalidParameterValue: m (request id r-1)"
        );
    }
}
