//! Stack events: reading only the new ones, finding where the current operation began, and telling the
//! root cause of a failure apart from the cascade it triggers.

use std::collections::HashSet;
use std::fmt;
use std::time::SystemTime;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::primitives::{DateTime, DateTimeFormat};

use crate::api_error::{ApiError, ApiResult};
use crate::stack_state::StackStatus;

/// The CloudFormation resource type of a stack itself (stack-level events carry it).
pub const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// One stack event, with the fields kumo reports.
#[derive(Clone, Debug, PartialEq)]
pub struct StackEvent {
    pub id: String,
    pub stack_id: String,
    pub stack_name: String,
    pub timestamp: SystemTime,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    /// The resource status, e.g. `CREATE_IN_PROGRESS`.
    pub status: String,
    pub reason: Option<String>,
}

impl StackEvent {
    pub fn from_sdk(event: &aws_sdk_cloudformation::types::StackEvent) -> StackEvent {
        StackEvent {
            id: event.event_id().unwrap_or_default().to_owned(),
            stack_id: event.stack_id().unwrap_or_default().to_owned(),
            stack_name: event.stack_name().unwrap_or_default().to_owned(),
            timestamp: event
                .timestamp()
                .and_then(|t| SystemTime::try_from(*t).ok())
                .unwrap_or(SystemTime::UNIX_EPOCH),
            logical_id: event.logical_resource_id().unwrap_or_default().to_owned(),
            physical_id: event
                .physical_resource_id()
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
            resource_type: event.resource_type().unwrap_or_default().to_owned(),
            status: event
                .resource_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            reason: event
                .resource_status_reason()
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        }
    }

    /// An event about the stack itself rather than one of its resources.
    pub fn is_stack(&self) -> bool {
        self.resource_type == STACK_TYPE
            && (self.logical_id == self.stack_name || self.physical_id.as_deref() == Some(&self.stack_id))
    }

    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }

    /// A failure CloudFormation reports because *another* resource failed first.
    pub fn is_cancellation(&self) -> bool {
        self.reason.as_deref().is_some_and(|reason| {
            let reason = reason.to_ascii_lowercase();
            reason.starts_with("resource ") && reason.contains(" cancelled")
        })
    }

    /// The event time as `2026-11-25T14:03:11Z`.
    pub fn time_text(&self) -> String {
        format_time(self.timestamp)
    }
}

/// RFC 3339, UTC, whole seconds.
pub fn format_time(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    DateTime::from_secs(seconds as i64)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_else(|_| seconds.to_string())
}

/// Stack-level statuses that begin an operation a user (or kumo) started.
const OPERATION_STARTS: [StackStatus; 4] = [
    StackStatus::CreateInProgress,
    StackStatus::UpdateInProgress,
    StackStatus::DeleteInProgress,
    StackStatus::ImportInProgress,
];

/// The root cause among `events` (chronological): the first resource failure that is not a
/// cancellation. Falls back to the first resource failure, then to the first failed stack-level event.
pub fn root_cause(events: &[StackEvent]) -> Option<StackEvent> {
    let failures = || events.iter().filter(|e| e.is_failure());
    failures()
        .find(|e| !e.is_stack() && !e.is_cancellation())
        .or_else(|| failures().find(|e| !e.is_stack()))
        .or_else(|| failures().next())
        .cloned()
}

/// Independent failures after the root cause (cancellations and stack-level summaries left out).
pub fn other_failures(events: &[StackEvent], root: &StackEvent) -> Vec<StackEvent> {
    events
        .iter()
        .filter(|e| e.is_failure() && !e.is_stack() && !e.is_cancellation() && e.id != root.id)
        .cloned()
        .collect()
}

/// Resources that failed in the last phase that started with a stack-level `phase_status` event (e.g.
/// `UPDATE_ROLLBACK_IN_PROGRESS` or `DELETE_IN_PROGRESS`): what blocks the rollback or the delete.
pub fn blockers_since(events: &[StackEvent], phase_status: &StackStatus) -> Vec<StackEvent> {
    let start = events
        .iter()
        .rposition(|e| e.is_stack() && e.status == phase_status.as_str())
        .map_or(0, |i| i + 1);
    let mut seen = HashSet::new();
    let mut blockers: Vec<StackEvent> = events[start..]
        .iter()
        .rev()
        .filter(|e| e.is_failure() && !e.is_stack() && seen.insert(e.logical_id.clone()))
        .cloned()
        .collect();
    blockers.reverse();
    blockers
}

/// Reads a stack's events incrementally. `DescribeStackEvents` pages newest-first; the cursor stops
/// paging at the first event it has already seen, so each poll costs one call in the common case.
#[derive(Debug)]
pub struct EventCursor {
    stack: String,
    seen: HashSet<String>,
}

/// Bounds the pages read per poll, so a stack with a very long history cannot stall a poll.
const MAX_PAGES: usize = 20;

impl EventCursor {
    /// A cursor for which every event already in the history counts as seen: the next poll returns only
    /// what happens after now. `stack` should be the stack id (ARN), which keeps working after deletion.
    pub async fn after_latest(client: &Client, stack: &str) -> Result<EventCursor, ApiError> {
        let mut cursor = EventCursor {
            stack: stack.to_owned(),
            seen: HashSet::new(),
        };
        let page = client
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
            .api("DescribeStackEvents")?;
        // Marking the newest page is enough: a later poll stops at the first id it has seen.
        for event in page.stack_events() {
            cursor.seen.insert(event.event_id().unwrap_or_default().to_owned());
        }
        Ok(cursor)
    }

