//! `cargo xtask manifests [--check]`: kumo's in-cluster bundle data from the vendored Helm chart.
//!
//! Reads `crates/kumo-kube/chart/aws-load-balancer-controller-<version>/` (`rendered-example.yaml`: real
//! `helm template` output; `crds/*.yaml`) and writes `crates/kumo-kube/src/bundle/<chart>.json`:
//!
//! * the CRDs (`crds/`, in file order) and the chart's objects (in `helm template` order, the client-side
//!   `kind: List` unwrapped), comments and `null` fields dropped;
//! * Helm's own labels (`helm.sh/chart`, `app.kubernetes.io/managed-by: Helm`) replaced by
//!   `app.kubernetes.io/managed-by: kumo`;
//! * the install-specific values of the example render turned into `<kumo:NAME>` placeholders that
//!   `kumo_kube::bundle` fills in: cluster name, region, VPC id, namespace, service account name, the
//!   webhook certificate and the CA in every `caBundle`.
//!
//! Every replacement must find what it replaces, and the chart's version, image tag and replica count
//! must agree between `Chart.yaml`, `values.yaml` and the render: a new chart version that changes any of
//! that fails here, loudly, instead of producing a bundle that is quietly wrong.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

/// The pinned chart.
pub const CHART: &str = "aws-load-balancer-controller";
pub const CHART_VERSION: &str = "3.5.0";

/// The values `rendered-example.yaml` was rendered with (see the chart's NOTICE.md).
const EXAMPLE_CLUSTER: &str = "eks-cluster";
const EXAMPLE_REGION: &str = "ap-northeast-1";
const EXAMPLE_VPC: &str = "vpc-123";
const EXAMPLE_NAMESPACE: &str = "kube-system";
const EXAMPLE_SERVICE_ACCOUNT: &str = "aws-load-balancer-controller";
const BLANKED_CERT: &str = "<generated at install>";
const BLANKED_CA_BUNDLE: &str = "<the generated CA, base64>";

fn chart_dir(root: &Path) -> PathBuf {
    root.join("crates/kumo-kube/chart")
        .join(format!("{CHART}-{CHART_VERSION}"))
}

fn output_path(root: &Path) -> PathBuf {
    root.join("crates/kumo-kube/src/bundle").join(format!("{CHART}.json"))
}

/// Writes the bundle data; returns a one-line report.
pub fn write(root: &Path) -> Result<String> {
    let (text, crds, objects) = generate(root)?;
    let path = output_path(root);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(format!(
        "wrote {} ({crds} CRDs, {objects} objects) from {}",
        path.strip_prefix(root).unwrap_or(&path).display(),
        chart_dir(root).strip_prefix(root).unwrap_or(&chart_dir(root)).display()
    ))
}

/// `Ok(true)` when the file on disk is exactly what [`write`] would write.
pub fn check(root: &Path) -> Result<bool> {
    let (text, _, _) = generate(root)?;
    let path = output_path(root);
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    Ok(on_disk == text)
}

