//! The in-cluster bundle: the Kubernetes objects kumo ships, rendered for one stack.
//!
//! Today one bundle: the AWS Load Balancer Controller v3.5.0. Its objects are data, generated from the
//! vendored Helm chart by `cargo xtask manifests` into `aws-load-balancer-controller.json` beside this
//! file (CI checks it is up to date); [`load_balancer_controller`] fills in the stack's values and adds
//! what kumo changes:
//!
//! * every object carries `app.kubernetes.io/managed-by: kumo` and [`BUNDLE_LABEL`], so kumo (and the
//!   teardown) can find its own;
//! * the controller runs with `--default-tags=kumo:stack=<stack name>`: everything it creates in AWS
//!   (load balancers, target groups, security groups) carries the stack's tag;
//! * IRSA mode annotates the service account with the role ARN (Pod Identity needs nothing);
//! * the webhook Secret and every `caBundle` hold the certificate from [`crate::cert`];
//! * a namespace other than `kube-system` / `default` is created first.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use base64::Engine as _;
use kube::core::{ApiResource, GroupVersionKind};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cert::WebhookCert;

/// The field manager of every server-side apply kumo sends.
pub const FIELD_MANAGER: &str = "kumo";
/// The standard label kumo sets on everything it applies.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "kumo";
/// Which bundle an object belongs to (value: the bundle's name).
pub const BUNDLE_LABEL: &str = "kumo/bundle";
/// The Load Balancer Controller bundle's name.
pub const LOAD_BALANCER_CONTROLLER: &str = "aws-load-balancer-controller";
/// The tag key the controller puts on everything it creates in AWS (`--default-tags`); the value is the
/// stack name. The teardown finds the controller's load balancers by it.
pub const STACK_TAG: &str = "kumo:stack";
/// The annotation IRSA reads the role from.
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// Namespaces EKS always has; any other is created by the bundle.
const BUILT_IN_NAMESPACES: [&str; 2] = ["kube-system", "default"];

/// The generated data (see the module docs).
pub const LOAD_BALANCER_CONTROLLER_DATA: &str = include_str!("aws-load-balancer-controller.json");

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the bundle data is invalid: {0} (regenerate it with `cargo xtask manifests`)")]
    Data(String),
    #[error("{0}")]
    Setting(String),
}

/// The generated chart data, parsed once.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartData {
    pub chart: String,
    pub chart_version: String,
    pub app_version: String,
    pub image: String,
    pub crds: Vec<Value>,
    pub objects: Vec<Value>,
}

static CHART: LazyLock<Result<ChartData, String>> =
    LazyLock::new(|| serde_json::from_str(LOAD_BALANCER_CONTROLLER_DATA).map_err(|e| e.to_string()));

/// The Load Balancer Controller's chart data.
pub fn chart() -> Result<&'static ChartData, BundleError> {
    CHART.as_ref().map_err(|e| BundleError::Data(e.clone()))
}

/// An object's identity: enough to apply, read and delete it without API discovery.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    /// The resource name in URLs (`deployments`).
    pub plural: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    pub fn api_resource(&self) -> ApiResource {
        let (group, version) = match self.api_version.split_once('/') {
            Some((group, version)) => (group, version),
            None => ("", self.api_version.as_str()),
        };
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, &self.kind), &self.plural)
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(namespace) => write!(f, "{} {namespace}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// The steps of an install, in the order the controller needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// CustomResourceDefinitions; then wait until each is Established.
    Crds,
    /// Namespace, service account, RBAC, webhook Secret and Service, Deployment; then wait until the
    /// Deployment is available.
    Workload,
    /// The webhook configurations (only once the webhook server answers).
    Webhooks,
    /// IngressClassParams (validated by the controller's webhook).
    IngressClassParams,
    /// IngressClass `alb` (refers to the params).
    IngressClass,
}

/// One object to apply.
#[derive(Clone, Debug)]
pub struct BundleObject {
    pub phase: Phase,
    pub reference: ObjectRef,
    pub manifest: Value,
}

/// A rendered bundle.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// [`BUNDLE_LABEL`]'s value.
    pub name: String,
    /// The version shipped (the controller's `appVersion`).
    pub version: String,
    /// Objects in apply order.
    pub objects: Vec<BundleObject>,
    /// The Deployment whose availability gates the webhooks.
    pub deployment: ObjectRef,
    /// Its pods' label selector (`k=v,k=v`), to report why they do not start.
    pub pod_selector: String,
    pub webhook_cert: WebhookCert,
}

impl Bundle {
    pub fn references(&self) -> Vec<ObjectRef> {
        self.objects.iter().map(|o| o.reference.clone()).collect()
    }
}

/// What the Load Balancer Controller needs to know about the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerSettings {
    pub stack_name: String,
    pub cluster_name: String,
    pub region: String,
    pub vpc_id: String,
    /// The service account's namespace (where everything namespaced goes) and name: the ones the
    /// stack's pod identity association or IRSA role trusts.
    pub namespace: String,
    pub service_account: String,
    /// IRSA mode: the role to annotate the service account with.
    pub irsa_role_arn: Option<String>,
}

