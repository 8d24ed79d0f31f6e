//! The in-cluster step of a destroy against a mock API server (`tower_test::mock`): every Ingress,
//! LoadBalancer Service and Gateway deleted, then polled until the controller has let them go (its
//! finalizer stays until the load balancer is deleted), then kumo's bundle removed; and the bound.

mod support;

use std::time::Duration;

use http::{Request, Response};
use kube::client::Body;
use kumo_deploy::Interrupt;
use kumo_deploy::clock::ManualClock;
use kumo_kube::apply::{INVENTORY_NAME, INVENTORY_NAMESPACE};
use kumo_kube::drain::{DrainEvent, DrainOptions, drain};
use serde_json::{Value, json};
use support::{mock_client, not_found, settings, start_time};

const INGRESSES: &str = "/apis/networking.k8s.io/v1/ingresses?";
const SERVICES: &str = "/api/v1/services?";
const GATEWAYS: &str = "/apis/gateway.networking.k8s.io/v1/gateways?";

fn list(kind: &str, items: Vec<Value>) -> Value {
    json!({"kind": format!("{kind}List"), "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items})
}

fn object(api_version: &str, kind: &str, namespace: &str, name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "finalizers": ["ingress.k8s.aws/resources"],
                     "deletionTimestamp": "2026-11-30T10:00:00Z"},
        "spec": spec,
    })
}

fn ingress() -> Value {
    object(
        "networking.k8s.io/v1",
        "Ingress",
        "default",
        "web",
        json!({"ingressClassName": "alb"}),
    )
}

fn lb_service() -> Value {
    object("v1", "Service", "default", "api", json!({"type": "LoadBalancer"}))
}

fn cluster_ip_service() -> Value {
    object("v1", "Service", "default", "kubernetes", json!({"type": "ClusterIP"}))
}

/// A stand-in API server: the ingress stays `ingress_polls` lists after its delete, the service
/// `service_polls`; gateways are not installed; every delete succeeds. Returns `METHOD path` of each
/// request, in order.
fn serve(
    mut handle: tower_test::mock::Handle<Request<Body>, Response<Body>>,
    ingress_polls: usize,
    service_polls: usize,
) -> tokio::task::JoinHandle<Vec<String>> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        let (mut ingress_lists, mut service_lists) = (0usize, 0usize);
        while let Ok(Some((request, respond))) =
            tokio::time::timeout(Duration::from_millis(200), handle.next_request()).await
        {
            let method = request.method().to_string();
            let uri = request
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default();
            seen.push(format!("{method} {}", uri.split('?').next().unwrap()));
            let (status, body) = match (method.as_str(), uri.as_str()) {
                ("GET", u) if u.starts_with(INGRESSES) => {
                    ingress_lists += 1;
                    let items = if ingress_lists <= 1 + ingress_polls {
                        vec![ingress()]
                    } else {
                        vec![]
                    };
                    (200, list("Ingress", items))
                }
                ("GET", u) if u.starts_with(SERVICES) => {
                    service_lists += 1;
                    let mut items = vec![cluster_ip_service()];
                    if service_lists <= 1 + service_polls {
                        items.push(lb_service());
                    }
                    (200, list("Service", items))
                }
                ("GET", u) if u.starts_with(GATEWAYS) => (404, not_found("gateways", "gateway.networking.k8s.io", "")),
                ("GET", u) if u.contains(INVENTORY_NAME) => (404, not_found("configmaps", "", INVENTORY_NAME)),
                ("DELETE", _) => (200, json!({"kind": "Status", "apiVersion": "v1", "status": "Success"})),
                (method, uri) => panic!("unexpected request {method} {uri}"),
            };
            let response = Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&body).unwrap()))
                .unwrap();
            respond.send_response(response);
        }
        seen
    })
}

#[tokio::test]
async fn deletes_what_makes_load_balancers_waits_for_the_controller_then_removes_the_bundle() {
    let clock = ManualClock::starting_at(start_time());
    let (client, handle) = mock_client(&clock);
    let server = serve(handle, 3, 1);
    let mut events = Vec::new();
    let report = drain(
        &client,
        &settings(),
        &clock,
        &Interrupt::new(),
        &DrainOptions::default(),
        &mut |event| events.push(event),
    )
    .await
    .unwrap();
    let seen = server.await.unwrap();

    let deleted: Vec<String> = report.deleted.iter().map(ToString::to_string).collect();
    assert_eq!(deleted, ["Ingress default/web", "Service default/api"]);
    assert!(report.remaining.is_empty());
    // The first requests: list the three kinds, delete the two objects (the ClusterIP service stays).
    assert_eq!(
        seen[..5],
        [
            "GET /apis/networking.k8s.io/v1/ingresses",
            "GET /api/v1/services",
            "GET /apis/gateway.networking.k8s.io/v1/gateways",
            "DELETE /apis/networking.k8s.io/v1/namespaces/default/ingresses/web",
            "DELETE /api/v1/namespaces/default/services/api",
        ]
    );
    // Then polls until both are gone: the ingress is listed three more times after its delete.
    let waits: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            DrainEvent::Waiting { remaining, .. } => Some(remaining.len()),
            _ => None,
        })
        .collect();
    assert_eq!(waits, [2, 1, 1]);
    // Only after that, the bundle: its inventory read, its objects and the inventory deleted.
    let bundle_start = seen
        .iter()
        .position(|s| s.contains(INVENTORY_NAME) && s.starts_with("GET"))
        .expect("the bundle's inventory is read");
    let last_poll = seen.iter().rposition(|s| s.ends_with("/ingresses")).unwrap();
    assert!(last_poll < bundle_start, "{seen:#?}");
    assert_eq!(events.last(), Some(&DrainEvent::RemovingBundle));
    assert!(!report.bundle_removed.is_empty());
    assert!(
        seen[bundle_start + 1..].iter().all(|s| s.starts_with("DELETE")),
        "{seen:#?}"
    );
    assert_eq!(
        seen.last().unwrap(),
        &format!("DELETE /api/v1/namespaces/{INVENTORY_NAMESPACE}/configmaps/{INVENTORY_NAME}")
    );
}

#[tokio::test]
async fn a_load_balancer_the_controller_never_releases_is_reported_at_the_limit() {
    let clock = ManualClock::starting_at(start_time());
    let (client, handle) = mock_client(&clock);
    let server = serve(handle, usize::MAX - 1, 0);
    let options = DrainOptions {
        limit: Duration::from_secs(60),
        poll_interval: Duration::from_secs(5),
    };
    let mut events = Vec::new();
    let report = drain(&client, &settings(), &clock, &Interrupt::new(), &options, &mut |e| {
        events.push(e)
    })
    .await
    .unwrap();
    server.await.unwrap();
    let remaining: Vec<String> = report.remaining.iter().map(ToString::to_string).collect();
    assert_eq!(remaining, ["Ingress default/web"]);
    assert!(events.iter().any(|e| matches!(e, DrainEvent::GaveUp { .. })));
    // Bounded: it waits after the polls at 0, 5, ..., 55 s and gives up at 60 s; the bundle is still
    // removed, so the controller recreates nothing while the AWS sweep deletes the load balancer.
    let polls = events
        .iter()
        .filter(|e| matches!(e, DrainEvent::Waiting { .. }))
        .count();
    assert_eq!(polls, 12);
    assert!(!report.bundle_removed.is_empty());
}
