//! The apply engine against a mock API server (`tower_test::mock`) answering with recorded responses:
//! every request's method, path, query and body is asserted, in order. No test sleeps: waits run on a
//! manual clock.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use kumo_deploy::Interrupt;
use kumo_deploy::clock::ManualClock;
use kumo_kube::apply::{Applier, ApplyError, ApplyEvent, ApplyOptions, CertificateOutcome};
use kumo_kube::bundle::{self, ObjectRef, Phase};
use kumo_kube::cert::{self, WebhookCert};
use serde_json::{Value, json};
use support::*;

const INVENTORY: &str = "/api/v1/namespaces/kube-system/configmaps/kumo-bundle-aws-load-balancer-controller";
const SECRET: &str = "/api/v1/namespaces/kube-system/secrets/aws-load-balancer-tls";
const DEPLOYMENT: &str = "/apis/apps/v1/namespaces/kube-system/deployments/aws-load-balancer-controller";
const PODS: &str = "/api/v1/namespaces/kube-system/pods?&labelSelector=app.kubernetes.io%2Fname%3Daws-load-balancer-controller%2Capp.kubernetes.io%2Finstance%3Daws-load-balancer-controller";

const CRDS: [&str; 7] = [
    "albtargetcontrolconfigs.elbv2.k8s.aws",
    "globalaccelerators.aga.k8s.aws",
    "ingressclassparams.elbv2.k8s.aws",
    "targetgroupbindings.elbv2.k8s.aws",
    "listenerruleconfigurations.gateway.k8s.aws",
    "loadbalancerconfigurations.gateway.k8s.aws",
    "targetgroupconfigurations.gateway.k8s.aws",
];

/// The workload phase, in the chart's order.
const WORKLOAD: [&str; 8] = [
    "/api/v1/namespaces/kube-system/serviceaccounts/aws-load-balancer-controller",
    SECRET,
    "/apis/rbac.authorization.k8s.io/v1/clusterroles/aws-load-balancer-controller-role",
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/aws-load-balancer-controller-rolebinding",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles/aws-load-balancer-controller-leader-election-role",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/aws-load-balancer-controller-leader-election-rolebinding",
    "/api/v1/namespaces/kube-system/services/aws-load-balancer-webhook-service",
    DEPLOYMENT,
];

const AFTER_ROLLOUT: [&str; 4] = [
    "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/aws-load-balancer-webhook",
    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/aws-load-balancer-webhook",
    "/apis/elbv2.k8s.aws/v1beta1/ingressclassparams/alb",
    "/apis/networking.k8s.io/v1/ingressclasses/alb",
];

fn crd_path(name: &str) -> String {
    format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
}

/// Server-side apply: field manager `kumo`, forced.
fn ssa(path: &str) -> String {
    format!("{path}?&force=true&fieldManager=kumo")
}

fn options() -> ApplyOptions {
    ApplyOptions {
        poll_interval: Duration::from_secs(5),
        crd_timeout: Duration::from_secs(60),
        deployment_timeout: Duration::from_secs(300),
        stuck_after: Duration::from_secs(60),
    }
}

/// The manifest the engine must send for `path`, rendered with `cert`.
fn manifest(cert: &WebhookCert, path: &str) -> Value {
    let rendered = bundle::load_balancer_controller(&settings(), cert).unwrap();
    rendered
        .objects
        .iter()
        .find(|o| path.ends_with(&format!("/{}/{}", o.reference.plural, o.reference.name)))
        .unwrap_or_else(|| panic!("no object for {path}"))
        .manifest
        .clone()
}

fn crd_with_status(cert: &WebhookCert, name: &str, status: &str) -> Value {
    let mut crd = stored(&manifest(cert, &crd_path(name)));
    crd["status"] = recorded(status);
    crd
}

fn deployment_with_status(cert: &WebhookCert, status: &str) -> Value {
    let mut deployment = stored(&manifest(cert, DEPLOYMENT));
    deployment["status"] = recorded(status);
    deployment
}

/// Replaces certificate material by a marker, so bodies made with an unknown new certificate compare.
fn without_cert(value: &Value) -> Value {
    let mut value = value.clone();
    if value["kind"] == "Secret" {
        for key in ["ca.crt", "tls.crt", "tls.key"] {
            value["data"][key] = "<cert>".into();
        }
    }
    if let Some(webhooks) = value["webhooks"].as_array_mut() {
        for webhook in webhooks {
            webhook["clientConfig"]["caBundle"] = "<ca>".into();
        }
    }
    value
}

