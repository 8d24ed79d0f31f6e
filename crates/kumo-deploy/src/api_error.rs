//! A failed AWS call, classified (service error with its code, timeout, unreachable endpoint, bad
//! response) so flows can retry what is transient and the CLI can say what to fix.

use std::fmt;

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{BoxError, ProvideErrorMetadata, SdkError};

/// A failed AWS call, classified so the CLI can say what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{call}: {kind}{}", request_id_text(.request_id))]
pub struct ApiError {
    /// The API operation, e.g. `CreateChangeSet`.
    pub call: &'static str,
    pub kind: ApiErrorKind,
    /// The request id AWS gave the failed request, to quote to AWS support.
    pub request_id: Option<String>,
    #[source]
    source: Option<BoxError>,
}

fn request_id_text(request_id: &Option<String>) -> String {
    request_id
        .as_ref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// The service answered with an error code.
    Service { code: String, message: String },
    /// No answer within the configured timeouts (after the configured retries).
    Timeout,
    /// The endpoint could not be reached (refused, DNS, TLS).
    Connect,
    /// The service answered with something that is not a valid response for the call.
    Response { status: Option<u16> },
    /// Anything else the SDK reports (request could not be built, credentials, ...).
    Other,
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiErrorKind::Service { code, message } if message.is_empty() => f.write_str(code),
            ApiErrorKind::Service { code, message } => write!(f, "{code}: {message}"),
            ApiErrorKind::Timeout => f.write_str("the endpoint did not answer in time"),
            ApiErrorKind::Connect => f.write_str("cannot reach the endpoint"),
            ApiErrorKind::Response { status: Some(status) } => write!(f, "unexpected response (HTTP {status})"),
            ApiErrorKind::Response { status: None } => f.write_str("unexpected response"),
            ApiErrorKind::Other => f.write_str("request failed"),
        }
    }
}

const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
];

impl ApiError {
    /// A service error with this code (tests and flows build expected errors with it).
    pub fn service(call: &'static str, code: &str, message: &str) -> Self {
        ApiError {
            call,
            kind: ApiErrorKind::Service {
                code: code.to_owned(),
                message: message.to_owned(),
            },
            request_id: None,
            source: None,
        }
    }

    /// An answer that lacks what the call must return (a required field), described by `what`.
    pub fn malformed(call: &'static str, what: impl Into<String>) -> Self {
        ApiError {
            call,
            kind: ApiErrorKind::Response { status: None },
            request_id: None,
            source: Some(what.into().into()),
        }
    }

    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ApiErrorKind::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn message(&self) -> Option<&str> {
        match &self.kind {
            ApiErrorKind::Service { message, .. } => Some(message),
            _ => None,
        }
    }

    /// CloudFormation's "Stack with id X does not exist" (a `ValidationError`).
    pub fn is_stack_not_found(&self) -> bool {
        self.code() == Some("ValidationError") && self.message().is_some_and(|m| m.contains("does not exist"))
    }