fn generate(root: &Path) -> Result<(String, usize, usize)> {
    let dir = chart_dir(root);
    let chart = read_yaml_docs(&dir.join("Chart.yaml"))?
        .into_iter()
        .next()
        .context("Chart.yaml is empty")?;
    let values = read_yaml_docs(&dir.join("values.yaml"))?
        .into_iter()
        .next()
        .context("values.yaml is empty")?;
    ensure!(
        chart["version"] == CHART_VERSION,
        "Chart.yaml says version {}, xtask pins {CHART_VERSION}",
        chart["version"]
    );
    let app_version = chart["appVersion"]
        .as_str()
        .context("Chart.yaml has no appVersion")?
        .to_owned();
    let image = format!(
        "{}:{}",
        values["image"]["repository"]
            .as_str()
            .context("values.yaml: image.repository")?,
        values["image"]["tag"].as_str().context("values.yaml: image.tag")?
    );
    ensure!(
        image.ends_with(&format!(":{app_version}")),
        "values.yaml's image {image} is not the chart's appVersion {app_version}"
    );
    let replicas = values["replicaCount"].as_u64().context("values.yaml: replicaCount")?;

    let mut crd_files: Vec<PathBuf> = std::fs::read_dir(dir.join("crds"))
        .with_context(|| format!("reading {}", dir.join("crds").display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    // Helm installs crds/ in file-name order.
    crd_files.sort();
    let mut crds = Vec::new();
    for file in crd_files.iter().filter(|f| f.extension().is_some_and(|e| e == "yaml")) {
        for doc in read_yaml_docs(file)? {
            if doc["kind"] == "CustomResourceDefinition" {
                crds.push(normalize(doc));
            }
        }
    }
    ensure!(
        !crds.is_empty(),
        "no CustomResourceDefinition in {}",
        dir.join("crds").display()
    );

    let mut objects = Vec::new();
    for doc in read_yaml_docs(&dir.join("rendered-example.yaml"))? {
        if doc["kind"] == "List" {
            for item in doc["items"].as_array().context("a List without items")? {
                objects.push(normalize(item.clone()));
            }
        } else {
            objects.push(normalize(doc));
        }
    }
    let mut placeholders = Placeholders::default();
    for object in &mut objects {
        placeholders.apply(object)?;
    }
    placeholders.all_found()?;

    let deployment = objects
        .iter()
        .find(|o| o["kind"] == "Deployment")
        .context("the render has no Deployment")?;
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    ensure!(
        container["image"] == image.as_str(),
        "the render's image {} is not {image}",
        container["image"]
    );
    ensure!(
        deployment["spec"]["replicas"] == replicas,
        "the render's replica count differs from values.yaml"
    );

    let document = json!({
        "chart": CHART,
        "chartVersion": CHART_VERSION,
        "appVersion": app_version,
        "image": image,
        "generatedBy": "cargo xtask manifests (from crates/kumo-kube/chart/; do not edit)",
        "crds": crds,
        "objects": objects,
    });
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok((text, crds.len(), objects.len()))
}

fn read_yaml_docs(path: &Path) -> Result<Vec<Value>> {
    use serde::Deserialize as _;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut docs = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(&text) {
        let value = Value::deserialize(document).with_context(|| format!("parsing {}", path.display()))?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}

/// Drops `null` fields (an empty `objectSelector:` in the template) and replaces Helm's labels.
fn normalize(mut value: Value) -> Value {
    drop_nulls(&mut value);
    if let Some(labels) = value.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.shift_remove("helm.sh/chart");
        if labels.contains_key("app.kubernetes.io/managed-by") {
            labels.insert("app.kubernetes.io/managed-by".into(), "kumo".into());
        }
    }
    value
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The replacements, each counted so that one that finds nothing is an error.
#[derive(Default)]
struct Placeholders {
    found: std::collections::BTreeMap<&'static str, usize>,
}

impl Placeholders {
    fn hit(&mut self, name: &'static str) {
        *self.found.entry(name).or_default() += 1;
    }

    fn apply(&mut self, object: &mut Value) -> Result<()> {
        let kind = object["kind"].as_str().unwrap_or_default().to_owned();
        // Namespaced objects live in the controller's namespace.
        if let Some(namespace) = object.pointer_mut("/metadata/namespace") {
            ensure!(*namespace == EXAMPLE_NAMESPACE, "{kind} in namespace {namespace}");
            *namespace = "<kumo:namespace>".into();
            self.hit("metadata.namespace");
        }
        match kind.as_str() {
            "ServiceAccount" => {
                set_expected(
                    object,
                    "/metadata/name",
                    EXAMPLE_SERVICE_ACCOUNT,
                    "<kumo:serviceAccountName>",
                )?;
                self.hit("serviceAccount");
            }
            "ClusterRoleBinding" | "RoleBinding" => {
                for subject in object["subjects"]
                    .as_array_mut()
                    .context("a binding without subjects")?
                {
                    ensure!(
                        subject["kind"] == "ServiceAccount",
                        "{kind} binds a {}",
                        subject["kind"]
                    );
                    set_expected(subject, "/name", EXAMPLE_SERVICE_ACCOUNT, "<kumo:serviceAccountName>")?;
                    set_expected(subject, "/namespace", EXAMPLE_NAMESPACE, "<kumo:namespace>")?;
                    self.hit("binding subject");
                }
            }
            "Secret" => {
                let data = object["data"]
                    .as_object_mut()
                    .context("the webhook Secret has no data")?;
                for (key, value) in data.iter_mut() {
                    ensure!(
                        *value == BLANKED_CERT,
                        "Secret data {key} is not the blanked certificate"
                    );
                    *value = format!("<kumo:secret.{key}>").into();
                    self.hit("secret data");
                }
            }
            "Deployment" => {
                let spec = object
                    .pointer_mut("/spec/template/spec")
                    .context("Deployment pod spec")?;
                set_expected(
                    spec,
                    "/serviceAccountName",
                    EXAMPLE_SERVICE_ACCOUNT,
                    "<kumo:serviceAccountName>",
                )?;
                let args = spec
                    .pointer_mut("/containers/0/args")
                    .and_then(Value::as_array_mut)
                    .context("the controller container has no args")?;
                for (flag, example, placeholder) in [
                    ("--cluster-name=", EXAMPLE_CLUSTER, "<kumo:clusterName>"),
                    ("--aws-region=", EXAMPLE_REGION, "<kumo:region>"),
                    ("--aws-vpc-id=", EXAMPLE_VPC, "<kumo:vpcId>"),
                ] {
                    let arg = args
                        .iter_mut()
                        .find(|a| a.as_str().is_some_and(|s| s.starts_with(flag)))
                        .with_context(|| format!("the controller has no {flag} argument"))?;
                    ensure!(*arg == format!("{flag}{example}").as_str(), "unexpected argument {arg}");
                    *arg = format!("{flag}{placeholder}").into();
                    self.hit("deployment args");
                }
                self.hit("deployment");
            }
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
                for webhook in object["webhooks"].as_array_mut().context("webhooks")? {
                    let config = webhook.get_mut("clientConfig").context("webhook clientConfig")?;
                    set_expected(config, "/caBundle", BLANKED_CA_BUNDLE, "<kumo:caBundle>")?;
                    set_expected(config, "/service/namespace", EXAMPLE_NAMESPACE, "<kumo:namespace>")?;
                    self.hit("caBundle");
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn all_found(&self) -> Result<()> {
        for name in [
            "metadata.namespace",
            "serviceAccount",
            "binding subject",
            "secret data",
            "deployment",
            "deployment args",
            "caBundle",
        ] {
            if !self.found.contains_key(name) {
                bail!(
                    "the chart render has no {name} to parameterise: has the chart changed? update xtask/src/manifests.rs"
                );
            }
        }
        Ok(())
    }
}

fn set_expected(value: &mut Value, pointer: &str, expected: &str, replacement: &str) -> Result<()> {
    let field = value.pointer_mut(pointer).with_context(|| format!("no {pointer}"))?;
    ensure!(*field == expected, "{pointer} is {field}, expected {expected:?}");
    *field = Value::String(replacement.to_owned());
    Ok(())
}