fn inventory_objects(body: &Value) -> Vec<ObjectRef> {
    serde_json::from_str(body["data"]["objects"].as_str().expect("inventory objects")).unwrap()
}

fn all_references() -> Vec<ObjectRef> {
    let mut references = bundle::load_balancer_controller(&settings(), &placeholder_cert())
        .unwrap()
        .references();
    references.sort();
    references
}

fn placeholder_cert() -> WebhookCert {
    WebhookCert {
        ca_pem: String::new(),
        cert_pem: String::new(),
        key_pem: String::new(),
        not_after: start_time(),
    }
}

fn inventory_configmap(objects: &[ObjectRef]) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "kumo-bundle-aws-load-balancer-controller",
            "namespace": "kube-system",
            "labels": { "app.kubernetes.io/managed-by": "kumo", "kumo/bundle": "aws-load-balancer-controller" },
            "resourceVersion": "5001",
        },
        "data": { "version": "v3.5.0", "objects": serde_json::to_string(objects).unwrap() },
    })
}

fn secret_holding(cert: &WebhookCert, managed_by: &str) -> Value {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut secret = stored(&manifest(cert, SECRET));
    secret["metadata"]["labels"]["app.kubernetes.io/managed-by"] = managed_by.into();
    secret["data"] =
        json!({ "ca.crt": b64(&cert.ca_pem), "tls.crt": b64(&cert.cert_pem), "tls.key": b64(&cert.key_pem) });
    secret
}

/// The applies after the inventory: CRDs (+ established), workload, rollout, webhooks and classes.
/// `exact`: the certificate the bodies must carry; `None`: a new one, checked for consistency.
fn install_exchanges(cert: &WebhookCert, exact: bool, captured_ca: Arc<Mutex<Option<String>>>) -> Vec<Exchange> {
    let body = |path: &str| -> Expect {
        let expected = manifest(cert, path);
        if exact {
            return Expect::Json(expected);
        }
        let captured = captured_ca.clone();
        Expect::Check(Box::new(move |actual: &Value| {
            assert_eq!(without_cert(actual), without_cert(&expected));
            if actual["kind"] == "Secret" {
                *captured.lock().unwrap() = actual["data"]["ca.crt"].as_str().map(str::to_owned);
            }
            if let Some(webhooks) = actual["webhooks"].as_array() {
                let ca = captured
                    .lock()
                    .unwrap()
                    .clone()
                    .expect("the Secret is applied before the webhooks");
                for webhook in webhooks {
                    assert_eq!(
                        webhook["clientConfig"]["caBundle"],
                        ca.as_str(),
                        "caBundle is the Secret's CA"
                    );
                }
            }
        }))
    };
    let mut exchanges = Vec::new();
    for name in CRDS {
        let path = crd_path(name);
        exchanges.push(apply(ssa(&path), body(&path), stored(&manifest(cert, &path))));
    }
    for name in CRDS {
        exchanges.push(get(
            crd_path(name),
            200,
            crd_with_status(cert, name, "crd-status-established.json"),
        ));
    }
    for path in WORKLOAD {
        exchanges.push(apply(ssa(path), body(path), stored(&manifest(cert, path))));
    }
    exchanges.push(get(
        DEPLOYMENT,
        200,
        deployment_with_status(cert, "deployment-status-progressing.json"),
    ));
    exchanges.push(get(PODS, 200, recorded("pods-starting.json")));
    exchanges.push(get(
        DEPLOYMENT,
        200,
        deployment_with_status(cert, "deployment-status-available.json"),
    ));
    for path in AFTER_ROLLOUT {
        exchanges.push(apply(ssa(path), body(path), stored(&manifest(cert, path))));
    }
    exchanges
}

/// An apply whose body must be exactly the rendered manifest.
fn exact_apply(cert: &WebhookCert, path: &str) -> Exchange {
    apply(
        ssa(path),
        Expect::Json(manifest(cert, path)),
        stored(&manifest(cert, path)),
    )
}

