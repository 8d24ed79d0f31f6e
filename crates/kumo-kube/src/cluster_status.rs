//! What `kumo status` shows of the cluster: the Load Balancer Controller (version, ready replicas), its
//! webhook certificate's expiry, and the external-dns add-on's workload. Read-only, three requests.

use std::time::SystemTime;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};

use crate::apply::{ApplyError, api_error};
use crate::bundle;
use crate::cert;

/// A Deployment's readiness and the version its image names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    pub namespace: String,
    pub name: String,
    /// The image tag (`v3.5.0`), or the image if it has none.
    pub version: String,
    pub ready: i32,
    pub wanted: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterStatus {
    /// `None`: kumo's controller is not installed.
    pub controller: Option<Workload>,
    /// `None`: no webhook Secret, or not a certificate.
    pub webhook_cert_expiry: Option<SystemTime>,
    /// The external-dns add-on's Deployments (label `app.kubernetes.io/name=external-dns`).
    pub external_dns: Vec<Workload>,
}

fn workload(deployment: &Deployment) -> Workload {
    let image = deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    let version = image
        .rsplit_once(':')
        .filter(|(_, tag)| !tag.contains('/'))
        .map_or(image.clone(), |(_, tag)| tag.to_owned());
    Workload {
        namespace: deployment.metadata.namespace.clone().unwrap_or_default(),
        name: deployment.metadata.name.clone().unwrap_or_default(),
        version,
        ready: deployment.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0),
        wanted: deployment.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
    }
}

/// Reads the status; `namespace` is the controller's (its service account's).
pub async fn read(client: &kube::Client, namespace: &str) -> Result<ClusterStatus, ApplyError> {
    let names = bundle::webhook_names(namespace)?;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let controller = deployments
        .get_opt(bundle::LOAD_BALANCER_CONTROLLER)
        .await
        .map_err(|e| {
            api_error(
                format!("read Deployment {namespace}/{}", bundle::LOAD_BALANCER_CONTROLLER),
                e,
            )
        })?
        .filter(|d| {
            d.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(bundle::MANAGED_BY_LABEL))
                .map(String::as_str)
                == Some(bundle::MANAGED_BY)
        })
        .map(|d| workload(&d));
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let webhook_cert_expiry = secrets
        .get_opt(&names.secret.name)
        .await
        .map_err(|e| api_error(format!("read {}", names.secret), e))?
        .and_then(|s| s.data)
        .and_then(|data| data.get(cert::CERT_KEY).and_then(|pem| cert::expiry(&pem.0)));
    let all: Api<Deployment> = Api::all(client.clone());
    let external_dns = all
        .list(&ListParams::default().labels("app.kubernetes.io/name=external-dns"))
        .await
        .map_err(|e| api_error("list the external-dns Deployments", e))?
        .items
        .iter()
        .map(workload)
        .collect();
    Ok(ClusterStatus {
        controller,
        webhook_cert_expiry,
        external_dns,
    })
}
