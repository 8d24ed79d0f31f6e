//! The state machine's vocabulary: every CloudFormation stack status as a type of kumo's own
//! ([`StackStatus`]), sorted into what kumo may do with a stack in it ([`StackState`]).
//!
//! The SDK's status enum is `#[non_exhaustive]`, so matching it always needs a wildcard arm, and a status
//! AWS adds later would fall into it silently. So the SDK's value is converted once, in
//! [`StackStatus::from_sdk`] (its one wildcard gives [`StackStatus::Unrecognized`], which kumo refuses to act
//! on), and every decision matches kumo's enum with no wildcard arm: adding a variant is a compile error
//! in every function that decides from a status. A unit test checks that every status the SDK knows
//! converts to a named variant, so an SDK update that brings a new status fails the tests.

use std::fmt;

use aws_sdk_cloudformation::types::StackStatus as SdkStackStatus;

/// A stack's status, as `DescribeStacks` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StackStatus {
    CreateInProgress,
    CreateFailed,
    CreateComplete,
    RollbackInProgress,
    RollbackFailed,
    RollbackComplete,
    DeleteInProgress,
    DeleteFailed,
    DeleteComplete,
    UpdateInProgress,
    UpdateCompleteCleanupInProgress,
    UpdateComplete,
    UpdateFailed,
    UpdateRollbackInProgress,
    UpdateRollbackFailed,
    UpdateRollbackCompleteCleanupInProgress,
    UpdateRollbackComplete,
    ReviewInProgress,
    ImportInProgress,
    ImportComplete,
    ImportRollbackInProgress,
    ImportRollbackFailed,
    ImportRollbackComplete,
    /// A status this version of kumo does not know, as AWS spelled it.
    Unrecognized(String),
}

impl StackStatus {
    /// Every status kumo knows, in CloudFormation's documentation order.
    pub const KNOWN: [StackStatus; 23] = [
        StackStatus::CreateInProgress,
        StackStatus::CreateFailed,
        StackStatus::CreateComplete,
        StackStatus::RollbackInProgress,
        StackStatus::RollbackFailed,
        StackStatus::RollbackComplete,
        StackStatus::DeleteInProgress,
        StackStatus::DeleteFailed,
        StackStatus::DeleteComplete,
        StackStatus::UpdateInProgress,
        StackStatus::UpdateCompleteCleanupInProgress,
        StackStatus::UpdateComplete,
        StackStatus::UpdateFailed,
        StackStatus::UpdateRollbackInProgress,
        StackStatus::UpdateRollbackFailed,
        StackStatus::UpdateRollbackCompleteCleanupInProgress,
        StackStatus::UpdateRollbackComplete,
        StackStatus::ReviewInProgress,
        StackStatus::ImportInProgress,
        StackStatus::ImportComplete,
        StackStatus::ImportRollbackInProgress,
        StackStatus::ImportRollbackFailed,
        StackStatus::ImportRollbackComplete,
    ];