/// With a known certificate: the CRDs applied and established at once, then the workload applied.
fn up_to_the_rollout(cert: &WebhookCert) -> Vec<Exchange> {
    let mut exchanges: Vec<Exchange> = CRDS.iter().map(|name| exact_apply(cert, &crd_path(name))).collect();
    for name in CRDS {
        exchanges.push(get(
            crd_path(name),
            200,
            crd_with_status(cert, name, "crd-status-established.json"),
        ));
    }
    exchanges.extend(WORKLOAD.iter().map(|path| exact_apply(cert, path)));
    exchanges
}

async fn run(
    exchanges: Vec<Exchange>,
    options: ApplyOptions,
    clock: &ManualClock,
) -> (
    Result<kumo_kube::apply::ApplyReport, ApplyError>,
    Vec<Seen>,
    Vec<ApplyEvent>,
) {
    let (client, handle) = mock_client(clock);
    let server = serve(handle, exchanges, clock.clone());
    let recorder = Recorder::default();
    let mut ui = recorder.clone();
    let mut applier = Applier {
        client,
        clock: Arc::new(clock.clone()),
        interrupt: Interrupt::new(),
        options,
        ui: &mut ui,
    };
    let result = applier.apply_load_balancer_controller(&settings()).await;
    drop(applier);
    let seen = server
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    (result, seen, recorder.events())
}

