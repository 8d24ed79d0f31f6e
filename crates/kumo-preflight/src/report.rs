//! The checklist: one line per check, ✓ / ⚠ / ✗, each ✗ with what to do about it.

use std::fmt;
use std::time::Duration;

use kumo_aws::AwsError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// ✓ the account is ready for this.
    Pass,
    /// ⚠ worth knowing, or could not be checked; the deploy goes ahead.
    Warn,
    /// ✗ the deploy would fail (or do harm); it stops before any change.
    Fail,
}

impl Status {
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Warn => "⚠",
            Status::Fail => "✗",
        }
    }
}

/// One checked thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub status: Status,
    /// What was checked, e.g. `Elastic IP addresses`.
    pub title: String,
    /// What was found.
    pub detail: String,
    /// What to do (always set for ✗).
    pub fix: Option<String>,
    /// The check was cut short by Ctrl-C (its client sends nothing once the run is stopping).
    pub interrupted: bool,
}

impl Item {
    pub fn pass(title: impl Into<String>, detail: impl Into<String>) -> Item {
        Item {
            status: Status::Pass,
            title: title.into(),
            detail: detail.into(),
            fix: None,
            interrupted: false,
        }
    }

    pub fn warn(title: impl Into<String>, detail: impl Into<String>, fix: Option<String>) -> Item {
        Item {
            status: Status::Warn,
            title: title.into(),
            detail: detail.into(),
            fix,
            interrupted: false,
        }
    }

    pub fn fail(title: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Item {
        Item {
            status: Status::Fail,
            title: title.into(),
            detail: detail.into(),
            fix: Some(fix.into()),
            interrupted: false,
        }
    }

    /// ⚠ for a check whose AWS call failed: a missing permission or an endpoint that does not
    /// implement the call must not block a deploy, but the user should know what was not checked.
    pub fn not_checked(title: impl Into<String>, error: &AwsError) -> Item {
        let action = format!("{}:{}", iam_prefix(error.service), error.operation);
        let (detail, fix) = if error.is_access_denied() {
            (
                format!("not checked: the identity may not call {action} ({error})"),
                Some(format!("allow {action} for a complete preflight")),
            )
        } else if error.is_unsupported() {
            (
                format!(
                    "not checked: the endpoint does not implement {} {} ({error})",
                    error.service, error.operation
                ),
                None,
            )
        } else {
            (format!("not checked: {error}"), None)
        };
        let mut item = Item::warn(title, detail, fix);
        item.interrupted = error.kind == kumo_aws::ErrorKind::Interrupted;
        item
    }
}

/// The IAM action prefix of a service id.
fn iam_prefix(service: &str) -> &str {
    match service {
        "EC2" => "ec2",
        "IAM" => "iam",
        "RDS" => "rds",
        "Service Quotas" => "servicequotas",
        "EKS" => "eks",
        "CodeBuild" => "codebuild",
        "CodeConnections" => "codeconnections",
        "CodeStar connections" => "codestar-connections",
        "CloudFormation" => "cloudformation",
        other => other,
    }
}

/// All checks, in a fixed order whatever order they finished in.
#[derive(Clone, Debug, Default)]
pub struct Checklist {
    pub items: Vec<Item>,
    /// Wall time of the whole preflight.
    pub elapsed: Duration,
}

impl Checklist {
    pub fn count(&self, status: Status) -> usize {
        self.items.iter().filter(|i| i.status == status).count()
    }

    pub fn failures(&self) -> usize {
        self.count(Status::Fail)
    }

    pub fn passed(&self) -> bool {
        self.failures() == 0
    }

    /// Ctrl-C stopped at least one check: the checklist is incomplete.
    pub fn interrupted(&self) -> bool {
        self.items.iter().any(|i| i.interrupted)
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.mark(), self.title, self.detail)?;
        if let Some(fix) = &self.fix {
            write!(f, "\n    fix: {fix}")?;
        }
        Ok(())
    }
}
