//! The apply engine: installs or upgrades a bundle with server-side apply, in the order the controller
//! needs, waiting (bounded, with progress) where the next step depends on the last one.
//!
//! ```text
//! read inventory + webhook Secret ─► certificate: reuse or generate ─► render
//!   ─► inventory := previous ∪ current          (so an interrupted run still knows what to prune)
//!   ─► CRDs ─► wait Established
//!   ─► namespace, service account, RBAC, Secret, Service, Deployment ─► wait Available
//!   ─► webhook configurations ─► IngressClassParams ─► IngressClass
//!   ─► prune: previous − current (a CRD only if no custom resource of it is left)
//!   ─► inventory := current
//! ```
//!
//! Every object is applied with field manager `kumo` and `force` (kumo owns the fields it sets), so
//! applying an unchanged bundle changes nothing. The inventory is a ConfigMap in `kube-system`
//! ([`INVENTORY_NAME`]) listing what kumo applied; together with the labels on every object (see
//! [`crate::bundle`]) it lets kumo find and remove its own objects. Waits sleep through an injectable
//! [`Clock`] and stop at a Ctrl-C ([`Interrupt`]) between requests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kumo_deploy::Interrupt;
use kumo_deploy::clock::Clock;
use serde_json::{Value, json};

use crate::bundle::{
    self, BUNDLE_LABEL, Bundle, BundleError, ControllerSettings, FIELD_MANAGER, MANAGED_BY, MANAGED_BY_LABEL,
    ObjectRef, Phase,
};
use crate::cert::{self, CertError, WebhookCert};
use crate::error::chain;
use crate::token::TokenError;

/// The inventory ConfigMap of the Load Balancer Controller bundle (in `kube-system`).
pub const INVENTORY_NAME: &str = "kumo-bundle-aws-load-balancer-controller";
pub const INVENTORY_NAMESPACE: &str = "kube-system";

/// Bounds and pacing of the waits.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub poll_interval: Duration,
    /// How long CRDs may take to become Established.
    pub crd_timeout: Duration,
    /// How long the controller's Deployment may take to become available.
    pub deployment_timeout: Duration,
    /// A pod stuck on the same failure (image pull, crash loop) this long fails the wait early.
    pub stuck_after: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            poll_interval: Duration::from_secs(3),
            crd_timeout: Duration::from_secs(120),
            deployment_timeout: Duration::from_secs(600),
            stuck_after: Duration::from_secs(180),
        }
    }
}

/// Whether the webhook certificate was kept or made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateOutcome {
    Reused { not_after: SystemTime },
    Generated { reason: String, not_after: SystemTime },
}

/// What happens, as it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyEvent {
    Certificate(CertificateOutcome),
    Applying {
        phase: Phase,
        objects: usize,
    },
    Waiting {
        what: String,
        elapsed: Duration,
        detail: String,
    },
    Ready {
        what: String,
        elapsed: Duration,
    },
    Pruned(ObjectRef),
    /// A CRD kumo no longer ships that still has custom resources: left in place.
    KeptCrd {
        name: String,
        reason: String,
    },
}

impl fmt::Display for ApplyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyEvent::Certificate(CertificateOutcome::Reused { not_after }) => write!(
                f,
                "webhook certificate: reusing the one in the cluster (valid until {})",
                crate::token::rfc3339(*not_after)
            ),
            ApplyEvent::Certificate(CertificateOutcome::Generated { reason, not_after }) => write!(
                f,
                "webhook certificate: generated a new CA and certificate, valid until {} ({reason})",
                crate::token::rfc3339(*not_after)
            ),
            ApplyEvent::Applying { phase, objects } => {
                let what = match phase {
                    Phase::Crds => "custom resource definitions",
                    Phase::Workload => "service account, RBAC, webhook Secret and Service, Deployment",
                    Phase::Webhooks => "webhook configurations",
                    Phase::IngressClassParams => "IngressClassParams",
                    Phase::IngressClass => "IngressClass",
                };
                write!(
                    f,
                    "applying {what} ({objects} object{})",
                    if *objects == 1 { "" } else { "s" }
                )
            }
            ApplyEvent::Waiting { what, elapsed, detail } => {
                write!(f, "waiting for {what} ({}s)", elapsed.as_secs())?;
                if !detail.is_empty() {
                    write!(f, ": {detail}")?;
                }
                Ok(())
            }
            ApplyEvent::Ready { what, elapsed } => write!(f, "{what}: ready after {}s", elapsed.as_secs()),
            ApplyEvent::Pruned(reference) => write!(f, "deleted {reference} (no longer shipped)"),
            ApplyEvent::KeptCrd { name, reason } => write!(f, "kept CRD {name}: {reason}"),
        }
    }
}

