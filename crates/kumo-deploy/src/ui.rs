//! How flows talk to the person (or CI job) running them. The CLI implements [`Ui`] with a progress bar
//! or plain timestamped lines; tests implement it by recording.

use std::fmt;
use std::future::Future;
use std::time::SystemTime;

use crate::changes::ResourceChange;
use crate::events::StackEvent;
use crate::progress::Progress;
use crate::security::SecurityDiff;
use crate::status::Operation;

/// Something worth telling the user that needs no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    CreatingChangeSet {
        stack: String,
        kind: &'static str,
    },
    /// The template was too big to send inline and went through the staging bucket.
    TemplateStaged {
        bucket: String,
        key: String,
        created_bucket: bool,
    },
    /// An operation was already running (left by an interrupted run); kumo follows it instead of starting one.
    ResumingWatch {
        stack: String,
        status: String,
        operation: &'static str,
    },
    /// The resumed operation finished well; kumo carries on with the deploy.
    ResumedOperationFinished {
        stack: String,
        status: String,
    },
    /// The stack's first create failed and was rolled back; it has to be deleted before it can be created.
    RollbackCompleteFound {
        stack: String,
        root_cause: Option<String>,
    },
    DeletingBeforeCreate {
        stack: String,
    },
    NoChanges {
        stack: String,
    },
    /// Deploying over a stack kumo did not create, because `--adopt` was given.
    Adopting {
        stack: String,
    },
    /// Diffing a stack kumo did not create (read-only, so allowed).
    NotManagedByKumo {
        stack: String,
    },
    TerminationProtectionEnabled {
        stack: String,
    },
    /// `--timeout` expired during an update; kumo asked CloudFormation to cancel it (it rolls back).
    CancellingUpdate {
        stack: String,
        minutes: u64,
    },
    /// A watch poll failed in a way worth retrying; kumo waits and polls again.
    PollRetry {
        error: String,
        attempt: u32,
        limit: u32,
    },
    /// A stack kumo created only to compute a diff (a CREATE change set) was removed again.
    RemovedReviewStack {
        stack: String,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::CreatingChangeSet { stack, kind } => write!(f, "creating {kind} change set for {stack}"),
            Note::TemplateStaged {
                bucket,
                key,
                created_bucket: true,
            } => write!(
                f,
                "template is over the 51,200-byte inline limit: created staging bucket {bucket} (encrypted, public \
                 access blocked, objects expire after 1 day) and uploaded s3://{bucket}/{key}"
            ),
            Note::TemplateStaged {
                bucket,
                key,
                created_bucket: false,
            } => {
                write!(
                    f,
                    "template is over the 51,200-byte inline limit: uploaded s3://{bucket}/{key}"
                )
            }
            Note::ResumingWatch {
                stack,
                status,
                operation,
            } => write!(
                f,
                "{stack} is {status}: a {operation} is already running (perhaps from an interrupted run); \
                 following it instead of starting another"
            ),
            Note::ResumedOperationFinished { stack, status } => {
                write!(f, "{stack}: the running operation finished ({status}); continuing")
            }
            Note::RollbackCompleteFound { stack, root_cause } => {
                write!(
                    f,
                    "{stack} is ROLLBACK_COMPLETE: its first create failed and was rolled back, so it holds no resources and cannot be updated"
                )?;
                if let Some(cause) = root_cause {
                    write!(f, " (that create failed because: {cause})")?;
                }
                Ok(())
            }
            Note::DeletingBeforeCreate { stack } => write!(f, "deleting {stack} so it can be created again"),
            Note::NoChanges { stack } => write!(f, "{stack}: no changes"),
            Note::Adopting { stack } => {
                write!(
                    f,
                    "{stack} was not created by kumo; adopting it (--adopt): kumo's tag is added on this deploy"
                )
            }
            Note::NotManagedByKumo { stack } => write!(f, "{stack} was not created by kumo (no kumo:managed-by tag)"),
            Note::TerminationProtectionEnabled { stack } => write!(f, "{stack}: termination protection enabled"),
            Note::CancellingUpdate { stack, minutes } => write!(
                f,
                "{stack}: the update ran past the {minutes}-minute timeout; cancelling it (CloudFormation rolls it back)"
            ),
            Note::PollRetry { error, attempt, limit } => {
                write!(f, "reading progress failed ({error}); retrying ({attempt}/{limit})")
            }
            Note::RemovedReviewStack { stack } => {
                write!(
                    f,
                    "removed the empty REVIEW_IN_PROGRESS stack {stack} that the diff's change set created"
                )
            }
        }
    }
}

/// What a flow is about to do, for the user to review.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    pub stack: &'a str,
    /// The stack does not exist yet (or must be re-created): everything is added.
    pub creates_stack: bool,
    pub changes: &'a [ResourceChange],
    pub security: &'a SecurityDiff,
    /// The template the stack runs now (`None` for a new stack), and the one proposed: what a renderer
    /// needs to show more than the change set does (e.g. the cost before and after).
    pub deployed_template: Option<&'a serde_json::Value>,
    pub template: &'a serde_json::Value,
}

/// A yes/no question. `--yes` answers all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    /// The deploy changes IAM, security groups or public endpoints.
    ApproveSecurityChanges { stack: String },
    /// Delete a ROLLBACK_COMPLETE stack so it can be created again.
    DeleteForRecreate { stack: String },
    /// Delete the stack and its resources. The CLI asks for the stack name to be typed.
    Destroy { stack: String },
}

pub trait Ui {
    fn note(&mut self, note: Note);

    /// Shows the resource changes and the security section.
    fn plan(&mut self, plan: &Plan<'_>);

    /// Whether [`Ui::confirm`] can reach a person (a terminal). Without one, a question is a refusal.
    fn can_prompt(&self) -> bool;

    fn confirm(&mut self, question: &Question) -> impl Future<Output = bool>;

    fn watch_started(&mut self, stack: &str, operation: Operation, progress: &Progress);

    fn event(&mut self, event: &StackEvent, progress: &Progress);

    /// Called between polls, so elapsed times can move.
    fn tick(&mut self, progress: &Progress, now: SystemTime);

    fn watch_finished(&mut self, progress: &Progress, final_status: &str);
}
