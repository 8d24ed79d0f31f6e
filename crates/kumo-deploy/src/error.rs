//! The engine's errors. Each says what went wrong; [`DeployError::hint`] says what to do next. The CLI
//! prints both, with the cause chain.

use std::fmt;
use std::time::Duration;

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{BoxError, ProvideErrorMetadata, SdkError};

use crate::events::StackEvent;
use crate::template::TemplateError;

/// Everything a flow (`deploy`, `diff`, `destroy`, ...) can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The template file is unusable. Raised before any AWS call.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A flag or value is wrong (parameter, tag, name). Raised before any mutating AWS call.
    #[error("{message}")]
    Input { message: String, hint: String },
    /// An AWS call failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The stack's state (or ownership, or protection) does not allow the operation; nothing was changed.
    #[error("{message}")]
    Refused { message: String, hint: String },
    /// The operation ran and ended in a failure state.
    #[error("{0}")]
    Failed(Box<FailureReport>),
    /// CloudFormation could not create the change set (template or parameter problem it detected).
    #[error("change set for {stack} failed: {reason}")]
    ChangeSetFailed { stack: String, reason: String },
    /// Ctrl-C.
    #[error("{0}")]
    Interrupted(Interruption),
    /// `--timeout` expired on an operation kumo cannot cancel (a create).
    #[error("{stack}: {operation} still running after the {minutes}-minute timeout", minutes = limit.as_secs() / 60)]
    TimedOut {
        stack: String,
        operation: &'static str,
        limit: Duration,
    },
    /// The staging bucket could not be prepared or written.
    #[error("staging bucket {bucket}: {message}")]
    Staging {
        bucket: String,
        message: String,
        hint: String,
        #[source]
        source: Option<Box<ApiError>>,
    },
}

impl DeployError {
    pub(crate) fn refused(message: impl Into<String>, hint: impl Into<String>) -> Self {
        DeployError::Refused {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        DeployError::Input {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            DeployError::Template(e) => Some(e.hint().to_owned()),
            DeployError::Input { hint, .. } | DeployError::Refused { hint, .. } | DeployError::Staging { hint, .. } => {
                Some(hint.clone())
            }
            DeployError::Api(e) => e.hint(),
            DeployError::Failed(report) => Some(report.hint.clone()),
            DeployError::ChangeSetFailed { .. } => {
                Some("fix the template or parameters; the failed change set was deleted and nothing was changed".into())
            }
            DeployError::Interrupted(i) => Some(i.hint()),
            DeployError::TimedOut { stack, .. } => Some(format!(
                "CloudFormation has no way to cancel a create; `kumo deploy` resumes watching it, `kumo status \
                 --stack-name {stack}` shows where it is; once it has finished, `kumo destroy --stack-name {stack}` \
                 removes it"
            )),
        }
    }
}

/// What was running when Ctrl-C arrived, and so what the next run does.
#[derive(Debug)]
pub enum Interruption {
    /// Before anything was executed; the change set (if any) was deleted.
    BeforeChange { stack: String },
    /// While following an operation that keeps running in CloudFormation.
    Watching {
        stack: String,
        status: String,
        command: &'static str,
    },
}

impl Interruption {
    fn hint(&self) -> String {
        match self {
            Interruption::BeforeChange { .. } => "run the command again when you are ready".to_owned(),
            Interruption::Watching { stack, command, .. } => format!(
                "`kumo {command}` (same arguments) resumes watching without starting a second operation; \
                 `kumo status --stack-name {stack}` shows progress"
            ),
        }
    }
}

impl fmt::Display for Interruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Interruption::BeforeChange { stack } => write!(f, "interrupted: nothing was changed on {stack}"),
            Interruption::Watching { stack, status, .. } => write!(
                f,
                "interrupted: stopped watching {stack} ({status}); the operation continues in CloudFormation"
            ),
        }
    }
}

/// A failed operation, reduced to what matters: the first real failure, not the cascade it caused.
#[derive(Debug)]
pub struct FailureReport {
    pub stack: String,
    /// "create", "update", "delete", or the operation that was resumed.
    pub operation: String,
    pub final_status: String,
    /// The first `*_FAILED` event that is not a cancellation caused by another failure.
    pub root_cause: Option<RootCause>,
    /// Further independent failures (not cancellations), after the root cause.
    pub other_failures: Vec<StackEvent>,
    /// Resources that blocked the last phase (rollback or delete) and remain in a failed state.
    pub blockers: Vec<StackEvent>,
    /// The stack's own status reason, when CloudFormation gave one.
    pub status_reason: Option<String>,
    pub hint: String,
}

/// The root-cause event, plus the nested stacks it was found in (outermost first).
#[derive(Clone, Debug)]
pub struct RootCause {
    pub event: StackEvent,
    pub nested_path: Vec<String>,
}

impl fmt::Display for RootCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.event;
        write!(f, "{} ({}) {}", e.logical_id, e.resource_type, e.status)?;
        if !self.nested_path.is_empty() {
            write!(f, " in nested stack {}", self.nested_path.join(" > "))?;
        }
        write!(f, ": {}", e.reason.as_deref().unwrap_or("(no reason given)"))
    }
}

impl fmt::Display for FailureReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} failed", self.operation, self.stack)?;
        match &self.root_cause {
            Some(cause) => write!(f, ": root cause: {cause}")?,
            None => {
                if let Some(reason) = &self.status_reason {
                    write!(f, ": {reason}")?;
                }
            }
        }
        write!(f, "; final state {}", self.final_status)
    }
}

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

/// Formats an error with its whole `source()` chain on one line: `outer: inner: root cause` (a cause
/// whose text the outer message already contains is not repeated). Shared by the CLI and `kumo-kube`.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
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
