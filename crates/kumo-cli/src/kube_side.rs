//! The Kubernetes side of the CLI: from a deployed stack's outputs to a cluster client, the bundle
//! apply with its progress, and the cluster part of `kumo status`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressStyle};
use kumo_deploy::clock::SystemClock;
use kumo_deploy::events::format_time;
use kumo_deploy::stack::StackInfo;
use kumo_kube::access::{ClusterAccess, outputs};
use kumo_kube::apply::{Applier, ApplyError, ApplyEvent, ApplyOptions, ApplyReport, ApplyUi};
use kumo_kube::bundle::ControllerSettings;
use kumo_kube::token::TokenSource;

use crate::aws_env::AwsSession;
use crate::error::{CliError, chain};
use crate::output::{errln, outln};

/// The service account the stack's controller role trusts, for stacks made before the output existed.
const DEFAULT_CONTROLLER_ACCOUNT: (&str, &str) = ("kube-system", "aws-load-balancer-controller");

/// A stack's cluster, as its outputs describe it.
pub struct StackCluster {
    pub access: ClusterAccess,
    pub settings: ControllerSettings,
    /// `arn:<partition>:eks:<region>:<account>:cluster/<name>`.
    pub arn: String,
}

/// The stack's cluster; `Ok(None)` for a stack without one (no `ClusterEndpoint` output).
pub fn stack_cluster(stack: &StackInfo, region: &str) -> Result<Option<StackCluster>, CliError> {
    let values: BTreeMap<String, String> = stack.outputs.iter().map(|o| (o.key.clone(), o.value.clone())).collect();
    let fix = "the stack's outputs do not describe its cluster: deploy it with this version of kumo";
    let Some(access) = ClusterAccess::from_outputs(&values).map_err(|e| CliError::new(e.to_string()).hint(fix))? else {
        return Ok(None);
    };
    let vpc_id = values.get(outputs::VPC_ID).cloned().ok_or_else(|| {
        CliError::new(format!("{}: the stack has no {} output", stack.name, outputs::VPC_ID)).hint(fix)
    })?;
    let (namespace, service_account) = match values.get(outputs::LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT) {
        Some(value) => value
            .split_once('/')
            .map(|(n, a)| (n.to_owned(), a.to_owned()))
            .ok_or_else(|| {
                CliError::new(format!(
                    "{}: output {} = {value:?} is not namespace/name",
                    stack.name,
                    outputs::LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT
                ))
            })?,
        None => (
            DEFAULT_CONTROLLER_ACCOUNT.0.to_owned(),
            DEFAULT_CONTROLLER_ACCOUNT.1.to_owned(),
        ),
    };
    // The stack ARN carries the partition and account: arn:aws:cloudformation:eu-west-1:123456789012:stack/...
    let parts: Vec<&str> = stack.id.split(':').collect();
    let (partition, account) = match parts.as_slice() {
        ["arn", partition, _, _, account, ..] => (*partition, *account),
        _ => ("aws", ""),
    };
    let arn = format!("arn:{partition}:eks:{region}:{account}:cluster/{}", access.cluster_name);
    let settings = ControllerSettings {
        stack_name: stack.name.clone(),
        cluster_name: access.cluster_name.clone(),
        region: region.to_owned(),
        vpc_id,
        namespace,
        service_account,
        irsa_role_arn: values.get(outputs::LOAD_BALANCER_CONTROLLER_ROLE_ARN).cloned(),
    };
    Ok(Some(StackCluster { access, settings, arn }))
}

/// A client for the stack's cluster, authenticated with tokens from the session's credentials.
pub fn client(session: &AwsSession, cluster: &StackCluster) -> Result<kumo_kube::kube::Client, CliError> {
    let credentials = session
        .config
        .credentials_provider()
        .ok_or_else(|| CliError::new("no AWS credentials found"))?;
    let tokens = TokenSource::new(
        cluster.access.cluster_name.clone(),
        session.region.clone(),
        credentials,
        Arc::new(SystemClock),
    )
    .map_err(|e| CliError::new(e.to_string()))?;
    cluster.access.client(tokens).map_err(|e| CliError::new(e.to_string()))
}

/// An apply error as the CLI reports it: what failed on which cluster, and what to do.
fn apply_error(error: ApplyError, cluster: &StackCluster, after_deploy: bool) -> CliError {
    if matches!(error, ApplyError::Interrupted) {
        let mut cli = CliError::new("interrupted: the in-cluster bundle is partly applied")
            .hint("`kumo bundle` finishes it (every object is applied whole or not at all)");
        cli.code = crate::signals::signal_received().map_or(crate::render_error::INTERRUPTED, |s| s.exit_code());
        return cli;
    }
    let endpoint = &cluster.access.endpoint;
    let prefix = if after_deploy {
        "the stack is deployed, but installing the in-cluster bundle failed: "
    } else {
        ""
    };
    let message = match &error {
        ApplyError::Unreachable { reason } => format!("{prefix}cannot reach the cluster endpoint {endpoint}: {reason}"),
        other => format!("{prefix}{}", chain(other)),
    };
    let error_hint = error.hint(endpoint);
    let mut cli = CliError::new(message);
    if let Some(hint) = error_hint {
        cli = cli.hint(hint);
    }
    cli
}