/// Names the engine needs before rendering (to read the existing certificate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookNames {
    pub secret: ObjectRef,
    pub service: String,
}

/// The webhook Secret and Service of the Load Balancer Controller in `namespace`.
pub fn webhook_names(namespace: &str) -> Result<WebhookNames, BundleError> {
    let chart = chart()?;
    let named = |kind: &str| {
        chart
            .objects
            .iter()
            .find(|o| o["kind"] == kind)
            .and_then(|o| o["metadata"]["name"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| BundleError::Data(format!("no {kind} in the chart data")))
    };
    Ok(WebhookNames {
        secret: ObjectRef {
            api_version: "v1".into(),
            kind: "Secret".into(),
            plural: "secrets".into(),
            namespace: Some(namespace.to_owned()),
            name: named("Secret")?,
        },
        service: named("Service")?,
    })
}

/// The Load Balancer Controller for the stack, with `webhook_cert` in its Secret and `caBundle`s.
pub fn load_balancer_controller(
    settings: &ControllerSettings,
    webhook_cert: &WebhookCert,
) -> Result<Bundle, BundleError> {
    check_settings(settings)?;
    let chart = chart()?;
    let base64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let values: BTreeMap<&str, String> = [
        ("clusterName", settings.cluster_name.clone()),
        ("region", settings.region.clone()),
        ("vpcId", settings.vpc_id.clone()),
        ("namespace", settings.namespace.clone()),
        ("serviceAccountName", settings.service_account.clone()),
        ("caBundle", base64(&webhook_cert.ca_pem)),
        ("secret.ca.crt", base64(&webhook_cert.ca_pem)),
        ("secret.tls.crt", base64(&webhook_cert.cert_pem)),
        ("secret.tls.key", base64(&webhook_cert.key_pem)),
    ]
    .into_iter()
    .collect();

    // Kinds the CRDs define: plural and scope without asking the API server.
    let mut custom: BTreeMap<(String, String), (String, bool)> = BTreeMap::new();
    for crd in &chart.crds {
        let spec = &crd["spec"];
        let (Some(group), Some(kind), Some(plural)) = (
            spec["group"].as_str(),
            spec["names"]["kind"].as_str(),
            spec["names"]["plural"].as_str(),
        ) else {
            return Err(BundleError::Data(format!(
                "CRD {} lacks group or names",
                crd["metadata"]["name"]
            )));
        };
        custom.insert(
            (group.to_owned(), kind.to_owned()),
            (plural.to_owned(), spec["scope"] == "Namespaced"),
        );
    }

    let mut manifests: Vec<Value> = Vec::new();
    if !BUILT_IN_NAMESPACES.contains(&settings.namespace.as_str()) {
        manifests.push(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": { "name": settings.namespace, "labels": { MANAGED_BY_LABEL: MANAGED_BY } },
        }));
    }
    manifests.extend(chart.crds.iter().cloned());
    manifests.extend(chart.objects.iter().cloned());

    let mut objects = Vec::new();
    let mut deployment = None;
    let mut pod_selector = None;
    for mut manifest in manifests {
        substitute(&mut manifest, &values)?;
        let labels = manifest
            .pointer_mut("/metadata")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| BundleError::Data("an object without metadata".into()))?
            .entry("labels")
            .or_insert_with(|| json!({}));
        let labels = labels
            .as_object_mut()
            .ok_or_else(|| BundleError::Data("labels that are not a map".into()))?;
        labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
        labels.insert(BUNDLE_LABEL.into(), LOAD_BALANCER_CONTROLLER.into());

        let reference = reference_of(&manifest, &custom)?;
        let phase = match reference.kind.as_str() {
            "CustomResourceDefinition" => Phase::Crds,
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => Phase::Webhooks,
            "IngressClassParams" => Phase::IngressClassParams,
            "IngressClass" => Phase::IngressClass,
            _ => Phase::Workload,
        };
        match reference.kind.as_str() {
            "Deployment" => {
                let args = manifest
                    .pointer_mut("/spec/template/spec/containers/0/args")
                    .and_then(Value::as_array_mut)
                    .ok_or_else(|| BundleError::Data("the controller container has no args".into()))?;
                args.push(format!("--default-tags={STACK_TAG}={}", settings.stack_name).into());
                let selector = manifest["spec"]["selector"]["matchLabels"]
                    .as_object()
                    .ok_or_else(|| BundleError::Data("the Deployment has no matchLabels".into()))?
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(",");
                pod_selector = Some(selector);
                deployment = Some(reference.clone());
            }
            "ServiceAccount" => {
                if let Some(role_arn) = &settings.irsa_role_arn {
                    manifest["metadata"]["annotations"] = json!({ IRSA_ANNOTATION: role_arn });
                }
            }
            _ => {}
        }
        objects.push(BundleObject {
            phase,
            reference,
            manifest,
        });
    }
    // Stable sort: within a phase the chart's order (service account and RBAC before the Deployment).
    objects.sort_by_key(|o| o.phase);
    Ok(Bundle {
        name: LOAD_BALANCER_CONTROLLER.into(),
        version: chart.app_version.clone(),
        objects,
        deployment: deployment.ok_or_else(|| BundleError::Data("no Deployment in the chart data".into()))?,
        pod_selector: pod_selector.unwrap_or_default(),
        webhook_cert: webhook_cert.clone(),
    })
}