    /// The SDK's value as kumo's. The only wildcard arm over stack statuses in kumo: the SDK enum is
    /// non-exhaustive, and what it does not name is [`StackStatus::Unrecognized`].
    pub fn from_sdk(status: &SdkStackStatus) -> StackStatus {
        match status {
            SdkStackStatus::CreateInProgress => StackStatus::CreateInProgress,
            SdkStackStatus::CreateFailed => StackStatus::CreateFailed,
            SdkStackStatus::CreateComplete => StackStatus::CreateComplete,
            SdkStackStatus::RollbackInProgress => StackStatus::RollbackInProgress,
            SdkStackStatus::RollbackFailed => StackStatus::RollbackFailed,
            SdkStackStatus::RollbackComplete => StackStatus::RollbackComplete,
            SdkStackStatus::DeleteInProgress => StackStatus::DeleteInProgress,
            SdkStackStatus::DeleteFailed => StackStatus::DeleteFailed,
            SdkStackStatus::DeleteComplete => StackStatus::DeleteComplete,
            SdkStackStatus::UpdateInProgress => StackStatus::UpdateInProgress,
            SdkStackStatus::UpdateCompleteCleanupInProgress => StackStatus::UpdateCompleteCleanupInProgress,
            SdkStackStatus::UpdateComplete => StackStatus::UpdateComplete,
            SdkStackStatus::UpdateFailed => StackStatus::UpdateFailed,
            SdkStackStatus::UpdateRollbackInProgress => StackStatus::UpdateRollbackInProgress,
            SdkStackStatus::UpdateRollbackFailed => StackStatus::UpdateRollbackFailed,
            SdkStackStatus::UpdateRollbackCompleteCleanupInProgress => {
                StackStatus::UpdateRollbackCompleteCleanupInProgress
            }
            SdkStackStatus::UpdateRollbackComplete => StackStatus::UpdateRollbackComplete,
            SdkStackStatus::ReviewInProgress => StackStatus::ReviewInProgress,
            SdkStackStatus::ImportInProgress => StackStatus::ImportInProgress,
            SdkStackStatus::ImportComplete => StackStatus::ImportComplete,
            SdkStackStatus::ImportRollbackInProgress => StackStatus::ImportRollbackInProgress,
            SdkStackStatus::ImportRollbackFailed => StackStatus::ImportRollbackFailed,
            SdkStackStatus::ImportRollbackComplete => StackStatus::ImportRollbackComplete,
            other => StackStatus::Unrecognized(other.as_str().to_owned()),
        }
    }

    /// CloudFormation's spelling, e.g. `UPDATE_ROLLBACK_COMPLETE`.
    pub fn as_str(&self) -> &str {
        match self {
            StackStatus::CreateInProgress => "CREATE_IN_PROGRESS",
            StackStatus::CreateFailed => "CREATE_FAILED",
            StackStatus::CreateComplete => "CREATE_COMPLETE",
            StackStatus::RollbackInProgress => "ROLLBACK_IN_PROGRESS",
            StackStatus::RollbackFailed => "ROLLBACK_FAILED",
            StackStatus::RollbackComplete => "ROLLBACK_COMPLETE",
            StackStatus::DeleteInProgress => "DELETE_IN_PROGRESS",
            StackStatus::DeleteFailed => "DELETE_FAILED",
            StackStatus::DeleteComplete => "DELETE_COMPLETE",
            StackStatus::UpdateInProgress => "UPDATE_IN_PROGRESS",
            StackStatus::UpdateCompleteCleanupInProgress => "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            StackStatus::UpdateComplete => "UPDATE_COMPLETE",
            StackStatus::UpdateFailed => "UPDATE_FAILED",
            StackStatus::UpdateRollbackInProgress => "UPDATE_ROLLBACK_IN_PROGRESS",
            StackStatus::UpdateRollbackFailed => "UPDATE_ROLLBACK_FAILED",
            StackStatus::UpdateRollbackCompleteCleanupInProgress => "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            StackStatus::UpdateRollbackComplete => "UPDATE_ROLLBACK_COMPLETE",
            StackStatus::ReviewInProgress => "REVIEW_IN_PROGRESS",
            StackStatus::ImportInProgress => "IMPORT_IN_PROGRESS",
            StackStatus::ImportComplete => "IMPORT_COMPLETE",
            StackStatus::ImportRollbackInProgress => "IMPORT_ROLLBACK_IN_PROGRESS",
            StackStatus::ImportRollbackFailed => "IMPORT_ROLLBACK_FAILED",
            StackStatus::ImportRollbackComplete => "IMPORT_ROLLBACK_COMPLETE",
            StackStatus::Unrecognized(text) => text,
        }
    }