/// Receives [`ApplyEvent`]s (the CLI draws progress from them; tests record them).
pub trait ApplyUi {
    fn event(&mut self, event: ApplyEvent);
}

/// The result of an apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyReport {
    pub bundle: String,
    pub version: String,
    pub applied: usize,
    pub pruned: Vec<ObjectRef>,
    pub certificate: CertificateOutcome,
}

/// Why an apply (or a read of the cluster) failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("cannot reach the cluster's API server: {reason}")]
    Unreachable { reason: String },
    #[error("the cluster rejected kumo's credentials (401 Unauthorized): {message}")]
    Unauthorized { message: String },
    #[error("not allowed to {action} (403 Forbidden): {message}")]
    Forbidden { action: String, message: String },
    #[error("{action} failed: {code} {reason}: {message}")]
    Api {
        action: String,
        code: u16,
        reason: String,
        message: String,
    },
    #[error("{action}: {reason}")]
    Response { action: String, reason: String },
    #[error("no token for the cluster: {0}")]
    Token(String),
    #[error("CRD {name} did not become Established within {}s: {condition}", waited.as_secs())]
    CrdNotEstablished {
        name: String,
        waited: Duration,
        condition: String,
    },
    #[error("{deployment} did not become available within {}s ({ready} of {wanted} pods ready){}", waited.as_secs(), pod_lines(pods))]
    DeploymentUnavailable {
        deployment: String,
        waited: Duration,
        ready: i32,
        wanted: i32,
        pods: Vec<String>,
    },
    #[error("{deployment} cannot start{}", pod_lines(pods))]
    DeploymentStuck { deployment: String, pods: Vec<String> },
    #[error("{object} was installed by {manager}, not kumo")]
    ForeignInstall { object: String, manager: String },
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error("interrupted")]
    Interrupted,
}

fn pod_lines(pods: &[String]) -> String {
    pods.iter().map(|p| format!("\n  {p}")).collect()
}

impl ApplyError {
    /// What to do about it, for the CLI's `hint:` line. `endpoint` is the cluster's API server.
    pub fn hint(&self, endpoint: &str) -> Option<String> {
        Some(match self {
            ApplyError::Unreachable { .. } => format!(
                "kumo must reach {endpoint} from where it runs: with endpoint_public_access = false in kumo.toml \
                 the API server is only reachable from inside the VPC (run kumo there, or allow public access); \
                 otherwise check firewalls and proxies. The stack itself is deployed; run `kumo bundle` once the \
                 endpoint is reachable"
            ),
            ApplyError::Unauthorized { .. } => "the cluster does not know your AWS identity: give it an access entry \
                 (add your IAM user or role to eks.admin_users / eks.admin_roles in kumo.toml and run `kumo deploy`), \
                 and make sure the credentials kumo uses are the ones you expect (`aws sts get-caller-identity`)"
                .to_owned(),
            ApplyError::Forbidden { .. } => "your AWS identity has an access entry without cluster-admin rights: add it \
                 to eks.admin_users / eks.admin_roles in kumo.toml and run `kumo deploy` (AmazonEKSClusterAdminPolicy), \
                 or run kumo with an identity that has them"
                .to_owned(),
            ApplyError::DeploymentUnavailable { .. } | ApplyError::DeploymentStuck { .. } => {
                "the pods' own reasons are above; `kubectl -n <namespace> describe pods -l \
                 app.kubernetes.io/name=aws-load-balancer-controller` shows more. Nodes need outbound access to \
                 public.ecr.aws (NAT gateway). Run `kumo bundle` again once fixed"
                    .to_owned()
            }
            ApplyError::CrdNotEstablished { .. } => "the API server did not accept the CRD; see its conditions with \
                 `kubectl get crd <name> -o yaml`, then run `kumo bundle` again"
                .to_owned(),
            ApplyError::ForeignInstall { manager, .. } if manager == "Helm" => "the controller was installed with Helm: \
                 remove that release first (`helm uninstall aws-load-balancer-controller -n kube-system`; the CRDs \
                 and your Ingresses stay), then run `kumo bundle`"
                .to_owned(),
            ApplyError::ForeignInstall { .. } => {
                "remove the other installation first, then run `kumo bundle`".to_owned()
            }
            ApplyError::Token(_) => "check the AWS credentials kumo uses (`aws sts get-caller-identity`)".to_owned(),
            _ => return None,
        })
    }
}