#[tokio::test]
async fn first_install_applies_in_order_with_a_new_certificate() {
    let clock = ManualClock::starting_at(start_time());
    let captured = Arc::new(Mutex::new(None));
    let mut exchanges = vec![
        get(
            INVENTORY,
            404,
            not_found("configmaps", "", "kumo-bundle-aws-load-balancer-controller"),
        ),
        get(SECRET, 404, not_found("secrets", "", "aws-load-balancer-tls")),
        apply(
            ssa(INVENTORY),
            Expect::Check(Box::new(|body| {
                assert_eq!(inventory_objects(body), all_references());
                assert_eq!(
                    body["metadata"]["labels"]["kumo/bundle"],
                    "aws-load-balancer-controller"
                );
            })),
            inventory_configmap(&all_references()),
        ),
    ];
    exchanges.extend(install_exchanges(&placeholder_cert(), false, captured.clone()));
    let (result, seen, events) = run(exchanges, options(), &clock).await;
    let report = result.unwrap();

    assert_eq!(report.applied, 19);
    assert!(report.pruned.is_empty());
    assert!(matches!(report.certificate, CertificateOutcome::Generated { .. }));
    // The certificate the Secret got is a valid one for the webhook Service, signed by the CA that
    // every caBundle carries.
    let secret = seen
        .iter()
        .find(|s| s.uri == ssa(SECRET))
        .unwrap()
        .body
        .clone()
        .unwrap();
    let decode = |key: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(secret["data"][key].as_str().unwrap())
            .unwrap()
    };
    let cert = cert::reusable(
        Some(&decode("ca.crt")),
        Some(&decode("tls.crt")),
        Some(&decode("tls.key")),
        "aws-load-balancer-webhook-service",
        "kube-system",
        start_time(),
    )
    .unwrap();
    assert_eq!(cert.not_after, start_time() + cert::VALIDITY);
    // Every request carried the token for this cluster.
    assert!(seen.iter().all(|s| s.authorization == bearer_at(start_time())));
    // Progress: each phase announced, the waits reported.
    let phases: Vec<Phase> = events
        .iter()
        .filter_map(|e| match e {
            ApplyEvent::Applying { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect();
    assert_eq!(
        phases,
        [
            Phase::Crds,
            Phase::Workload,
            Phase::Webhooks,
            Phase::IngressClassParams,
            Phase::IngressClass
        ]
    );
    assert!(events.iter().any(|e| matches!(e, ApplyEvent::Waiting { what, detail, .. }
        if what.contains("Deployment kube-system/aws-load-balancer-controller") && detail.contains("0 of 2 available"))));
}

#[tokio::test]
async fn reapplying_an_unchanged_bundle_reuses_the_certificate_and_writes_no_inventory() {
    let clock = ManualClock::starting_at(start_time());
    let existing = cert::generate(
        "aws-load-balancer-webhook-service",
        "kube-system",
        start_time() - Duration::from_secs(86_400),
    )
    .unwrap();
    let mut exchanges = vec![
        get(INVENTORY, 200, inventory_configmap(&all_references())),
        get(SECRET, 200, secret_holding(&existing, "kumo")),
    ];
    exchanges.extend(install_exchanges(&existing, true, Arc::default()));
    let (result, seen, events) = run(exchanges, options(), &clock).await;
    let report = result.unwrap();
    assert_eq!(
        report.certificate,
        CertificateOutcome::Reused {
            not_after: existing.not_after
        }
    );
    assert!(events.contains(&ApplyEvent::Certificate(report.certificate.clone())));
    assert!(
        seen.iter().all(|s| s.uri != ssa(INVENTORY)),
        "the inventory is unchanged"
    );
}

#[tokio::test]
async fn an_upgrade_prunes_what_is_no_longer_shipped_but_keeps_a_crd_in_use() {
    let clock = ManualClock::starting_at(start_time());
    let existing = cert::generate("aws-load-balancer-webhook-service", "kube-system", start_time()).unwrap();
    let retired_role = ObjectRef {
        api_version: "rbac.authorization.k8s.io/v1".into(),
        kind: "Role".into(),
        plural: "roles".into(),
        namespace: Some("kube-system".into()),
        name: "aws-load-balancer-controller-retired".into(),
    };
    let retired_crd = ObjectRef {
        api_version: "apiextensions.k8s.io/v1".into(),
        kind: "CustomResourceDefinition".into(),
        plural: "customresourcedefinitions".into(),
        namespace: None,
        name: "oldthings.elbv2.k8s.aws".into(),
    };
    let mut previous = all_references();
    previous.push(retired_role.clone());
    previous.push(retired_crd.clone());
    previous.sort();
    let mut exchanges = vec![
        get(INVENTORY, 200, inventory_configmap(&previous)),
        get(SECRET, 200, secret_holding(&existing, "kumo")),
    ];
    exchanges.extend(install_exchanges(&existing, true, Arc::default()));
    // The retired Role goes; the retired CRD still has a resource, so it stays.
    exchanges.push(delete(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles/aws-load-balancer-controller-retired?",
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": {"name": "aws-load-balancer-controller-retired", "group": "rbac.authorization.k8s.io", "kind": "roles", "uid": "0b1e"}}),
    ));
    exchanges.push(get(
        crd_path("oldthings.elbv2.k8s.aws"),
        200,
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "oldthings.elbv2.k8s.aws", "resourceVersion": "17"},
            "spec": {"group": "elbv2.k8s.aws", "scope": "Namespaced",
                "names": {"kind": "OldThing", "plural": "oldthings", "singular": "oldthing", "listKind": "OldThingList"},
                "versions": [{"name": "v1beta1", "served": true, "storage": true}]}
        }),
    ));
    exchanges.push(get(
        "/apis/elbv2.k8s.aws/v1beta1/oldthings?&limit=1",
        200,
        json!({"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "OldThingList", "metadata": {"resourceVersion": "99", "continue": "x"},
               "items": [{"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "OldThing", "metadata": {"name": "mine", "namespace": "default"}}]}),
    ));
    let mut kept = all_references();
    kept.push(retired_crd.clone());
    kept.sort();
    let expected_inventory = kept.clone();
    exchanges.push(apply(
        ssa(INVENTORY),
        Expect::Check(Box::new(move |body| {
            assert_eq!(inventory_objects(body), expected_inventory)
        })),
        inventory_configmap(&kept),
    ));
    let (result, _, events) = run(exchanges, options(), &clock).await;
    let report = result.unwrap();
    assert_eq!(report.pruned, vec![retired_role.clone()]);
    assert!(events.contains(&ApplyEvent::Pruned(retired_role)));
    assert!(events.iter().any(|e| matches!(e, ApplyEvent::KeptCrd { name, reason }
        if name == "oldthings.elbv2.k8s.aws" && reason.contains("oldthings still exist"))));
}

#[tokio::test]
async fn a_crd_that_never_becomes_established_fails_after_the_bound() {
    let clock = ManualClock::starting_at(start_time());
    let existing = cert::generate("aws-load-balancer-webhook-service", "kube-system", start_time()).unwrap();
    let mut exchanges = vec![
        get(INVENTORY, 200, inventory_configmap(&all_references())),
        get(SECRET, 200, secret_holding(&existing, "kumo")),
    ];
    exchanges.extend(CRDS.iter().map(|name| exact_apply(&existing, &crd_path(name))));
    // The first six are established at once; the last never is. Polls every 5 s for 60 s.
    for name in CRDS {
        let status = if name == CRDS[6] {
            "crd-status-installing.json"
        } else {
            "crd-status-established.json"
        };
        exchanges.push(get(crd_path(name), 200, crd_with_status(&existing, name, status)));
    }
    for _ in 0..12 {
        exchanges.push(get(
            crd_path(CRDS[6]),
            200,
            crd_with_status(&existing, CRDS[6], "crd-status-installing.json"),
        ));
    }
    let (result, _, events) = run(exchanges, options(), &clock).await;
    match result.unwrap_err() {
        ApplyError::CrdNotEstablished {
            name,
            waited,
            condition,
        } => {
            assert_eq!(name, CRDS[6]);
            assert_eq!(waited, Duration::from_secs(60));
            assert_eq!(condition, "Established=False the initial names have been accepted");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ApplyEvent::Waiting { detail, .. } if detail == "6 of 7 established"))
    );
}

#[tokio::test]
async fn a_deployment_stuck_on_image_pull_is_reported_with_the_pods_reason() {
    let clock = ManualClock::starting_at(start_time());
    let existing = cert::generate("aws-load-balancer-webhook-service", "kube-system", start_time()).unwrap();
    let mut exchanges = vec![
        get(INVENTORY, 200, inventory_configmap(&all_references())),
        get(SECRET, 200, secret_holding(&existing, "kumo")),
    ];
    exchanges.extend(up_to_the_rollout(&existing));
    // Seen at 0 s, still there at 60 s (`stuck_after`): 13 polls of deployment + pods.
    for _ in 0..13 {
        exchanges.push(get(
            DEPLOYMENT,
            200,
            deployment_with_status(&existing, "deployment-status-progressing.json"),
        ));
        exchanges.push(get(PODS, 200, recorded("pods-image-pull-backoff.json")));
    }
    let (result, _, _) = run(exchanges, options(), &clock).await;
    let error = result.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("Deployment kube-system/aws-load-balancer-controller cannot start\n  pod aws-load-balancer-controller-7d9c5b8f6b-2xkqp: ImagePullBackOff: Back-off pulling image"),
        "{text}"
    );
    assert!(text.contains("dial tcp 99.83.145.10:443: i/o timeout"), "{text}");
    assert!(error.hint("https://x").unwrap().contains("public.ecr.aws"));
}

#[tokio::test]
async fn forbidden_is_reported_with_the_access_entry_fix() {
    let clock = ManualClock::starting_at(start_time());
    let exchanges = vec![get(INVENTORY, 403, recorded("forbidden-get-configmap.json"))];
    let (result, _, _) = run(exchanges, options(), &clock).await;
    let error = result.unwrap_err();
    assert!(matches!(error, ApplyError::Forbidden { .. }), "{error:?}");
    assert!(error.to_string().contains(
        "User \"arn:aws:sts::123456789012:assumed-role/Developer/alice\" cannot get resource \"configmaps\""
    ));
    let hint = error.hint("https://x").unwrap();
    assert!(hint.contains("eks.admin_users / eks.admin_roles"), "{hint}");
}

#[tokio::test]
async fn an_unknown_identity_is_reported_with_the_access_entry_fix() {
    let clock = ManualClock::starting_at(start_time());
    let exchanges = vec![get(INVENTORY, 401, recorded("unauthorized.json"))];
    let (result, _, _) = run(exchanges, options(), &clock).await;
    let error = result.unwrap_err();
    assert!(matches!(error, ApplyError::Unauthorized { .. }), "{error:?}");
    assert!(error.hint("https://x").unwrap().contains("access entry"));
}

#[tokio::test]
async fn a_controller_installed_by_helm_is_not_taken_over() {
    let clock = ManualClock::starting_at(start_time());
    let existing = cert::generate("aws-load-balancer-webhook-service", "kube-system", start_time()).unwrap();
    let exchanges = vec![
        get(
            INVENTORY,
            404,
            not_found("configmaps", "", "kumo-bundle-aws-load-balancer-controller"),
        ),
        get(SECRET, 200, secret_holding(&existing, "Helm")),
    ];
    let (result, _, _) = run(exchanges, options(), &clock).await;
    let error = result.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Secret kube-system/aws-load-balancer-tls was installed by Helm, not kumo"
    );
    assert!(
        error
            .hint("https://x")
            .unwrap()
            .contains("helm uninstall aws-load-balancer-controller -n kube-system")
    );
}

