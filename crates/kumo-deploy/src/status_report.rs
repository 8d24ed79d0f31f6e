//! `kumo status`: a read-only report of a stack: status, drift, last events, root cause, next step.

use crate::advice;
use crate::engine::Engine;
use crate::error::DeployError;
use crate::events::{self, EventCursor, RootCause, StackEvent};
use crate::params;
use crate::stack::StackInfo;
use crate::stack_state::StackState;

/// Everything `kumo status` shows.
#[derive(Clone, Debug)]
pub struct StatusReport {
    pub stack: StackInfo,
    pub state: StackState,
    /// The most recent events, oldest first.
    pub recent_events: Vec<StackEvent>,
    /// For a failed last operation: its first real failure.
    pub root_cause: Option<RootCause>,
    /// What to do next, when something needs doing.
    pub advice: Option<String>,
}

/// Reads the stack, its last operation's events and what they mean. `None`: no such stack.
pub async fn status(
    engine: &Engine,
    stack_name: &str,
    last_events: usize,
) -> Result<Option<StatusReport>, DeployError> {
    params::check_stack_name(stack_name)?;
    let Some(stack) = engine.describe(stack_name).await? else {
        return Ok(None);
    };
    let state = stack.state();
    let (_, operation_events) = EventCursor::from_operation_start(&engine.cfn, &stack.id).await?;
    let failed = stack.status.is_failure();
    let root_cause = match events::root_cause(&operation_events).filter(|_| failed) {
        Some(event) => Some(events::drill_into_nested(&engine.cfn, event).await),
        None => None,
    };
    let advice = match state {
        StackState::InProgress => Some(format!(
            "an operation is running; `kumo deploy` (or `kumo destroy` for a delete) follows it to the end without \
             starting another; `kumo status --stack-name {stack_name}` shows this again"
        )),
        StackState::Review => {
            Some("a change set was created but never executed; `kumo deploy` creates a fresh one".to_owned())
        }
        StackState::Absent
        | StackState::Stable
        | StackState::FailedNoRollback
        | StackState::RollbackComplete
        | StackState::RollbackFailed
        | StackState::DeleteFailed
        | StackState::UpdateRollbackFailed
        | StackState::ImportRollbackFailed
        | StackState::Unrecognized => failed.then(|| {
            let blockers = advice::blockers(&stack.status, &operation_events);
            advice::after_failure(&stack.status, stack_name, &blockers)
        }),
    };
    let skip = operation_events.len().saturating_sub(last_events);
    let mut recent_events: Vec<StackEvent> = operation_events.into_iter().skip(skip).collect();
    if recent_events.len() < last_events {
        // The last operation had few events: fill up from the newest page of the history.
        let page = engine.cfn.describe_stack_events().stack_name(&stack.id).send().await;
        if let Ok(page) = page {
            let mut older: Vec<StackEvent> = page
                .stack_events()
                .iter()
                .map(StackEvent::from_sdk)
                .filter(|e| !recent_events.iter().any(|r| r.id == e.id))
                .collect();
            older.truncate(last_events - recent_events.len());
            older.reverse();
            older.extend(recent_events);
            recent_events = older;
        }
    }
    Ok(Some(StatusReport {
        stack,
        state,
        recent_events,
        root_cause,
        advice,
    }))
}
