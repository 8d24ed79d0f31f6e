//! Before a destroy: let the Load Balancer Controller remove what it made. Deleting every Ingress,
//! Service of type LoadBalancer and Gateway makes the controller delete their load balancers, target
//! groups and security groups; it holds each object with a finalizer until that is done, so the objects
//! disappearing is the signal. Then kumo's own bundle (the controller) goes, so nothing recreates them.
//! Bounded: what is still there at the limit is reported, and the AWS sweep that follows removes the
//! load balancers directly (the LBC maintainers' advice, and eksctl's order).

use std::collections::BTreeSet;
use std::time::Duration;

use kube::api::{Api, DeleteParams, DynamicObject, ListParams};
use kumo_deploy::Interrupt;
use kumo_deploy::clock::Clock;

use crate::apply::{ApplyError, api_error, remove_load_balancer_controller};
use crate::bundle::{ControllerSettings, ObjectRef};

#[derive(Clone, Debug)]
pub struct DrainOptions {
    /// How long to wait for the controller to remove its load balancers (eksctl: 10 minutes).
    pub limit: Duration,
    pub poll_interval: Duration,
}

impl Default for DrainOptions {
    fn default() -> Self {
        DrainOptions {
            limit: Duration::from_secs(10 * 60),
            poll_interval: Duration::from_secs(5),
        }
    }
}

/// What the drain is doing, for progress lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrainEvent {
    Deleting(ObjectRef),
    /// Deleted objects the controller still holds (its load balancers are not gone yet).
    Waiting {
        remaining: Vec<ObjectRef>,
        waited: Duration,
    },
    /// The limit passed with these still held; the AWS sweep takes over.
    GaveUp {
        remaining: Vec<ObjectRef>,
    },
    RemovingBundle,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// The Ingresses, Services and Gateways deleted.
    pub deleted: Vec<ObjectRef>,
    /// Those still present at the limit.
    pub remaining: Vec<ObjectRef>,
    /// kumo's bundle objects removed afterwards.
    pub bundle_removed: Vec<ObjectRef>,
}

/// The kinds whose objects make the controller create load balancers.
fn kinds() -> [ObjectRef; 3] {
    let kind = |api_version: &str, kind: &str, plural: &str| ObjectRef {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        plural: plural.to_owned(),
        namespace: None,
        name: String::new(),
    };
    [
        kind("networking.k8s.io/v1", "Ingress", "ingresses"),
        kind("v1", "Service", "services"),
        kind("gateway.networking.k8s.io/v1", "Gateway", "gateways"),
    ]
}

/// Every object cluster-wide that makes a load balancer: Ingresses, `LoadBalancer` Services, Gateways
/// (a cluster without the Gateway API has none).
pub async fn load_balancer_objects(client: &kube::Client) -> Result<Vec<ObjectRef>, ApplyError> {
    let mut found = Vec::new();
    for kind in kinds() {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &kind.api_resource());
        let list = match api.list(&ListParams::default()).await {
            Ok(list) => list,
            // No such API in this cluster (no Gateway CRDs): nothing of that kind.
            Err(kube::Error::Api(status)) if status.code == 404 => continue,
            Err(e) => return Err(api_error(format!("list {}", kind.plural), e)),
        };
        for object in list.items {
            if kind.kind == "Service" && object.data["spec"]["type"] != "LoadBalancer" {
                continue;
            }
            found.push(ObjectRef {
                namespace: object.metadata.namespace.clone(),
                name: object.metadata.name.clone().unwrap_or_default(),
                ..kind.clone()
            });
        }
    }
    found.sort();
    Ok(found)
}

/// Deletes the load-balancer-making objects, waits (bounded) until the controller has let them go,
/// then removes kumo's bundle. A Ctrl-C stops between calls (`ApplyError::Interrupted`).
pub async fn drain(
    client: &kube::Client,
    settings: &ControllerSettings,
    clock: &dyn Clock,
    interrupt: &Interrupt,
    options: &DrainOptions,
    on_event: &mut dyn FnMut(DrainEvent),
) -> Result<DrainReport, ApplyError> {
    let mut report = DrainReport::default();
    for object in load_balancer_objects(client).await? {
        if interrupt.is_triggered() {
            return Err(ApplyError::Interrupted);
        }
        on_event(DrainEvent::Deleting(object.clone()));
        let api: Api<DynamicObject> = match &object.namespace {
            Some(namespace) => Api::namespaced_with(client.clone(), namespace, &object.api_resource()),
            None => Api::all_with(client.clone(), &object.api_resource()),
        };
        match api.delete(&object.name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(e) => return Err(api_error(format!("delete {object}"), e)),
        }
        report.deleted.push(object);
    }
    let started = clock.now();
    let deleted: BTreeSet<&ObjectRef> = report.deleted.iter().collect();
    loop {
        let remaining: Vec<ObjectRef> = load_balancer_objects(client)
            .await?
            .into_iter()
            .filter(|o| deleted.contains(o))
            .collect();
        if remaining.is_empty() {
            break;
        }
        let waited = clock.now().duration_since(started).unwrap_or_default();
        if waited + options.poll_interval > options.limit {
            on_event(DrainEvent::GaveUp {
                remaining: remaining.clone(),
            });
            report.remaining = remaining;
            break;
        }
        on_event(DrainEvent::Waiting { remaining, waited });
        tokio::select! {
            () = clock.sleep(options.poll_interval) => {}
            () = interrupt.triggered() => return Err(ApplyError::Interrupted),
        }
    }
    if interrupt.is_triggered() {
        return Err(ApplyError::Interrupted);
    }
    on_event(DrainEvent::RemovingBundle);
    report.bundle_removed = remove_load_balancer_controller(client, settings, false).await?;
    Ok(report)
}