    /// Still moving: an operation is running (`REVIEW_IN_PROGRESS` included: it is the state between
    /// `ExecuteChangeSet` and the create).
    pub fn is_in_progress(&self) -> bool {
        match self {
            StackStatus::CreateInProgress
            | StackStatus::RollbackInProgress
            | StackStatus::DeleteInProgress
            | StackStatus::UpdateInProgress
            | StackStatus::UpdateCompleteCleanupInProgress
            | StackStatus::UpdateRollbackInProgress
            | StackStatus::UpdateRollbackCompleteCleanupInProgress
            | StackStatus::ReviewInProgress
            | StackStatus::ImportInProgress
            | StackStatus::ImportRollbackInProgress => true,
            StackStatus::CreateFailed
            | StackStatus::CreateComplete
            | StackStatus::RollbackFailed
            | StackStatus::RollbackComplete
            | StackStatus::DeleteFailed
            | StackStatus::DeleteComplete
            | StackStatus::UpdateComplete
            | StackStatus::UpdateFailed
            | StackStatus::UpdateRollbackFailed
            | StackStatus::UpdateRollbackComplete
            | StackStatus::ImportComplete
            | StackStatus::ImportRollbackFailed
            | StackStatus::ImportRollbackComplete => false,
            // Spelled like the statuses AWS has: judged by its spelling (an unknown settled status is
            // refused by `classify` anyway).
            StackStatus::Unrecognized(text) => text.ends_with("_IN_PROGRESS"),
        }
    }

    /// The last operation did not do what it was started for: the stack was rolled back, or is stuck
    /// in a failed state. `kumo status` explains the root cause of these.
    pub fn is_failure(&self) -> bool {
        match self {
            StackStatus::CreateFailed
            | StackStatus::RollbackFailed
            | StackStatus::RollbackComplete
            | StackStatus::DeleteFailed
            | StackStatus::UpdateFailed
            | StackStatus::UpdateRollbackFailed
            | StackStatus::UpdateRollbackComplete
            | StackStatus::ImportRollbackFailed
            | StackStatus::ImportRollbackComplete => true,
            StackStatus::CreateInProgress
            | StackStatus::CreateComplete
            | StackStatus::RollbackInProgress
            | StackStatus::DeleteInProgress
            | StackStatus::DeleteComplete
            | StackStatus::UpdateInProgress
            | StackStatus::UpdateCompleteCleanupInProgress
            | StackStatus::UpdateComplete
            | StackStatus::UpdateRollbackInProgress
            | StackStatus::UpdateRollbackCompleteCleanupInProgress
            | StackStatus::ReviewInProgress
            | StackStatus::ImportInProgress
            | StackStatus::ImportComplete
            | StackStatus::ImportRollbackInProgress
            | StackStatus::Unrecognized(_) => false,
        }
    }
}

impl fmt::Display for StackStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&SdkStackStatus> for StackStatus {
    fn from(status: &SdkStackStatus) -> StackStatus {
        StackStatus::from_sdk(status)
    }
}

/// What a stack's status allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackState {
    /// No stack by that name (or only a deleted one): create it.
    Absent,
    /// Created by a change set that was never executed; holds no resources. A CREATE change set applies.
    Review,
    /// Settled and updatable (`CREATE_COMPLETE`, `UPDATE_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`,
    /// `IMPORT_COMPLETE`, `IMPORT_ROLLBACK_COMPLETE`).
    Stable,
    /// A create or update failed with rollback disabled (`CREATE_FAILED`, `UPDATE_FAILED`); the stack keeps
    /// what was made and can be updated again to retry (or rolled back).
    FailedNoRollback,
    /// An operation is running (possibly left by an interrupted run): watch it, never start another.
    InProgress,
    /// The first create failed and was rolled back: no resources, cannot be updated; delete then create.
    RollbackComplete,
    /// A create's rollback failed (`ROLLBACK_FAILED`): resources may remain; only delete works.
    RollbackFailed,
    /// A delete failed (`DELETE_FAILED`): some resources could not be deleted.
    DeleteFailed,
    /// An update's rollback failed: `continue-update-rollback` (skipping the stuck resources) is the way out.
    UpdateRollbackFailed,
    /// An import's rollback failed: fix the resources, then import again or delete.
    ImportRollbackFailed,
    /// A status this version of kumo does not know.
    Unrecognized,
}