#[tokio::test]
async fn the_token_is_renewed_before_it_expires_during_a_long_wait() {
    let clock = ManualClock::starting_at(start_time());
    let existing = cert::generate("aws-load-balancer-webhook-service", "kube-system", start_time()).unwrap();
    let mut exchanges = vec![
        get(INVENTORY, 200, inventory_configmap(&all_references())),
        get(SECRET, 200, secret_holding(&existing, "kumo")),
    ];
    exchanges.extend(up_to_the_rollout(&existing));
    // Half an hour of a slow rollout (nodes still joining), polled every minute.
    for _ in 0..30 {
        exchanges.push(get(
            DEPLOYMENT,
            200,
            deployment_with_status(&existing, "deployment-status-progressing.json"),
        ));
        exchanges.push(get(PODS, 200, recorded("pods-starting.json")));
    }
    exchanges.push(get(
        DEPLOYMENT,
        200,
        deployment_with_status(&existing, "deployment-status-available.json"),
    ));
    exchanges.extend(AFTER_ROLLOUT.iter().map(|path| exact_apply(&existing, path)));
    let slow = ApplyOptions {
        poll_interval: Duration::from_secs(60),
        deployment_timeout: Duration::from_secs(40 * 60),
        ..options()
    };
    let (result, seen, _) = run(exchanges, slow, &clock).await;
    result.unwrap();

    // Tokens are used for 14 minutes and renewed with a minute to spare: at 13 minutes, and at 26.
    let mut signed: Vec<String> = seen.iter().map(|s| s.authorization.clone()).collect();
    signed.dedup();
    let minute = Duration::from_secs(60);
    assert_eq!(
        signed,
        [
            bearer_at(start_time()),
            bearer_at(start_time() + 13 * minute),
            bearer_at(start_time() + 26 * minute)
        ]
    );
    for request in &seen {
        let issued = [0u32, 13, 26]
            .iter()
            .map(|m| start_time() + *m * minute)
            .rev()
            .find(|t| bearer_at(*t) == request.authorization)
            .unwrap();
        let age = request.at.duration_since(issued).unwrap();
        assert!(age < 13 * minute, "a token {age:?} old was sent to {}", request.uri);
    }
}