/// Classifies a kube client error for `action` (e.g. "apply Deployment kube-system/x").
pub fn api_error(action: impl Into<String>, error: kube::Error) -> ApplyError {
    let action = action.into();
    match error {
        kube::Error::Api(status) => match status.code {
            401 => ApplyError::Unauthorized {
                message: status.message,
            },
            403 => ApplyError::Forbidden {
                action,
                message: status.message,
            },
            code => ApplyError::Api {
                action,
                code,
                reason: status.reason,
                message: status.message,
            },
        },
        kube::Error::SerdeError(e) => ApplyError::Response {
            action,
            reason: format!("unexpected response: {e}"),
        },
        other => {
            // Transport errors arrive boxed; a token failure is one of them.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&other);
            while let Some(error) = source {
                if let Some(token) = error.downcast_ref::<TokenError>() {
                    return ApplyError::Token(token.to_string());
                }
                source = error.source();
            }
            ApplyError::Unreachable { reason: chain(&other) }
        }
    }
}

/// The engine's surroundings.
pub struct Applier<'a> {
    pub client: kube::Client,
    pub clock: Arc<dyn Clock>,
    pub interrupt: Interrupt,
    pub options: ApplyOptions,
    pub ui: &'a mut dyn ApplyUi,
}

impl Applier<'_> {
    fn check_interrupt(&self) -> Result<(), ApplyError> {
        if self.interrupt.is_triggered() {
            Err(ApplyError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Sleeps one poll interval, or returns `Interrupted` at a Ctrl-C.
    async fn pause(&self) -> Result<(), ApplyError> {
        tokio::select! {
            _ = self.clock.sleep(self.options.poll_interval) => Ok(()),
            _ = self.interrupt.triggered() => Err(ApplyError::Interrupted),
        }
    }

    /// Installs or upgrades the AWS Load Balancer Controller.
    pub async fn apply_load_balancer_controller(
        &mut self,
        settings: &ControllerSettings,
    ) -> Result<ApplyReport, ApplyError> {
        let previous = read_inventory(&self.client).await?;
        self.check_interrupt()?;
        let (webhook_cert, outcome) = self.webhook_certificate(settings).await?;
        self.ui.event(ApplyEvent::Certificate(outcome.clone()));
        let bundle = bundle::load_balancer_controller(settings, &webhook_cert)?;
        let current: BTreeSet<ObjectRef> = bundle.references().into_iter().collect();
        let previous: BTreeSet<ObjectRef> = previous.unwrap_or_default().into_iter().collect();

        // Record everything that may exist after this run before creating anything new.
        let superset: BTreeSet<ObjectRef> = previous.union(&current).cloned().collect();
        let mut recorded = previous.clone();
        if superset != recorded {
            write_inventory(&self.client, &bundle, &superset).await?;
            recorded = superset;
        }

        let mut applied = 0;
        for phase in [
            Phase::Crds,
            Phase::Workload,
            Phase::Webhooks,
            Phase::IngressClassParams,
            Phase::IngressClass,
        ] {
            let objects: Vec<_> = bundle.objects.iter().filter(|o| o.phase == phase).collect();
            if objects.is_empty() {
                continue;
            }
            self.ui.event(ApplyEvent::Applying {
                phase,
                objects: objects.len(),
            });
            for object in &objects {
                self.check_interrupt()?;
                apply_object(&self.client, &object.reference, &object.manifest).await?;
                applied += 1;
            }
            match phase {
                Phase::Crds => {
                    let names: Vec<String> = objects.iter().map(|o| o.reference.name.clone()).collect();
                    self.wait_crds_established(&names).await?;
                }
                Phase::Workload => self.wait_deployment_available(&bundle).await?,
                _ => {}
            }
        }

        let mut pruned = Vec::new();
        // Kept CRDs stay in the inventory, so a later run deletes them once their resources are gone.
        let mut remaining = current.clone();
        // Workload objects first, CRDs last (their custom resources may still be in use by the former).
        let mut stale: Vec<&ObjectRef> = previous.difference(&current).collect();
        stale.sort_by_key(|o| o.kind == "CustomResourceDefinition");
        for stale in stale {
            self.check_interrupt()?;
            if stale.kind == "CustomResourceDefinition"
                && let Some(reason) = custom_resources_left(&self.client, &stale.name).await?
            {
                self.ui.event(ApplyEvent::KeptCrd {
                    name: stale.name.clone(),
                    reason,
                });
                remaining.insert(stale.clone());
                continue;
            }
            delete_object(&self.client, stale).await?;
            self.ui.event(ApplyEvent::Pruned(stale.clone()));
            pruned.push(stale.clone());
        }
        if recorded != remaining {
            write_inventory(&self.client, &bundle, &remaining).await?;
        }
        Ok(ApplyReport {
            bundle: bundle.name,
            version: bundle.version,
            applied,
            pruned,
            certificate: outcome,
        })
    }

    /// The certificate in the cluster's webhook Secret if it can be kept, else a new one.
    async fn webhook_certificate(
        &self,
        settings: &ControllerSettings,
    ) -> Result<(WebhookCert, CertificateOutcome), ApplyError> {
        let names = bundle::webhook_names(&settings.namespace)?;
        let secrets: Api<Secret> = Api::namespaced(self.client.clone(), &settings.namespace);
        let existing = secrets
            .get_opt(&names.secret.name)
            .await
            .map_err(|e| api_error(format!("read {}", names.secret), e))?;
        let now = self.clock.now();
        let reason = match existing {
            None => "none in the cluster yet".to_owned(),
            Some(secret) => {
                let labels = secret.metadata.labels.unwrap_or_default();
                if let Some(manager) = labels.get(MANAGED_BY_LABEL)
                    && manager != MANAGED_BY
                {
                    return Err(ApplyError::ForeignInstall {
                        object: names.secret.to_string(),
                        manager: manager.clone(),
                    });
                }
                let data = secret.data.unwrap_or_default();
                let field = |key: &str| data.get(key).map(|bytes| bytes.0.as_slice());
                match cert::reusable(
                    field(cert::CA_KEY),
                    field(cert::CERT_KEY),
                    field(cert::PRIVATE_KEY_KEY),
                    &names.service,
                    &settings.namespace,
                    now,
                ) {
                    Ok(webhook_cert) => {
                        let not_after = webhook_cert.not_after;
                        return Ok((webhook_cert, CertificateOutcome::Reused { not_after }));
                    }
                    Err(reason) => reason,
                }
            }
        };
        let webhook_cert = cert::generate(&names.service, &settings.namespace, now)?;
        let not_after = webhook_cert.not_after;
        Ok((webhook_cert, CertificateOutcome::Generated { reason, not_after }))
    }

    async fn wait_crds_established(&mut self, names: &[String]) -> Result<(), ApplyError> {
        let crds: Api<CustomResourceDefinition> = Api::all(self.client.clone());
        let start = self.clock.now();
        let what = format!("{} CRDs to be established", names.len());
        let mut pending: Vec<String> = names.to_vec();
        loop {
            let mut still = Vec::new();
            let mut last_condition = String::new();
            for name in &pending {
                self.check_interrupt()?;
                let crd = crds
                    .get(name)
                    .await
                    .map_err(|e| api_error(format!("read CRD {name}"), e))?;
                let conditions = crd.status.and_then(|s| s.conditions).unwrap_or_default();
                let established = conditions
                    .iter()
                    .any(|c| c.type_ == "Established" && c.status == "True");
                if let Some(rejected) = conditions
                    .iter()
                    .find(|c| c.type_ == "NamesAccepted" && c.status == "False")
                {
                    return Err(ApplyError::CrdNotEstablished {
                        name: name.clone(),
                        waited: elapsed(&*self.clock, start),
                        condition: format!("NamesAccepted=False: {}", rejected.message.clone().unwrap_or_default()),
                    });
                }
                if !established {
                    last_condition = conditions
                        .iter()
                        .find(|c| c.type_ == "Established")
                        .map(|c| {
                            format!("Established={} {}", c.status, c.message.clone().unwrap_or_default())
                                .trim()
                                .to_owned()
                        })
                        .unwrap_or_else(|| "no Established condition yet".to_owned());
                    still.push(name.clone());
                }
            }
            let waited = elapsed(&*self.clock, start);
            if still.is_empty() {
                self.ui.event(ApplyEvent::Ready { what, elapsed: waited });
                return Ok(());
            }
            if waited >= self.options.crd_timeout {
                return Err(ApplyError::CrdNotEstablished {
                    name: still[0].clone(),
                    waited,
                    condition: last_condition,
                });
            }
            self.ui.event(ApplyEvent::Waiting {
                what: what.clone(),
                elapsed: waited,
                detail: format!("{} of {} established", names.len() - still.len(), names.len()),
            });
            pending = still;
            self.pause().await?;
        }
    }

    async fn wait_deployment_available(&mut self, bundle: &Bundle) -> Result<(), ApplyError> {
        let reference = &bundle.deployment;
        let namespace = reference.namespace.clone().unwrap_or_default();
        let deployments: Api<Deployment> = Api::namespaced(self.client.clone(), &namespace);
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
        let what = format!("{reference} to be available");
        let start = self.clock.now();
        // When each pod problem was first seen, to fail early on one that persists.
        let mut first_seen: BTreeMap<String, SystemTime> = BTreeMap::new();
        loop {
            self.check_interrupt()?;
            let deployment = deployments
                .get(&reference.name)
                .await
                .map_err(|e| api_error(format!("read {reference}"), e))?;
            let progress = rollout(&deployment);
            let waited = elapsed(&*self.clock, start);
            if progress.done {
                self.ui.event(ApplyEvent::Ready { what, elapsed: waited });
                return Ok(());
            }
            self.check_interrupt()?;
            let list = pods
                .list(&ListParams::default().labels(&bundle.pod_selector))
                .await
                .map_err(|e| api_error(format!("list the pods of {reference}"), e))?;
            let problems: Vec<PodProblem> = list.items.iter().filter_map(pod_problem).collect();
            let now = self.clock.now();
            first_seen.retain(|key, _| problems.iter().any(|p| &p.key() == key));
            for problem in &problems {
                first_seen.entry(problem.key()).or_insert(now);
            }
            let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            let stuck = problems.iter().any(|p| {
                p.persistent
                    && first_seen
                        .get(&p.key())
                        .is_some_and(|since| now.duration_since(*since).unwrap_or_default() >= self.options.stuck_after)
            });
            if stuck {
                return Err(ApplyError::DeploymentStuck {
                    deployment: reference.to_string(),
                    pods: lines,
                });
            }
            if waited >= self.options.deployment_timeout || progress.deadline_exceeded {
                return Err(ApplyError::DeploymentUnavailable {
                    deployment: reference.to_string(),
                    waited,
                    ready: progress.available,
                    wanted: progress.wanted,
                    pods: if lines.is_empty() {
                        vec![format!("no pod reports a problem ({})", progress.summary)]
                    } else {
                        lines
                    },
                });
            }
            let detail = match lines.first() {
                Some(first) => format!("{}; {first}", progress.summary),
                None => progress.summary.clone(),
            };
            self.ui.event(ApplyEvent::Waiting {
                what: what.clone(),
                elapsed: waited,
                detail,
            });
            self.pause().await?;
        }
    }
}

fn elapsed(clock: &dyn Clock, start: SystemTime) -> Duration {
    clock.now().duration_since(start).unwrap_or_default()
}

struct Rollout {
    done: bool,
    deadline_exceeded: bool,
    available: i32,
    wanted: i32,
    summary: String,
}

/// `kubectl rollout status`'s test: the controller saw the latest spec, every replica is updated, no old
/// replica is left, and all are available.
fn rollout(deployment: &Deployment) -> Rollout {
    let wanted = deployment.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let generation = deployment.metadata.generation.unwrap_or(0);
    let status = deployment.status.clone().unwrap_or_default();
    let observed = status.observed_generation.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let total = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    let deadline_exceeded = status
        .conditions
        .unwrap_or_default()
        .iter()
        .any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded"));
    Rollout {
        done: observed >= generation && updated >= wanted && total == updated && available >= wanted,
        deadline_exceeded,
        available,
        wanted,
        summary: format!("{available} of {wanted} available, {updated} updated"),
    }
}

/// Why a pod is not running, in the pod's own words.
struct PodProblem {
    pod: String,
    reason: String,
    message: String,
    /// A failure that does not go away by waiting (image pull, crash loop, bad config).
    persistent: bool,
}

impl PodProblem {
    fn key(&self) -> String {
        format!("{}/{}", self.pod, self.reason)
    }
}

impl fmt::Display for PodProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pod {}: {}", self.pod, self.reason)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

const PERSISTENT_REASONS: [&str; 7] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
];

fn pod_problem(pod: &Pod) -> Option<PodProblem> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let status = pod.status.as_ref()?;
    for container in status.container_statuses.iter().flatten() {
        if let Some(waiting) = container.state.as_ref().and_then(|s| s.waiting.as_ref())
            && let Some(reason) = &waiting.reason
            && reason != "ContainerCreating"
            && reason != "PodInitializing"
        {
            return Some(PodProblem {
                pod: name,
                reason: reason.clone(),
                message: waiting.message.clone().unwrap_or_default(),
                persistent: PERSISTENT_REASONS.contains(&reason.as_str()),
            });
        }
        if !container.ready
            && let Some(terminated) = container.last_state.as_ref().and_then(|s| s.terminated.as_ref())
        {
            return Some(PodProblem {
                pod: name,
                reason: format!(
                    "restarting (last exit: {})",
                    terminated.reason.clone().unwrap_or_default()
                ),
                message: terminated.message.clone().unwrap_or_default(),
                persistent: false,
            });
        }
    }
    let unscheduled = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")?;
    Some(PodProblem {
        pod: name,
        reason: unscheduled.reason.clone().unwrap_or_else(|| "Unschedulable".into()),
        message: unscheduled.message.clone().unwrap_or_default(),
        persistent: false,
    })
}