fn check_settings(settings: &ControllerSettings) -> Result<(), BundleError> {
    let dns_label = |value: &str| {
        !value.is_empty()
            && value.len() <= 63
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.starts_with('-')
            && !value.ends_with('-')
    };
    if !dns_label(&settings.namespace) {
        return Err(BundleError::Setting(format!(
            "namespace {:?} is not a Kubernetes namespace name (lowercase letters, digits, '-')",
            settings.namespace
        )));
    }
    let subdomain = |value: &str| !value.is_empty() && value.len() <= 253 && value.split('.').all(dns_label);
    if !subdomain(&settings.service_account) {
        return Err(BundleError::Setting(format!(
            "service account {:?} is not a Kubernetes object name",
            settings.service_account
        )));
    }
    // The stack name ends up in `--default-tags=k=v,...`.
    if settings.stack_name.is_empty() || settings.stack_name.contains([',', '=']) {
        return Err(BundleError::Setting(format!(
            "stack name {:?} cannot be a tag value",
            settings.stack_name
        )));
    }
    crate::token::check_cluster_name(&settings.cluster_name).map_err(|e| BundleError::Setting(e.to_string()))?;
    if !settings.vpc_id.starts_with("vpc-") {
        return Err(BundleError::Setting(format!("{:?} is not a VPC id", settings.vpc_id)));
    }
    Ok(())
}

/// Replaces every `<kumo:NAME>` in every string; an unknown NAME is a data error.
fn substitute(value: &mut Value, values: &BTreeMap<&str, String>) -> Result<(), BundleError> {
    match value {
        Value::String(text) if text.contains("<kumo:") => {
            let mut out = String::new();
            let mut rest = text.as_str();
            while let Some(start) = rest.find("<kumo:") {
                out.push_str(&rest[..start]);
                let after = &rest[start + "<kumo:".len()..];
                let end = after
                    .find('>')
                    .ok_or_else(|| BundleError::Data(format!("unterminated placeholder in {text:?}")))?;
                let name = &after[..end];
                let replacement = values
                    .get(name)
                    .ok_or_else(|| BundleError::Data(format!("unknown placeholder <kumo:{name}>")))?;
                out.push_str(replacement);
                rest = &after[end + 1..];
            }
            out.push_str(rest);
            *text = out;
        }
        Value::Array(items) => {
            for item in items {
                substitute(item, values)?;
            }
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                substitute(item, values)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Plural and scope of the built-in kinds a bundle may hold.
fn built_in(api_version: &str, kind: &str) -> Option<(&'static str, bool)> {
    Some(match (api_version, kind) {
        ("v1", "Namespace") => ("namespaces", false),
        ("v1", "ServiceAccount") => ("serviceaccounts", true),
        ("v1", "Secret") => ("secrets", true),
        ("v1", "ConfigMap") => ("configmaps", true),
        ("v1", "Service") => ("services", true),
        ("apps/v1", "Deployment") => ("deployments", true),
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => ("clusterroles", false),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => ("clusterrolebindings", false),
        ("rbac.authorization.k8s.io/v1", "Role") => ("roles", true),
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => ("rolebindings", true),
        ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration") => ("mutatingwebhookconfigurations", false),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration") => {
            ("validatingwebhookconfigurations", false)
        }
        ("networking.k8s.io/v1", "IngressClass") => ("ingressclasses", false),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition") => ("customresourcedefinitions", false),
        _ => return None,
    })
}

fn reference_of(
    manifest: &Value,
    custom: &BTreeMap<(String, String), (String, bool)>,
) -> Result<ObjectRef, BundleError> {
    let text = |pointer: &str| manifest.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
    let api_version = text("/apiVersion").ok_or_else(|| BundleError::Data("an object without apiVersion".into()))?;
    let kind = text("/kind").ok_or_else(|| BundleError::Data("an object without kind".into()))?;
    let name = text("/metadata/name").ok_or_else(|| BundleError::Data(format!("a {kind} without a name")))?;
    let group = api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
    let (plural, namespaced) = match built_in(&api_version, &kind) {
        Some((plural, namespaced)) => (plural.to_owned(), namespaced),
        None => custom
            .get(&(group.to_owned(), kind.clone()))
            .cloned()
            .ok_or_else(|| BundleError::Data(format!("unknown kind {api_version} {kind}")))?,
    };
    let namespace = text("/metadata/namespace");
    if namespaced != namespace.is_some() {
        return Err(BundleError::Data(format!(
            "{kind} {name}: {} a namespace",
            if namespaced { "lacks" } else { "has" }
        )));
    }
    Ok(ObjectRef {
        api_version,
        kind,
        plural,
        namespace,
        name,
    })
}
