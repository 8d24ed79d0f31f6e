//! The engine's errors. Each says what went wrong; [`DeployError::hint`] says what to do next. The CLI
//! prints both, with the cause chain.

use std::fmt;
use std::time::Duration;

use crate::api_error::ApiError;
use crate::events::{RootCause, StackEvent};
use crate::stack_state::StackStatus;
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
    /// What belongs to the stack outside it could not be found or removed (the stack is untouched).
    #[error("{message}")]
    Outside {
        message: String,
        hint: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
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
            DeployError::Input { hint, .. }
            | DeployError::Refused { hint, .. }
            | DeployError::Staging { hint, .. }
            | DeployError::Outside { hint, .. } => Some(hint.clone()),
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
        /// The last status read; `None` when no poll had succeeded yet.
        status: Option<StackStatus>,
        command: &'static str,
    },
    /// While removing what the stack left outside it; the stack itself was not touched yet.
    Outside { stack: String },
}

impl Interruption {
    fn hint(&self) -> String {
        match self {
            Interruption::BeforeChange { .. } => "run the command again when you are ready".to_owned(),
            Interruption::Outside { stack } => format!(
                "`kumo destroy --stack-name {stack}` finds what is left and continues; `kumo destroy --plan` shows it"
            ),
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
            Interruption::Outside { stack } => write!(
                f,
                "interrupted while removing what {stack} left outside the stack; the stack itself is untouched"
            ),
            Interruption::Watching { stack, status, .. } => {
                write!(f, "interrupted: stopped watching {stack} (")?;
                match status {
                    Some(status) => write!(f, "{status}")?,
                    None => f.write_str("status not read yet")?,
                }
                f.write_str("); the operation continues in CloudFormation")
            }
        }
    }
}

/// A failed operation, reduced to what matters: the first real failure, not the cascade it caused.
#[derive(Debug)]
pub struct FailureReport {
    pub stack: String,
    /// "create", "update", "delete", or the operation that was resumed.
    pub operation: String,
    pub final_status: StackStatus,
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
