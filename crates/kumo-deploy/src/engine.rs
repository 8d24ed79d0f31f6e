//! The engine: the AWS clients plus the clock, the interrupt flag and the timing options the flows share,
//! and the watch loop that follows an operation to its terminal status.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{StackStatus, TemplateStage};

use crate::advice;
use crate::clock::{Clock, SystemClock};
use crate::error::{ApiError, ApiResult, DeployError, FailureReport, Interruption};
use crate::events::{self, EventCursor, StackEvent};
use crate::interrupt::Interrupt;
use crate::progress::Progress;
use crate::stack::{self, StackInfo};
use crate::staging::Staging;
use crate::status::{Operation, Outcome, outcome};
use crate::template::TemplateDoc;
use crate::ui::{Note, Ui};

/// Timing knobs. The defaults suit real AWS; tests shorten nothing (they use a manual clock instead).
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Between two polls of a running stack operation (CloudFormation's own console polls about as often).
    pub poll_interval: Duration,
    /// Between two polls of a change set being created (usually ready in seconds).
    pub change_set_poll_interval: Duration,
    /// Give up on a change set that is not ready after this long.
    pub change_set_wait_limit: Duration,
    /// Consecutive failed polls (throttling, timeouts, 5xx, after the SDK's own retries) tolerated while
    /// watching before giving up; the operation itself keeps running either way.
    pub poll_failure_limit: u32,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            poll_interval: Duration::from_secs(5),
            change_set_poll_interval: Duration::from_secs(2),
            change_set_wait_limit: Duration::from_secs(15 * 60),
            poll_failure_limit: 5,
        }
    }
}

/// Everything a flow needs to talk to CloudFormation. Built by the caller from clients it configured
/// (credentials, region, endpoint, retries, timeouts), so tests can pass mocked clients.
pub struct Engine {
    pub(crate) cfn: Client,
    pub(crate) staging: Option<Staging>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) options: EngineOptions,
    pub(crate) interrupt: Interrupt,
}

impl Engine {
    pub fn new(cfn: Client) -> Self {
        Engine {
            cfn,
            staging: None,
            clock: Arc::new(SystemClock),
            options: EngineOptions::default(),
            interrupt: Interrupt::new(),
        }
    }

    /// Enables templates over the inline limit (S3 + STS clients, optional fixed bucket).
    pub fn with_staging(mut self, staging: Staging) -> Self {
        self.staging = Some(staging);
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_options(mut self, options: EngineOptions) -> Self {
        self.options = options;
        self
    }

    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = interrupt;
        self
    }

    pub fn client(&self) -> &Client {
        &self.cfn
    }

    pub fn interrupt(&self) -> &Interrupt {
        &self.interrupt
    }

    pub async fn describe(&self, stack: &str) -> Result<Option<StackInfo>, ApiError> {
        stack::describe(&self.cfn, stack).await
    }

    /// The template the stack was deployed with, as written (`Original` stage). `None` if it cannot be
    /// parsed, in which case diffs treat everything as new (over-reporting rather than hiding changes).
    pub(crate) async fn deployed_template(&self, stack: &StackInfo) -> Result<Option<TemplateDoc>, ApiError> {
        let output = self
            .cfn
            .get_template()
            .stack_name(&stack.id)
            .template_stage(TemplateStage::Original)
            .send()
            .await
            .api("GetTemplate")?;
        Ok(output
            .template_body()
            .and_then(|body| TemplateDoc::from_deployed(body, &stack.name).ok()))
    }

    /// A unique, valid change set name / request token, readable in the console.
    pub(crate) fn token(&self, purpose: &str) -> String {
        let now = self
            .clock
            .now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        format!("kumo-{purpose}-{}-{:09}", now.as_secs(), now.subsec_nanos())
    }