fn dynamic_api(client: &kube::Client, reference: &ObjectRef) -> Api<DynamicObject> {
    let resource = reference.api_resource();
    match &reference.namespace {
        Some(namespace) => Api::namespaced_with(client.clone(), namespace, &resource),
        None => Api::all_with(client.clone(), &resource),
    }
}

/// Server-side apply of one object (field manager `kumo`, forced).
pub async fn apply_object(client: &kube::Client, reference: &ObjectRef, manifest: &Value) -> Result<(), ApplyError> {
    dynamic_api(client, reference)
        .patch(
            &reference.name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(manifest),
        )
        .await
        .map_err(|e| api_error(format!("apply {reference}"), e))?;
    Ok(())
}

/// Deletes one object; one already gone is fine.
pub async fn delete_object(client: &kube::Client, reference: &ObjectRef) -> Result<(), ApplyError> {
    match dynamic_api(client, reference)
        .delete(&reference.name, &DeleteParams::background())
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(e) => Err(api_error(format!("delete {reference}"), e)),
    }
}

/// `Some(reason)` when custom resources of the CRD `name` still exist (deleting the CRD would delete
/// them).
async fn custom_resources_left(client: &kube::Client, name: &str) -> Result<Option<String>, ApplyError> {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let Some(crd) = crds
        .get_opt(name)
        .await
        .map_err(|e| api_error(format!("read CRD {name}"), e))?
    else {
        return Ok(None);
    };
    let spec = &crd.spec;
    let Some(version) = spec.versions.iter().find(|v| v.storage).or(spec.versions.first()) else {
        return Ok(None);
    };
    let reference = ObjectRef {
        api_version: format!("{}/{}", spec.group, version.name),
        kind: spec.names.kind.clone(),
        plural: spec.names.plural.clone(),
        namespace: None,
        name: String::new(),
    };
    let list = dynamic_api(client, &reference)
        .list(&ListParams::default().limit(1))
        .await
        .map_err(|e| api_error(format!("list {}", spec.names.plural), e))?;
    Ok(
        (!list.items.is_empty())
            .then(|| format!("{} still exist; delete them, then run kumo again", spec.names.plural)),
    )
}

