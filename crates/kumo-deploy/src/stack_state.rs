//! The state machine's vocabulary: every CloudFormation stack status, sorted into what kumo may do with
//! a stack in it. The match below is exhaustive over the statuses the SDK knows; a status added by AWS
//! later lands in [`StackState::Unrecognized`] and kumo refuses to act rather than guess.

use aws_sdk_cloudformation::types::StackStatus;

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
        _ => StackState::Unrecognized,
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
    if status.as_str().ends_with("_IN_PROGRESS") {
        return None;
    }
    let succeeded = match operation {
        Operation::Create => matches!(status, StackStatus::CreateComplete),
        Operation::Update => matches!(status, StackStatus::UpdateComplete),
        Operation::Delete => matches!(status, StackStatus::DeleteComplete),
        Operation::Resume => matches!(
            status,
            StackStatus::CreateComplete
                | StackStatus::UpdateComplete
                | StackStatus::ImportComplete
                | StackStatus::DeleteComplete
        ),
    };
    Some(if succeeded { Outcome::Succeeded } else { Outcome::Failed })
}

/// The operation a running (`*_IN_PROGRESS`) status belongs to, for messages and for choosing whether
/// a resumed watch may continue into a deploy.
pub fn running_operation(status: &StackStatus) -> &'static str {
    match status {
        StackStatus::CreateInProgress => "create",
        StackStatus::RollbackInProgress => "rollback of a failed create",
        StackStatus::UpdateInProgress | StackStatus::UpdateCompleteCleanupInProgress => "update",
        StackStatus::UpdateRollbackInProgress | StackStatus::UpdateRollbackCompleteCleanupInProgress => {
            "rollback of a failed update"
        }
        StackStatus::DeleteInProgress => "delete",
        StackStatus::ImportInProgress => "import",
        StackStatus::ImportRollbackInProgress => "rollback of a failed import",
        StackStatus::ReviewInProgress => "change set review",
        _ => "operation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status the SDK knows has a deliberate branch; none falls through to "unrecognized".
    #[test]
    fn every_known_status_is_classified() {
        for name in StackStatus::values() {
            let status = StackStatus::from(*name);
            assert_ne!(
                classify(Some(&status)),
                StackState::Unrecognized,
                "{name} has no branch"
            );
        }
        assert_eq!(
            classify(Some(&StackStatus::from("SOMETHING_NEW"))),
            StackState::Unrecognized
        );
        assert_eq!(classify(None), StackState::Absent);
    }

    #[test]
    fn every_terminal_status_has_an_outcome_and_in_progress_ones_do_not() {
        for name in StackStatus::values() {
            let status = StackStatus::from(*name);
            let result = outcome(Operation::Update, &status);
            assert_eq!(result.is_none(), name.ends_with("_IN_PROGRESS"), "{name}");
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