    /// Worth retrying later: throttling, timeouts, connection trouble, server-side 5xx.
    pub fn is_transient(&self) -> bool {
        match &self.kind {
            ApiErrorKind::Service { code, .. } => {
                matches!(
                    code.as_str(),
                    "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException"
                ) || code.starts_with("InternalFailure")
                    || code == "ServiceUnavailable"
            }
            ApiErrorKind::Timeout | ApiErrorKind::Connect => true,
            ApiErrorKind::Response { status } => status.is_none_or(|s| s >= 500),
            ApiErrorKind::Other => false,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match &self.kind {
            // A connection that is accepted and never answered is a wrong or broken endpoint (or
            // something in between eating replies), not a slow AWS: waiting longer does not help.
            ApiErrorKind::Timeout => Some(
                "the endpoint accepted the connection but never answered: check that --endpoint-url / \
                 AWS_ENDPOINT_URL (if set) is a working AWS or emulator endpoint and not another service, and that \
                 no proxy, VPN or firewall holds the replies"
                    .to_owned(),
            ),
            ApiErrorKind::Connect => {
                Some("check the endpoint (--endpoint-url / AWS_ENDPOINT_URL), the region and your network".to_owned())
            }
            ApiErrorKind::Service { code, .. } if CREDENTIAL_CODES.contains(&code.as_str()) => Some(
                "AWS rejected the credentials: refresh them (e.g. `aws sso login`, new access keys) or pick \
                 another --profile"
                    .to_owned(),
            ),
            ApiErrorKind::Service { code, .. } if code.contains("AccessDenied") || code == "UnauthorizedOperation" => {
                Some(format!(
                    "the identity in use is not allowed to call {}; use a role that is",
                    self.call
                ))
            }
            ApiErrorKind::Service { code, .. } if code.contains("Throttl") => {
                Some("AWS kept throttling after retries; wait a minute and run the command again".to_owned())
            }
            ApiErrorKind::Response { .. } => {
                Some("the endpoint answered with something that is not an AWS response; check --endpoint-url".into())
            }
            ApiErrorKind::Service { .. } => Some(format!(
                "AWS refused {}: the message above says why; fix that and run the command again",
                self.call
            )),
            ApiErrorKind::Other => Some(
                "the request failed before AWS answered (the connection broke, or kumo was stopping): check the \
                 endpoint (--endpoint-url / AWS_ENDPOINT_URL) and your network, then run the command again"
                    .to_owned(),
            ),
        }
    }
}

/// Converts SDK results into [`ApiError`]s named after the call.
pub trait ApiResult<T> {
    fn api(self, call: &'static str) -> Result<T, ApiError>;
}

impl<T, E> ApiResult<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn api(self, call: &'static str) -> Result<T, ApiError> {
        self.map_err(|error| classify(call, error))
    }
}

fn classify<E>(call: &'static str, error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let kind = match &error {
        SdkError::ServiceError(service) => {
            let meta = service.err().meta();
            match meta.code() {
                Some(code) => ApiErrorKind::Service {
                    code: code.to_owned(),
                    message: meta.message().unwrap_or_default().to_owned(),
                },
                // An error without a code is a response the SDK could not make sense of.
                None => ApiErrorKind::Response {
                    status: Some(service.raw().status().as_u16()),
                },
            }
        }
        SdkError::TimeoutError(_) => ApiErrorKind::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ApiErrorKind::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_io() => ApiErrorKind::Connect,
        SdkError::DispatchFailure(_) => ApiErrorKind::Other,
        SdkError::ResponseError(response) => ApiErrorKind::Response {
            status: Some(response.raw().status().as_u16()),
        },
        SdkError::ConstructionFailure(_) => ApiErrorKind::Other,
        _ => ApiErrorKind::Other,
    };
    let request_id = error.raw_response().and_then(|response| {
        ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
            .iter()
            .find_map(|name| response.headers().get(*name))
            .map(str::to_owned)
    });
    let source: Option<BoxError> = match kind {
        // The code and message say it all; the SDK's wrapper would only repeat them.
        ApiErrorKind::Service { .. } => None,
        _ => Some(Box::new(error)),
    };
    ApiError {
        call,
        kind,
        request_id,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_and_transient_classification() {
        assert!(
            ApiError::service("DescribeStacks", "ValidationError", "Stack with id x does not exist")
                .is_stack_not_found()
        );
        assert!(!ApiError::service("DescribeStacks", "ValidationError", "Template format error").is_stack_not_found());
        assert!(ApiError::service("DescribeStacks", "Throttling", "Rate exceeded").is_transient());
        assert!(!ApiError::service("DescribeStacks", "AccessDenied", "no").is_transient());
        let expired = ApiError::service("CreateChangeSet", "ExpiredToken", "expired");
        assert!(expired.hint().unwrap().contains("refresh"));
        assert_eq!(expired.to_string(), "CreateChangeSet: ExpiredToken: expired");
    }

    #[test]
    fn service_errors_carry_the_request_id() {
        use aws_sdk_cloudformation::error::ErrorMetadata;
        use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
        use aws_smithy_types::body::SdkBody;

        let mut raw = HttpResponse::new(400.try_into().unwrap(), SdkBody::empty());
        raw.headers_mut()
            .insert("x-amzn-RequestId", "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
        let service = DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("Template format error")
                .build(),
        );
        let error = classify("DescribeStacks", SdkError::service_error(service, raw));
        assert_eq!(
            error.request_id.as_deref(),
            Some("0a1b2c3d-4e5f-6789-abcd-ef0123456789")
        );
        assert_eq!(
            error.to_string(),
            "DescribeStacks: ValidationError: Template format error (request id 0a1b2c3d-4e5f-6789-abcd-ef0123456789)"
        );
    }
}