/// Installs or upgrades the bundle on the stack's cluster. `Ok(None)`: the stack has no cluster.
pub async fn apply_bundle(
    session: &AwsSession,
    stack: &StackInfo,
    after_deploy: bool,
) -> Result<Option<ApplyReport>, CliError> {
    let Some(cluster) = stack_cluster(stack, &session.region)? else {
        return Ok(None);
    };
    let client = client(session, &cluster)?;
    errln!(
        "installing the AWS Load Balancer Controller on {} ({})",
        cluster.access.cluster_name,
        cluster.access.endpoint
    );
    let mut ui = BundleUi::new();
    let mut applier = Applier {
        client,
        clock: Arc::new(SystemClock),
        interrupt: crate::signals::interrupt(),
        options: ApplyOptions::default(),
        ui: &mut ui,
    };
    let result = applier.apply_load_balancer_controller(&cluster.settings).await;
    drop(applier);
    ui.finish();
    let report = result.map_err(|e| apply_error(e, &cluster, after_deploy))?;
    let pruned = if report.pruned.is_empty() {
        String::new()
    } else {
        format!(", {} removed", report.pruned.len())
    };
    outln!(
        "in-cluster bundle: {} {} applied ({} objects{pruned}); IngressClass alb is ready",
        report.bundle,
        report.version,
        report.applied
    );
    Ok(Some(report))
}

/// Progress of an apply: a spinner on a terminal, timestamped lines otherwise (a waiting line at most
/// every 30 s, so CI logs stay short but visibly alive).
struct BundleUi {
    terminal: bool,
    spinner: Option<ProgressBar>,
    last_wait_line: Option<SystemTime>,
}

impl BundleUi {
    fn new() -> Self {
        BundleUi {
            terminal: std::io::stderr().is_terminal(),
            spinner: None,
            last_wait_line: None,
        }
    }

    fn line(&self, text: &str) {
        match &self.spinner {
            Some(spinner) => spinner.println(format!("  {text}")),
            None if self.terminal => errln!("  {text}"),
            None => errln!("{}  {text}", format_time(SystemTime::now())),
        }
    }

    fn finish(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

impl ApplyUi for BundleUi {
    fn event(&mut self, event: ApplyEvent) {
        match &event {
            ApplyEvent::Waiting { .. } if self.terminal => {
                let spinner = self.spinner.get_or_insert_with(|| {
                    let bar = ProgressBar::new_spinner()
                        .with_style(ProgressStyle::with_template("  {spinner} {msg}").expect("valid template"));
                    bar.enable_steady_tick(Duration::from_millis(200));
                    bar
                });
                spinner.set_message(event.to_string());
            }
            ApplyEvent::Waiting { .. } => {
                let now = SystemTime::now();
                let due = self
                    .last_wait_line
                    .is_none_or(|last| now.duration_since(last).unwrap_or_default() >= Duration::from_secs(30));
                if due {
                    self.last_wait_line = Some(now);
                    self.line(&event.to_string());
                }
            }
            _ => {
                self.finish();
                self.last_wait_line = None;
                self.line(&event.to_string());
            }
        }
    }
}

/// The cluster part of `kumo status`; a cluster kumo cannot reach is a line saying so, not an error.
pub async fn print_cluster_status(session: &AwsSession, stack: &StackInfo) {
    let cluster = match stack_cluster(stack, &session.region) {
        Ok(Some(cluster)) => cluster,
        Ok(None) => return,
        Err(error) => {
            outln!("cluster:     {}", error.message);
            return;
        }
    };
    let client = match client(session, &cluster) {
        Ok(client) => client,
        Err(error) => {
            outln!("cluster:     {}", error.message);
            return;
        }
    };
    let status = match tokio::time::timeout(
        Duration::from_secs(20),
        kumo_kube::cluster_status::read(&client, &cluster.settings.namespace),
    )
    .await
    {
        Ok(Ok(status)) => status,
        Ok(Err(error)) => {
            outln!("cluster:     not readable: {error}");
            return;
        }
        Err(_) => {
            outln!("cluster:     {} did not answer within 20 s", cluster.access.endpoint);
            return;
        }
    };
    outln!(
        "cluster:     {} ({})",
        cluster.access.cluster_name,
        cluster.access.endpoint
    );
    match &status.controller {
        Some(controller) => outln!(
            "  load balancer controller: {} — {}/{} ready",
            controller.version,
            controller.ready,
            controller.wanted
        ),
        None => outln!("  load balancer controller: not installed (run `kumo bundle`)"),
    }
    if let Some(expiry) = status.webhook_cert_expiry {
        outln!("  webhook certificate:      valid until {}", format_time(expiry));
    }
    if status.external_dns.is_empty() {
        outln!("  external-dns add-on:      no workload in the cluster yet");
    }
    for workload in &status.external_dns {
        outln!(
            "  external-dns add-on:      {} — {}/{} ready ({}/{})",
            workload.version,
            workload.ready,
            workload.wanted,
            workload.namespace,
            workload.name
        );
    }
}
