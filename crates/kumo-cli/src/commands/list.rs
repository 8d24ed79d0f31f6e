//! `kumo list`: the kumo-managed stacks of the region (or of every enabled region), each with its
//! environment, status, last change, age and whether a DNS zone is kept for it. Stacks kept for an
//! environment (its DNS stack) are shown on that environment's line, also once it is destroyed.

use std::process::ExitCode;
use std::time::SystemTime;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use kumo_aws::services::cloudformation::{self, StackSummary};
use kumo_aws::services::ec2;
use kumo_core::app::{ENV_TAG, KEPT_FOR_TAG, REAPER_FOR_TAG};
use serde_json::json;

use crate::aws_env;
use crate::cli::ListArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::project::ProjectOptions;

/// The tag kumo puts on every stack it deploys (see kumo-deploy's ownership rules).
const MANAGED_BY: (&str, &str) = ("kumo:managed-by", "kumo");

/// One environment's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub region: String,
    pub stack: String,
    pub env: Option<String>,
    /// The stack's status; `None` when only the kept DNS stack remains (the environment is destroyed).
    pub status: Option<String>,
    pub last_change: Option<String>,
    pub created: Option<String>,
    /// The DNS stack kept for it, if any.
    pub dns_kept: Option<String>,
    /// Its time-to-live (`KumoExpiry`: an instant or `off`), if it has one.
    pub expires: Option<String>,
}

/// Groups kumo's stacks of one region into environment lines (foreign stacks are left out).
pub fn rows(region: &str, stacks: &[StackSummary]) -> Vec<Row> {
    let ours: Vec<&StackSummary> = stacks
        .iter()
        .filter(|s| s.tag(MANAGED_BY.0) == Some(MANAGED_BY.1))
        .collect();
    let kept_for = |name: &str| {
        ours.iter()
            .find(|s| s.tag(KEPT_FOR_TAG) == Some(name))
            .map(|s| s.name.clone())
    };
    // A stack's time-to-live is its reaper stack's `KumoExpiry`.
    let expires = |name: &str| {
        ours.iter()
            .find(|s| s.tag(REAPER_FOR_TAG) == Some(name))
            .and_then(|s| s.parameter(kumo_teardown::reaper::EXPIRY_PARAMETER))
            .map(str::to_owned)
    };
    let mut rows: Vec<Row> = ours
        .iter()
        .filter(|s| s.tag(KEPT_FOR_TAG).is_none() && s.tag(REAPER_FOR_TAG).is_none())
        .map(|s| Row {
            region: region.to_owned(),
            stack: s.name.clone(),
            env: s.tag(ENV_TAG).map(str::to_owned),
            status: Some(s.status.clone()),
            last_change: Some(s.last_updated.clone().unwrap_or_else(|| s.created.clone())),
            created: Some(s.created.clone()),
            dns_kept: kept_for(&s.name),
            expires: expires(&s.name),
        })
        .collect();
    // A DNS stack whose environment is gone: the environment is destroyed, its zone kept.
    for dns in ours.iter().filter(|s| s.tag(KEPT_FOR_TAG).is_some()) {
        let main = dns.tag(KEPT_FOR_TAG).unwrap_or_default();
        if !rows.iter().any(|r| r.stack == main) {
            rows.push(Row {
                region: region.to_owned(),
                stack: main.to_owned(),
                env: dns.tag(ENV_TAG).map(str::to_owned),
                status: None,
                last_change: Some(dns.last_updated.clone().unwrap_or_else(|| dns.created.clone())),
                created: None,
                dns_kept: Some(dns.name.clone()),
                expires: None,
            });
        }
    }
    rows.sort_by(|a, b| (&a.region, &a.stack).cmp(&(&b.region, &b.stack)));
    rows
}