/// Sorts a status. `None` (no stack) is [`StackState::Absent`].
pub fn classify(status: Option<&StackStatus>) -> StackState {
    let Some(status) = status else {
        return StackState::Absent;
    };
    match status {
        StackStatus::DeleteComplete => StackState::Absent,
        StackStatus::ReviewInProgress => StackState::Review,
        StackStatus::CreateComplete
        | StackStatus::UpdateComplete
        | StackStatus::UpdateRollbackComplete
        | StackStatus::ImportComplete
        | StackStatus::ImportRollbackComplete => StackState::Stable,
        StackStatus::CreateFailed | StackStatus::UpdateFailed => StackState::FailedNoRollback,
        StackStatus::CreateInProgress
        | StackStatus::UpdateInProgress
        | StackStatus::UpdateCompleteCleanupInProgress
        | StackStatus::RollbackInProgress
        | StackStatus::UpdateRollbackInProgress
        | StackStatus::UpdateRollbackCompleteCleanupInProgress
        | StackStatus::DeleteInProgress
        | StackStatus::ImportInProgress
        | StackStatus::ImportRollbackInProgress => StackState::InProgress,
        StackStatus::RollbackComplete => StackState::RollbackComplete,
        StackStatus::RollbackFailed => StackState::RollbackFailed,
        StackStatus::DeleteFailed => StackState::DeleteFailed,
        StackStatus::UpdateRollbackFailed => StackState::UpdateRollbackFailed,
        StackStatus::ImportRollbackFailed => StackState::ImportRollbackFailed,
        StackStatus::Unrecognized(_) => StackState::Unrecognized,
    }
}

/// How a watched operation ended, judged against what it was meant to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
}

/// What an operation that kumo follows was meant to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    /// Resuming an operation started elsewhere: success is any settled, non-failure status.
    Resume,
}

impl Operation {
    pub fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Resume => "resumed operation",
        }
    }
}

/// `None` while the status is still moving; otherwise whether `operation` reached its goal.
/// `REVIEW_IN_PROGRESS` counts as moving: it is the state between `ExecuteChangeSet` and the create.
pub fn outcome(operation: Operation, status: &StackStatus) -> Option<Outcome> {
    if status.is_in_progress() {
        return None;
    }
    let succeeded = match status {
        StackStatus::CreateComplete => matches!(operation, Operation::Create | Operation::Resume),
        StackStatus::UpdateComplete => matches!(operation, Operation::Update | Operation::Resume),
        StackStatus::DeleteComplete => matches!(operation, Operation::Delete | Operation::Resume),
        StackStatus::ImportComplete => operation == Operation::Resume,
        StackStatus::CreateFailed
        | StackStatus::RollbackFailed
        | StackStatus::RollbackComplete
        | StackStatus::DeleteFailed
        | StackStatus::UpdateFailed
        | StackStatus::UpdateRollbackFailed
        | StackStatus::UpdateRollbackComplete
        | StackStatus::ImportRollbackFailed
        | StackStatus::ImportRollbackComplete
        | StackStatus::Unrecognized(_) => false,
        // Moving statuses returned above.
        StackStatus::CreateInProgress
        | StackStatus::RollbackInProgress
        | StackStatus::DeleteInProgress
        | StackStatus::UpdateInProgress
        | StackStatus::UpdateCompleteCleanupInProgress
        | StackStatus::UpdateRollbackInProgress
        | StackStatus::UpdateRollbackCompleteCleanupInProgress
        | StackStatus::ReviewInProgress
        | StackStatus::ImportInProgress
        | StackStatus::ImportRollbackInProgress => return None,
    };
    Some(if succeeded { Outcome::Succeeded } else { Outcome::Failed })
}