    /// A cursor positioned at the start of the operation now running (or last run): returns it together
    /// with that operation's events so far, chronological. Used to resume watching after an interrupted
    /// run, and to explain a failed state.
    pub async fn from_operation_start(
        client: &Client,
        stack: &str,
    ) -> Result<(EventCursor, Vec<StackEvent>), ApiError> {
        let mut newest_first = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let page = client
                .describe_stack_events()
                .stack_name(stack)
                .set_next_token(token)
                .send()
                .await
                .api("DescribeStackEvents")?;
            let mut found_start = false;
            for event in page.stack_events() {
                let event = StackEvent::from_sdk(event);
                let is_start = event.is_stack() && OPERATION_STARTS.iter().any(|start| event.status == start.as_str());
                newest_first.push(event);
                if is_start {
                    found_start = true;
                    break;
                }
            }
            token = page.next_token().map(str::to_owned);
            if found_start || token.is_none() {
                break;
            }
        }
        let seen = newest_first.iter().map(|e| e.id.clone()).collect();
        newest_first.reverse();
        Ok((
            EventCursor {
                stack: stack.to_owned(),
                seen,
            },
            newest_first,
        ))
    }

    /// Events that appeared since the last poll, oldest first.
    pub async fn poll(&mut self, client: &Client) -> Result<Vec<StackEvent>, ApiError> {
        let mut fresh = Vec::new();
        let mut token = None;
        'pages: for _ in 0..MAX_PAGES {
            let page = client
                .describe_stack_events()
                .stack_name(&self.stack)
                .set_next_token(token)
                .send()
                .await
                .api("DescribeStackEvents")?;
            for event in page.stack_events() {
                if self.seen.contains(event.event_id().unwrap_or_default()) {
                    break 'pages;
                }
                fresh.push(StackEvent::from_sdk(event));
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        for event in &fresh {
            self.seen.insert(event.id.clone());
        }
        fresh.reverse();
        Ok(fresh)
    }
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

/// Follows a root cause into nested stacks: when the failing resource is itself a stack, the real
/// failure is inside it. Bounded depth; a nested stack that cannot be read keeps the outer cause.
pub async fn drill_into_nested(client: &Client, cause: StackEvent) -> RootCause {
    let mut current = RootCause {
        event: cause,
        nested_path: Vec::new(),
    };
    for _ in 0..3 {
        let event = &current.event;
        let Some(nested_id) = event
            .physical_id
            .clone()
            .filter(|id| event.resource_type == STACK_TYPE && id.starts_with("arn:"))
        else {
            break;
        };
        let Ok((_, events)) = EventCursor::from_operation_start(client, &nested_id).await else {
            break;
        };
        let Some(inner) = root_cause(&events) else { break };
        if inner.is_stack() {
            break;
        }
        current.nested_path.push(event.logical_id.clone());
        current.event = inner;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn event(n: u64, logical: &str, kind: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent {
            id: format!("e{n}"),
            stack_id: "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/app/1".into(),
            stack_name: "app".into(),
            timestamp: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(n),
            logical_id: logical.into(),
            physical_id: None,
            resource_type: kind.into(),
            status: status.into(),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn the_root_cause_is_the_first_real_failure_not_the_cancellations() {
        let events = vec![
            event(1, "app", STACK_TYPE, "CREATE_IN_PROGRESS", Some("User Initiated")),
            event(2, "Cluster", "AWS::EKS::Cluster", "CREATE_IN_PROGRESS", None),
            event(3, "Db", "AWS::RDS::DBCluster", "CREATE_IN_PROGRESS", None),
            event(
                4,
                "Cluster",
                "AWS::EKS::Cluster",
                "CREATE_FAILED",
                Some("Resource creation cancelled"),
            ),
            event(
                5,
                "Db",
                "AWS::RDS::DBCluster",
                "CREATE_FAILED",
                Some("Cannot find version 99 for aurora-postgresql"),
            ),
            event(
                6,
                "app",
                STACK_TYPE,
                "ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to create: [Db, Cluster]."),
            ),
            event(7, "Db", "AWS::RDS::DBCluster", "DELETE_FAILED", Some("still in use")),
            event(8, "app", STACK_TYPE, "ROLLBACK_FAILED", None),
        ];
        let root = root_cause(&events).unwrap();
        assert_eq!(root.logical_id, "Db");
        assert_eq!(root.status, "CREATE_FAILED");
        let others = other_failures(&events, &root);
        assert_eq!(others.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["e7"]);
        assert_eq!(blockers_since(&events, &StackStatus::RollbackInProgress).len(), 1);
    }

    #[test]
    fn stack_level_failure_is_the_fallback() {
        let events = vec![
            event(1, "app", STACK_TYPE, "UPDATE_IN_PROGRESS", None),
            event(
                2,
                "app",
                STACK_TYPE,
                "UPDATE_FAILED",
                Some("Parameter validation failed"),
            ),
        ];
        assert_eq!(
            root_cause(&events).unwrap().reason.as_deref(),
            Some("Parameter validation failed")
        );
        assert!(root_cause(&events[..1]).is_none());
    }

    #[test]
    fn times_are_rfc3339_seconds() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_764_079_391_750);
        assert_eq!(format_time(t), "2025-11-25T14:03:11Z");
    }
}