/// The objects kumo applied last time (`None`: no inventory, e.g. a first install).
pub async fn read_inventory(client: &kube::Client) -> Result<Option<Vec<ObjectRef>>, ApplyError> {
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), INVENTORY_NAMESPACE);
    let Some(inventory) = config_maps
        .get_opt(INVENTORY_NAME)
        .await
        .map_err(|e| api_error(format!("read ConfigMap {INVENTORY_NAMESPACE}/{INVENTORY_NAME}"), e))?
    else {
        return Ok(None);
    };
    let objects = inventory
        .data
        .as_ref()
        .and_then(|data| data.get("objects"))
        .map(|text| serde_json::from_str::<Vec<ObjectRef>>(text))
        .transpose()
        .map_err(|e| ApplyError::Response {
            action: format!("read ConfigMap {INVENTORY_NAMESPACE}/{INVENTORY_NAME}"),
            reason: format!("its `objects` is not kumo's inventory: {e}"),
        })?;
    Ok(Some(objects.unwrap_or_default()))
}

fn inventory_reference() -> ObjectRef {
    ObjectRef {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
        namespace: Some(INVENTORY_NAMESPACE.into()),
        name: INVENTORY_NAME.into(),
    }
}

async fn write_inventory(
    client: &kube::Client,
    bundle: &Bundle,
    objects: &BTreeSet<ObjectRef>,
) -> Result<(), ApplyError> {
    let list: Vec<&ObjectRef> = objects.iter().collect();
    let manifest = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": INVENTORY_NAME,
            "namespace": INVENTORY_NAMESPACE,
            "labels": { MANAGED_BY_LABEL: MANAGED_BY, BUNDLE_LABEL: bundle.name },
        },
        "data": {
            "version": bundle.version,
            "objects": serde_json::to_string(&list).unwrap_or_default(),
        },
    });
    apply_object(client, &inventory_reference(), &manifest).await
}