/// The operation a running (`*_IN_PROGRESS`) status belongs to, for messages; `None` for a settled
/// status.
pub fn running_operation(status: &StackStatus) -> Option<&'static str> {
    match status {
        StackStatus::CreateInProgress => Some("create"),
        StackStatus::RollbackInProgress => Some("rollback of a failed create"),
        StackStatus::UpdateInProgress | StackStatus::UpdateCompleteCleanupInProgress => Some("update"),
        StackStatus::UpdateRollbackInProgress | StackStatus::UpdateRollbackCompleteCleanupInProgress => {
            Some("rollback of a failed update")
        }
        StackStatus::DeleteInProgress => Some("delete"),
        StackStatus::ImportInProgress => Some("import"),
        StackStatus::ImportRollbackInProgress => Some("rollback of a failed import"),
        StackStatus::ReviewInProgress => Some("change set review"),
        StackStatus::Unrecognized(text) if text.ends_with("_IN_PROGRESS") => Some("operation"),
        StackStatus::CreateFailed
        | StackStatus::CreateComplete
        | StackStatus::RollbackFailed
        | StackStatus::RollbackComplete
        | StackStatus::DeleteFailed
        | StackStatus::DeleteComplete
        | StackStatus::UpdateComplete
        | StackStatus::UpdateFailed
        | StackStatus::UpdateRollbackFailed
        | StackStatus::UpdateRollbackComplete
        | StackStatus::ImportComplete
        | StackStatus::ImportRollbackFailed
        | StackStatus::ImportRollbackComplete
        | StackStatus::Unrecognized(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status the SDK knows converts to a named variant (an SDK update with a new status fails
    /// here), and back to the same spelling; `KNOWN` lists exactly those.
    #[test]
    fn every_sdk_status_is_a_named_variant() {
        let mut known: Vec<&str> = StackStatus::KNOWN.iter().map(StackStatus::as_str).collect();
        known.sort_unstable();
        let mut sdk: Vec<&str> = SdkStackStatus::values().to_vec();
        sdk.sort_unstable();
        assert_eq!(known, sdk, "StackStatus::KNOWN and the SDK's statuses differ");
        for name in SdkStackStatus::values() {
            let status = StackStatus::from_sdk(&SdkStackStatus::from(*name));
            assert!(
                !matches!(status, StackStatus::Unrecognized(_)),
                "{name} has no variant in kumo's StackStatus"
            );
            assert_eq!(status.as_str(), *name);
        }
        assert_eq!(
            StackStatus::from_sdk(&SdkStackStatus::from("SOMETHING_NEW")),
            StackStatus::Unrecognized("SOMETHING_NEW".to_owned())
        );
    }

    /// Every known status has a deliberate branch; none falls through to "unrecognized".
    #[test]
    fn every_known_status_is_classified() {
        for status in &StackStatus::KNOWN {
            assert_ne!(
                classify(Some(status)),
                StackState::Unrecognized,
                "{status} has no branch"
            );
            assert_eq!(
                running_operation(status).is_some(),
                status.is_in_progress(),
                "{status}: running_operation and is_in_progress disagree"
            );
        }
        assert_eq!(
            classify(Some(&StackStatus::Unrecognized("SOMETHING_NEW".to_owned()))),
            StackState::Unrecognized
        );
        assert_eq!(classify(None), StackState::Absent);
    }

    #[test]
    fn in_progress_is_the_spelling() {
        for status in &StackStatus::KNOWN {
            assert_eq!(
                status.is_in_progress(),
                status.as_str().ends_with("_IN_PROGRESS"),
                "{status}"
            );
        }
    }

    #[test]
    fn every_terminal_status_has_an_outcome_and_in_progress_ones_do_not() {
        for status in &StackStatus::KNOWN {
            let result = outcome(Operation::Update, status);
            assert_eq!(result.is_none(), status.is_in_progress(), "{status}");
        }
        assert_eq!(
            outcome(Operation::Create, &StackStatus::CreateComplete),
            Some(Outcome::Succeeded)
        );
        assert_eq!(
            outcome(Operation::Create, &StackStatus::RollbackComplete),
            Some(Outcome::Failed)
        );
        assert_eq!(
            outcome(Operation::Create, &StackStatus::DeleteComplete),
            Some(Outcome::Failed)
        );
        assert_eq!(
            outcome(Operation::Update, &StackStatus::UpdateRollbackComplete),
            Some(Outcome::Failed)
        );
        assert_eq!(
            outcome(Operation::Delete, &StackStatus::DeleteComplete),
            Some(Outcome::Succeeded)
        );
        assert_eq!(
            outcome(Operation::Delete, &StackStatus::DeleteFailed),
            Some(Outcome::Failed)
        );
        assert_eq!(
            outcome(Operation::Resume, &StackStatus::UpdateComplete),
            Some(Outcome::Succeeded)
        );
        assert_eq!(
            outcome(Operation::Resume, &StackStatus::UpdateRollbackComplete),
            Some(Outcome::Failed)
        );
    }
}
