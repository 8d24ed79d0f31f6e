//! A Kubernetes API server stand-in for the apply engine's tests: `tower_test::mock` answers each request
//! with a response recorded from a real API server (shapes in `tests/recorded/`), after asserting the
//! request's method, path, query and body, in order. Time is a manual clock.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use http::{Request, Response};
use kube::client::Body;
use kumo_deploy::clock::{Clock, ManualClock};
use kumo_kube::apply::{ApplyEvent, ApplyUi};
use kumo_kube::bundle::ControllerSettings;
use kumo_kube::token::{self, TokenSource};
use serde_json::Value;

pub const CLUSTER: &str = "eks-cluster";
pub const REGION: &str = "eu-west-1";

pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_040_000)
}

pub fn credentials() -> Credentials {
    Credentials::new(
        "ASIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some("session-token".into()),
        None,
        "test",
    )
}

pub fn settings() -> ControllerSettings {
    ControllerSettings {
        stack_name: "MyEKSStack".into(),
        cluster_name: CLUSTER.into(),
        region: REGION.into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        namespace: "kube-system".into(),
        service_account: "aws-load-balancer-controller".into(),
        irsa_role_arn: None,
    }
}

/// One expected request and the answer to it.
pub struct Exchange {
    pub method: &'static str,
    /// Path and query exactly as sent.
    pub uri: String,
    pub body: Expect,
    pub status: u16,
    pub response: Value,
}

pub enum Expect {
    /// No body (GET, LIST).
    Empty,
    /// This JSON exactly.
    Json(Value),
    /// Any JSON, kept for inspection.
    Capture,
    /// A JSON body accepted by this check.
    Check(Box<dyn Fn(&Value) + Send>),
}

pub fn get(uri: impl Into<String>, status: u16, response: Value) -> Exchange {
    Exchange {
        method: "GET",
        uri: uri.into(),
        body: Expect::Empty,
        status,
        response,
    }
}

/// A server-side apply; the recorded answer is the object as stored.
pub fn apply(uri: impl Into<String>, body: Expect, response: Value) -> Exchange {
    Exchange {
        method: "PATCH",
        uri: uri.into(),
        body,
        status: 200,
        response,
    }
}

pub fn delete(uri: impl Into<String>, response: Value) -> Exchange {
    Exchange {
        method: "DELETE",
        uri: uri.into(),
        // kube sends the DeleteParams as the body.
        body: Expect::Check(Box::new(|body| {
            assert_eq!(body["propagationPolicy"], "Background", "{body}");
        })),
        status: 200,
        response,
    }
}

/// What the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub body: Option<Value>,
    pub authorization: String,
    pub at: SystemTime,
}

/// Runs `exchanges` against the engine's requests; returns what it saw. Panics (failing the test) on
/// the first request that differs, naming its position.
pub fn serve(
    mut handle: tower_test::mock::Handle<Request<Body>, Response<Body>>,
    exchanges: Vec<Exchange>,
    clock: ManualClock,
) -> tokio::task::JoinHandle<Vec<Seen>> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        for (index, exchange) in exchanges.into_iter().enumerate() {
            let Some((request, respond)) = handle.next_request().await else {
                panic!(
                    "request #{index} ({} {}) was never sent; the engine stopped after {} requests",
                    exchange.method,
                    exchange.uri,
                    seen.len()
                );
            };
            let method = request.method().to_string();
            let uri = request
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default();
            let authorization = request
                .headers()
                .get(http::header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let bytes = request.into_body().collect_bytes().await.unwrap();
            let body =
                (!bytes.is_empty()).then(|| serde_json::from_slice::<Value>(&bytes).expect("request body is JSON"));
            assert_eq!(
                (method.as_str(), uri.as_str()),
                (exchange.method, exchange.uri.as_str()),
                "request #{index}"
            );
            match (&exchange.body, &body) {
                (Expect::Empty, None) | (Expect::Capture, Some(_)) => {}
                (Expect::Json(expected), Some(actual)) => {
                    assert_eq!(actual, expected, "body of request #{index} ({method} {uri})")
                }
                (Expect::Check(check), Some(actual)) => check(actual),
                (_, actual) => panic!("request #{index} ({method} {uri}): unexpected body {actual:?}"),
            }
            seen.push(Seen {
                method,
                uri,
                body,
                authorization,
                at: clock.now(),
            });
            let response = Response::builder()
                .status(exchange.status)
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&exchange.response).unwrap()))
                .unwrap();
            respond.send_response(response);
        }
        if let Ok(Some((request, _))) = tokio::time::timeout(Duration::from_millis(50), handle.next_request()).await {
            panic!("unexpected extra request {} {}", request.method(), request.uri());
        }
        seen
    })
}

/// A client over the mock, with a token source on the manual clock.
pub fn mock_client(clock: &ManualClock) -> (kube::Client, tower_test::mock::Handle<Request<Body>, Response<Body>>) {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let tokens = TokenSource::new(
        CLUSTER,
        REGION,
        SharedCredentialsProvider::new(credentials()),
        Arc::new(clock.clone()),
    )
    .unwrap();
    (kumo_kube::access::client_over(service, tokens), handle)
}

/// The `Authorization` header for a token signed at `at`.
pub fn bearer_at(at: SystemTime) -> String {
    format!(
        "Bearer {}",
        token::token(CLUSTER, REGION, &credentials(), at).unwrap().value
    )
}

/// Records events.
#[derive(Default, Clone)]
pub struct Recorder(pub Arc<Mutex<Vec<ApplyEvent>>>);

impl ApplyUi for Recorder {
    fn event(&mut self, event: ApplyEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<ApplyEvent> {
        self.0.lock().unwrap().clone()
    }
}

/// A recorded response file from `tests/recorded/`.
pub fn recorded(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/recorded")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The API server's `Status` for a missing object (as recorded: `kubectl get --raw` of a missing name).
pub fn not_found(resource: &str, group: &str, name: &str) -> Value {
    let qualified = if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    };
    let mut details = serde_json::json!({ "name": name, "kind": resource });
    if !group.is_empty() {
        details["group"] = group.into();
    }
    serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("{qualified} \"{name}\" not found"),
        "reason": "NotFound",
        "details": details,
        "code": 404
    })
}

/// What the server answers an apply with: the object with server-set metadata.
pub fn stored(manifest: &Value) -> Value {
    let mut object = manifest.clone();
    object["metadata"]["uid"] = "5f0c2f6e-8d7c-4b0e-9a51-0d6a3c1b2e47".into();
    object["metadata"]["resourceVersion"] = "4711".into();
    object["metadata"]["generation"] = 1.into();
    object["metadata"]["creationTimestamp"] = "2026-11-30T12:00:00Z".into();
    object
}