/// Removes the Load Balancer Controller bundle: every object in the inventory (or, without one, every
/// object the current bundle ships), in reverse install order, then the inventory. CRDs go too only
/// with `include_crds` (deleting a CRD deletes all its custom resources). Objects already gone are fine.
/// For the teardown, which first deletes the controller's load balancers.
pub async fn remove_load_balancer_controller(
    client: &kube::Client,
    settings: &ControllerSettings,
    include_crds: bool,
) -> Result<Vec<ObjectRef>, ApplyError> {
    let placeholder_cert = WebhookCert {
        ca_pem: String::new(),
        cert_pem: String::new(),
        key_pem: String::new(),
        not_after: SystemTime::UNIX_EPOCH,
    };
    let rendered = bundle::load_balancer_controller(settings, &placeholder_cert)?;
    let mut objects: BTreeSet<ObjectRef> = rendered.references().into_iter().collect();
    objects.extend(read_inventory(client).await?.unwrap_or_default());
    let order = |reference: &ObjectRef| {
        rendered
            .objects
            .iter()
            .find(|o| &o.reference == reference)
            .map(|o| o.phase)
            .unwrap_or(if reference.kind == "CustomResourceDefinition" {
                Phase::Crds
            } else {
                Phase::Workload
            })
    };
    let mut ordered: Vec<ObjectRef> = objects
        .into_iter()
        .filter(|o| include_crds || o.kind != "CustomResourceDefinition")
        .collect();
    ordered.sort_by_key(|o| std::cmp::Reverse(order(o)));
    for reference in &ordered {
        delete_object(client, reference).await?;
    }
    delete_object(client, &inventory_reference()).await?;
    Ok(ordered)
}
