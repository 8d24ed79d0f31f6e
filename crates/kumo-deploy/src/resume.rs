//! Following an operation that kumo did not start in this run (left by an interrupted run, or started
//! by someone else), to its end. Shared by `deploy` and `destroy`.

use std::time::Duration;

use crate::engine::{Deadline, Engine, WatchTarget};
use crate::error::DeployError;
use crate::events::{self, EventCursor};
use crate::stack::StackInfo;
use crate::stack_state::{Operation, Outcome, running_operation};
use crate::ui::{Note, Ui};

/// Follows an operation left running (by an interrupted run, or by someone else). Returns when it
/// succeeded; a failure is reported as such.
pub(crate) async fn resume<U: Ui>(
    engine: &Engine,
    ui: &mut U,
    stack: &StackInfo,
    command: &'static str,
    timeout: Option<Duration>,
) -> Result<(), DeployError> {
    let operation = running_operation(&stack.status).unwrap_or("operation");
    ui.note(Note::ResumingWatch {
        stack: stack.name.clone(),
        status: stack.status.clone(),
        operation,
    });
    let (cursor, history) = EventCursor::from_operation_start(&engine.cfn, &stack.id).await?;
    let expected = count_resources(&history);
    let target = WatchTarget {
        stack_id: stack.id.clone(),
        stack_name: stack.name.clone(),
        operation: Operation::Resume,
        cursor,
        history,
        expected,
        // `--timeout` bounds the wait for someone else's operation too (it is not cancelled: not ours).
        deadline: timeout.and_then(|limit| Deadline::after(engine.clock.now(), limit)),
        command,
    };
    let watched = engine.watch(ui, target).await?;
    match watched.outcome {
        Outcome::Succeeded => {
            ui.note(Note::ResumedOperationFinished {
                stack: stack.name.clone(),
                status: watched.status.clone(),
            });
            Ok(())
        }
        Outcome::Failed => Err(DeployError::Failed(Box::new(
            engine
                .failure_report(&stack.name, &format!("{operation} (resumed)"), &watched)
                .await,
        ))),
    }
}

fn count_resources(events: &[events::StackEvent]) -> usize {
    let mut ids: Vec<&str> = events
        .iter()
        .filter(|e| !e.is_stack())
        .map(|e| e.logical_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}