#[tokio::test]
async fn cluster_status_reads_the_controller_its_certificate_and_external_dns() {
    let clock = ManualClock::starting_at(start_time());
    let existing = cert::generate("aws-load-balancer-webhook-service", "kube-system", start_time()).unwrap();
    let mut external_dns = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "external-dns", "namespace": "external-dns", "labels": {"app.kubernetes.io/name": "external-dns"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "external-dns"}},
                 "template": {"spec": {"containers": [{"name": "external-dns", "image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/external-dns:v0.19.0-eksbuild.2"}]}}},
        "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}
    });
    external_dns["metadata"]["resourceVersion"] = "77".into();
    let exchanges = vec![
        get(
            DEPLOYMENT,
            200,
            deployment_with_status(&existing, "deployment-status-available.json"),
        ),
        get(SECRET, 200, secret_holding(&existing, "kumo")),
        get(
            "/apis/apps/v1/deployments?&labelSelector=app.kubernetes.io%2Fname%3Dexternal-dns",
            200,
            json!({"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {"resourceVersion": "78"}, "items": [external_dns]}),
        ),
    ];
    let (client, handle) = mock_client(&clock);
    let server = serve(handle, exchanges, clock.clone());
    let status = kumo_kube::cluster_status::read(&client, "kube-system").await.unwrap();
    server.await.unwrap();
    let controller = status.controller.unwrap();
    assert_eq!(
        (controller.version.as_str(), controller.ready, controller.wanted),
        ("v3.5.0", 2, 2)
    );
    assert_eq!(status.webhook_cert_expiry, Some(existing.not_after));
    assert_eq!(status.external_dns.len(), 1);
    assert_eq!(status.external_dns[0].version, "v0.19.0-eksbuild.2");
    assert_eq!((status.external_dns[0].ready, status.external_dns[0].wanted), (1, 1));
}