    /// Follows an operation until the stack reaches a terminal status.
    pub(crate) async fn watch<U: Ui>(&self, ui: &mut U, mut target: WatchTarget) -> Result<Watched, DeployError> {
        let mut progress = Progress::new(target.expected);
        for event in &target.history {
            progress.apply(event);
        }
        let mut events = std::mem::take(&mut target.history);
        ui.watch_started(&target.stack_name, target.operation, &progress);
        let mut failures = 0u32;
        let mut cancelled = false;
        loop {
            let polled = self.poll_once(&target.stack_id, &mut target.cursor).await;
            let (stack, fresh) = match polled {
                Ok(result) => {
                    failures = 0;
                    result
                }
                Err(error) if error.is_transient() && failures + 1 < self.options.poll_failure_limit => {
                    failures += 1;
                    ui.note(Note::PollRetry {
                        error: error.to_string(),
                        attempt: failures,
                        limit: self.options.poll_failure_limit,
                    });
                    let backoff = self.options.poll_interval.saturating_mul(2u32.pow(failures.min(4)));
                    self.sleep_or_interrupt(backoff, &target, "UNKNOWN").await?;
                    continue;
                }
                // A poll refused because of the interrupt (or failed meanwhile) ends the watch as an
                // interrupt: the operation continues, and the resume hint applies.
                Err(_) if self.interrupt.is_triggered() => {
                    return Err(DeployError::Interrupted(Interruption::Watching {
                        stack: target.stack_name.clone(),
                        status: "IN_PROGRESS".to_owned(),
                        command: target.command,
                    }));
                }
                Err(error) => return Err(error.into()),
            };
            for event in fresh {
                progress.apply(&event);
                ui.event(&event, &progress);
                events.push(event);
            }
            // A stack that cannot be read any more by its id is gone: deleted.
            let status = stack
                .as_ref()
                .map(|s| s.status.clone())
                .unwrap_or(StackStatus::DeleteComplete);
            if let Some(result) = outcome(target.operation, &status) {
                ui.watch_finished(&progress, status.as_str());
                return Ok(Watched {
                    status,
                    outcome: result,
                    stack,
                    events,
                });
            }
            if let Some(deadline) = target.deadline
                && !cancelled
                && self.clock.now() >= deadline.at
            {
                match (target.operation, &status) {
                    (Operation::Update, StackStatus::UpdateInProgress) => {
                        ui.note(Note::CancellingUpdate {
                            stack: target.stack_name.clone(),
                            minutes: deadline.limit.as_secs() / 60,
                        });
                        self.cfn
                            .cancel_update_stack()
                            .stack_name(&target.stack_id)
                            .client_request_token(self.token("cancel"))
                            .send()
                            .await
                            .api("CancelUpdateStack")?;
                        cancelled = true;
                    }
                    // Past the point of no return (cleanup or rollback already running): let it finish.
                    (Operation::Update, _) => cancelled = true,
                    _ => {
                        return Err(DeployError::TimedOut {
                            stack: target.stack_name.clone(),
                            operation: target.operation.verb(),
                            limit: deadline.limit,
                        });
                    }
                }
            }
            ui.tick(&progress, self.clock.now());
            self.sleep_or_interrupt(self.options.poll_interval, &target, status.as_str())
                .await?;
        }
    }

    async fn poll_once(
        &self,
        stack_id: &str,
        cursor: &mut EventCursor,
    ) -> Result<(Option<StackInfo>, Vec<StackEvent>), ApiError> {
        // Status first, then events: if the status is terminal, the events read after it include
        // everything up to it.
        let stack = stack::describe(&self.cfn, stack_id).await?;
        let fresh = match cursor.poll(&self.cfn).await {
            Ok(fresh) => fresh,
            Err(error) if stack.is_none() && error.is_stack_not_found() => Vec::new(),
            Err(error) => return Err(error),
        };
        Ok((stack, fresh))
    }

    async fn sleep_or_interrupt(
        &self,
        duration: Duration,
        target: &WatchTarget,
        status: &str,
    ) -> Result<(), DeployError> {
        tokio::select! {
            biased;
            () = self.interrupt.triggered() => Err(DeployError::Interrupted(Interruption::Watching {
                stack: target.stack_name.clone(),
                status: status.to_owned(),
                command: target.command,
            })),
            () = self.clock.sleep(duration) => Ok(()),
        }
    }

    /// Turns a failed watch into a report: root cause (followed into nested stacks), other independent
    /// failures, what blocks a rollback or delete, and what to do.
    pub(crate) async fn failure_report(&self, name: &str, operation: &str, watched: &Watched) -> FailureReport {
        let root = match events::root_cause(&watched.events) {
            Some(event) => Some(events::drill_into_nested(&self.cfn, event).await),
            None => None,
        };
        let other_failures = root
            .as_ref()
            .map(|r| events::other_failures(&watched.events, &r.event))
            .unwrap_or_default();
        let blockers = advice::blockers(&watched.status, &watched.events);
        FailureReport {
            stack: name.to_owned(),
            operation: operation.to_owned(),
            final_status: watched.status.as_str().to_owned(),
            hint: advice::after_failure(&watched.status, name, &blockers),
            root_cause: root,
            other_failures,
            blockers,
            status_reason: watched.stack.as_ref().and_then(|s| s.status_reason.clone()),
        }
    }
}

/// What to follow.
pub(crate) struct WatchTarget {
    pub stack_id: String,
    pub stack_name: String,
    pub operation: Operation,
    pub cursor: EventCursor,
    /// Events of this operation already read (when resuming), replayed into the progress first.
    pub history: Vec<StackEvent>,
    /// Resources the operation is expected to touch.
    pub expected: usize,
    pub deadline: Option<Deadline>,
    /// The command that resumes watching, for the Ctrl-C message.
    pub command: &'static str,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    pub at: SystemTime,
    pub limit: Duration,
}

impl Deadline {
    /// `limit` after `start`; `None` when that instant is beyond what the clock can represent (a limit
    /// that large never expires anyway).
    pub fn after(start: SystemTime, limit: Duration) -> Option<Deadline> {
        Some(Deadline {
            at: start.checked_add(limit)?,
            limit,
        })
    }
}

/// A finished watch.
#[derive(Debug)]
pub(crate) struct Watched {
    pub status: StackStatus,
    pub outcome: Outcome,
    /// The stack at the end; `None` once deleted.
    pub stack: Option<StackInfo>,
    /// Every event of the operation, oldest first.
    pub events: Vec<StackEvent>,
}
