//! Progress of an operation, rebuilt from its events: resources done out of the total expected, and
//! those in progress with the time they started (for elapsed-time display).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::events::StackEvent;

#[derive(Clone, Debug)]
pub struct Progress {
    expected: usize,
    resources: BTreeMap<String, ResourceProgress>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceProgress {
    pub resource_type: String,
    pub status: String,
    /// When the current status began (for `*_IN_PROGRESS`: when the work started).
    pub since: SystemTime,
}

/// A resource still being worked on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Active<'a> {
    pub logical_id: &'a str,
    pub resource_type: &'a str,
    pub status: &'a str,
    pub since: SystemTime,
}

impl Active<'_> {
    pub fn elapsed(&self, now: SystemTime) -> Duration {
        now.duration_since(self.since).unwrap_or_default()
    }
}

impl Progress {
    /// `expected`: how many resources the operation touches (change set size, or stack size for a delete).
    pub fn new(expected: usize) -> Self {
        Progress {
            expected,
            resources: BTreeMap::new(),
        }
    }

    /// Folds one event in. Stack-level events do not count as resources.
    pub fn apply(&mut self, event: &StackEvent) {
        if event.is_stack() || event.logical_id.is_empty() {
            return;
        }
        let entry = self
            .resources
            .entry(event.logical_id.clone())
            .or_insert_with(|| ResourceProgress {
                resource_type: event.resource_type.clone(),
                status: String::new(),
                since: event.timestamp,
            });
        // Repeated IN_PROGRESS events (e.g. "Eventual consistency check initiated") keep the start time.
        if !(entry.status == event.status && event.status.ends_with("_IN_PROGRESS")) {
            entry.since = event.timestamp;
        }
        entry.status = event.status.clone();
    }

    /// Resources that reached a settled status (complete, failed or skipped).
    pub fn done(&self) -> usize {
        self.resources
            .values()
            .filter(|r| !r.status.ends_with("_IN_PROGRESS"))
            .count()
    }

    pub fn failed(&self) -> usize {
        self.resources
            .values()
            .filter(|r| r.status.ends_with("_FAILED"))
            .count()
    }

    /// The expected count, raised if more resources showed up (a rollback touches extra ones).
    pub fn total(&self) -> usize {
        self.expected.max(self.resources.len())
    }

    /// Resources in progress, longest-running first.
    pub fn active(&self) -> Vec<Active<'_>> {
        let mut active: Vec<Active<'_>> = self
            .resources
            .iter()
            .filter(|(_, r)| r.status.ends_with("_IN_PROGRESS"))
            .map(|(id, r)| Active {
                logical_id: id,
                resource_type: &r.resource_type,
                status: &r.status,
                since: r.since,
            })
            .collect();
        active.sort_by_key(|a| a.since);
        active
    }

    pub fn resource(&self, logical_id: &str) -> Option<&ResourceProgress> {
        self.resources.get(logical_id)
    }
}

/// `1h02m`, `12m05s`, `7s`.
pub fn format_elapsed(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(t: u64, logical: &str, status: &str) -> StackEvent {
        StackEvent {
            id: format!("{logical}-{t}"),
            stack_id: "arn:stack/app/1".into(),
            stack_name: "app".into(),
            timestamp: SystemTime::UNIX_EPOCH + Duration::from_secs(t),
            logical_id: logical.into(),
            physical_id: None,
            resource_type: if logical == "app" {
                crate::events::STACK_TYPE
            } else {
                "AWS::X::Y"
            }
            .into(),
            status: status.into(),
            reason: None,
        }
    }

    #[test]
    fn counts_done_and_in_progress_with_start_times() {
        let mut p = Progress::new(3);
        for e in [
            event(0, "app", "CREATE_IN_PROGRESS"),
            event(1, "A", "CREATE_IN_PROGRESS"),
            event(2, "B", "CREATE_IN_PROGRESS"),
            event(3, "A", "CREATE_IN_PROGRESS"),
            event(9, "B", "CREATE_COMPLETE"),
        ] {
            p.apply(&e);
        }
        assert_eq!((p.done(), p.total()), (1, 3));
        let active = p.active();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].logical_id, "A");
        assert_eq!(
            active[0].elapsed(SystemTime::UNIX_EPOCH + Duration::from_secs(61)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn elapsed_is_compact() {
        assert_eq!(format_elapsed(Duration::from_secs(7)), "7s");
        assert_eq!(format_elapsed(Duration::from_secs(725)), "12m05s");
        assert_eq!(format_elapsed(Duration::from_secs(3720)), "1h02m");
    }
}