pub fn run(_config: &ProjectOptions, args: &ListArgs) -> Result<ExitCode, CliError> {
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, None).await?;
        let client = aws_env::aws_client(&session)?;
        let regions = if args.all_regions {
            ec2::enabled_regions(&client).await.map_err(|e| {
                CliError::new(format!("cannot list the regions: {e}")).hint("list one region with --region")
            })?
        } else {
            vec![session.region.clone()]
        };
        let mut all = Vec::new();
        for region in &regions {
            let client = if *region == session.region {
                client.clone()
            } else {
                aws_env::aws_client_in(&session, region)?
            };
            let stacks = cloudformation::describe_stacks(&client)
                .await
                .map_err(|e| CliError::new(format!("cannot list the stacks of {region}: {e}")))?;
            all.extend(rows(region, &stacks));
        }
        let now = SystemTime::now();
        if args.json {
            let items: Vec<_> = all
                .iter()
                .map(|r| {
                    json!({
                        "region": r.region,
                        "stack": r.stack,
                        "env": r.env,
                        "status": r.status.clone().unwrap_or_else(|| "DESTROYED".to_owned()),
                        "lastChange": r.last_change,
                        "created": r.created,
                        "ageSeconds": r.created.as_deref().and_then(|c| seconds_since(c, now)),
                        "dnsKept": r.dns_kept,
                        "expires": r.expires,
                    })
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json!({ "environments": items })).unwrap_or_default()
            );
            return Ok(ExitCode::SUCCESS);
        }
        if all.is_empty() {
            outln!("no kumo environment in {}", regions.join(", "));
            return Ok(ExitCode::SUCCESS);
        }
        let table: Vec<[String; 8]> = all
            .iter()
            .map(|r| {
                [
                    r.stack.clone(),
                    r.env.clone().unwrap_or_else(|| "-".to_owned()),
                    r.region.clone(),
                    r.status.clone().unwrap_or_else(|| "destroyed".to_owned()),
                    r.last_change
                        .as_deref()
                        .map(|t| ago(t, now))
                        .unwrap_or_else(|| "-".to_owned()),
                    r.created
                        .as_deref()
                        .map(|t| ago(t, now))
                        .unwrap_or_else(|| "-".to_owned()),
                    r.dns_kept
                        .as_deref()
                        .map_or_else(|| "no".to_owned(), |d| format!("kept ({d})")),
                    r.expires.clone().unwrap_or_else(|| "-".to_owned()),
                ]
            })
            .collect();
        let header = [
            "STACK",
            "ENV",
            "REGION",
            "STATUS",
            "LAST CHANGE",
            "AGE",
            "DNS ZONE",
            "EXPIRES",
        ]
        .map(str::to_owned);
        // The EXPIRES column only when an environment has a time-to-live.
        let columns = if all.iter().any(|r| r.expires.is_some()) { 8 } else { 7 };
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                table
                    .iter()
                    .chain([&header])
                    .map(|row| row[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in [&header].into_iter().chain(table.iter()) {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            outln!("{}", cells.join("  ").trim_end());
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn seconds_since(iso: &str, now: SystemTime) -> Option<u64> {
    let time = SystemTime::try_from(DateTime::from_str(iso, Format::DateTime).ok()?).ok()?;
    now.duration_since(time).ok().map(|d| d.as_secs())
}

/// `3d 4h ago`, `12m ago`; the text itself if it does not parse.
fn ago(iso: &str, now: SystemTime) -> String {
    let Some(seconds) = seconds_since(iso, now) else {
        return iso.to_owned();
    };
    let (d, h, m) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => "just now".to_owned(),
        (0, 0, m) => format!("{m}m ago"),
        (0, h, m) => format!("{h}h {m}m ago"),
        (d, h, _) => format!("{d}d {h}h ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(name: &str, tags: &[(&str, &str)]) -> StackSummary {
        StackSummary {
            name: name.to_owned(),
            status: "CREATE_COMPLETE".to_owned(),
            created: "2026-11-30T10:00:00Z".to_owned(),
            last_updated: None,
            parameters: Vec::new(),
            tags: tags.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn environments_group_their_dns_stack_and_foreign_stacks_are_left_out() {
        let managed = ("kumo:managed-by", "kumo");
        let stacks = [
            stack("App-dev", &[managed, ("kumo:env", "dev")]),
            stack(
                "App-dev-dns",
                &[managed, ("kumo:env", "dev"), ("kumo:kept-for", "App-dev")],
            ),
            stack(
                "App-qa-dns",
                &[managed, ("kumo:env", "qa"), ("kumo:kept-for", "App-qa")],
            ),
            stack("Foreign", &[]),
        ];
        let rows = rows("eu-west-1", &stacks);
        let summary: Vec<(&str, Option<&str>, Option<&str>)> = rows
            .iter()
            .map(|r| (r.stack.as_str(), r.status.as_deref(), r.dns_kept.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("App-dev", Some("CREATE_COMPLETE"), Some("App-dev-dns")),
                ("App-qa", None, Some("App-qa-dns")),
            ]
        );
    }

    #[test]
    fn the_expiry_comes_from_the_reaper_stack_which_has_no_line_of_its_own() {
        let managed = ("kumo:managed-by", "kumo");
        let mut reaper = stack(
            "App-dev-ttl",
            &[managed, ("kumo:env", "dev"), ("kumo:ttl-for", "App-dev")],
        );
        reaper.parameters = vec![("KumoExpiry".to_owned(), "2026-12-01T18:00:00Z".to_owned())];
        let stacks = [
            stack("App-dev", &[managed, ("kumo:env", "dev")]),
            reaper,
            stack("App-qa", &[managed, ("kumo:env", "qa")]),
        ];
        let rows = rows("eu-west-1", &stacks);
        let summary: Vec<(&str, Option<&str>)> =
            rows.iter().map(|r| (r.stack.as_str(), r.expires.as_deref())).collect();
        assert_eq!(summary, [("App-dev", Some("2026-12-01T18:00:00Z")), ("App-qa", None)]);
    }

    #[test]
    fn ages_read_cloudformations_timestamps() {
        let now = SystemTime::try_from(DateTime::from_str("2026-11-30T12:05:00Z", Format::DateTime).unwrap()).unwrap();
        assert_eq!(ago("2026-11-30T12:00:00Z", now), "5m ago");
        assert_eq!(ago("2026-11-28T09:00:00.123Z", now), "2d 3h ago");
        assert_eq!(ago("yesterday", now), "yesterday");
    }
}
