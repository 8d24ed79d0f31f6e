//! The rendered Load Balancer Controller bundle: a golden file for the default configuration, kumo's
//! labels on every object, the `caBundle`s, and a field-by-field comparison with the chart's own
//! `helm template` output (vendored beside the chart), where only kumo's documented changes may differ.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use kumo_kube::bundle::{self, ControllerSettings, Phase};
use kumo_kube::cert::WebhookCert;
use serde::Deserialize as _;
use serde_json::{Value, json};

fn settings() -> ControllerSettings {
    ControllerSettings {
        stack_name: "MyEKSStack".into(),
        cluster_name: "eks-cluster".into(),
        region: "ap-northeast-1".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        namespace: "kube-system".into(),
        service_account: "aws-load-balancer-controller".into(),
        irsa_role_arn: None,
    }
}

/// Stand-in certificate material: rendering only encodes it.
fn fixed_cert() -> WebhookCert {
    WebhookCert {
        ca_pem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n".into(),
        cert_pem: "-----BEGIN CERTIFICATE-----\nSERVING\n-----END CERTIFICATE-----\n".into(),
        key_pem: "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n".into(),
        not_after: SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000),
    }
}

#[test]
fn golden_default_bundle() {
    let bundle = bundle::load_balancer_controller(&settings(), &fixed_cert()).unwrap();
    // CRDs are the chart's files verbatim plus kumo's labels (checked below and by `cargo xtask manifests
    // --check`); the golden file lists them and holds every other object in full.
    let crds: Vec<String> = bundle
        .objects
        .iter()
        .filter(|o| o.phase == Phase::Crds)
        .map(|o| o.reference.to_string())
        .collect();
    let objects: Vec<&Value> = bundle
        .objects
        .iter()
        .filter(|o| o.phase != Phase::Crds)
        .map(|o| &o.manifest)
        .collect();
    insta::assert_json_snapshot!(json!({ "version": bundle.version, "crds": crds, "objects": objects }));
}

#[test]
fn every_object_carries_kumos_labels() {
    let bundle = bundle::load_balancer_controller(&settings(), &fixed_cert()).unwrap();
    assert_eq!(bundle.objects.len(), 19);
    for object in &bundle.objects {
        let labels = &object.manifest["metadata"]["labels"];
        assert_eq!(labels["app.kubernetes.io/managed-by"], "kumo", "{}", object.reference);
        assert_eq!(
            labels["kumo/bundle"], "aws-load-balancer-controller",
            "{}",
            object.reference
        );
        assert!(labels.get("helm.sh/chart").is_none(), "{}", object.reference);
        assert!(
            !object.manifest.to_string().contains("<kumo:"),
            "{} has a placeholder left",
            object.reference
        );
    }
}

#[test]
fn every_ca_bundle_is_the_secrets_ca() {
    let bundle = bundle::load_balancer_controller(&settings(), &fixed_cert()).unwrap();
    let secret = bundle.objects.iter().find(|o| o.reference.kind == "Secret").unwrap();
    let ca = secret.manifest["data"]["ca.crt"].as_str().unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD.decode(ca).unwrap(),
        fixed_cert().ca_pem.as_bytes()
    );
    let mut count = 0;
    for object in bundle.objects.iter().filter(|o| o.phase == Phase::Webhooks) {
        for webhook in object.manifest["webhooks"].as_array().unwrap() {
            assert_eq!(webhook["clientConfig"]["caBundle"], ca, "{}", webhook["name"]);
            count += 1;
        }
    }
    assert_eq!(count, 9, "6 mutating + 3 validating webhooks");
}

#[test]
fn the_controller_tags_everything_with_the_stack_and_irsa_annotates_the_service_account() {
    let irsa = ControllerSettings {
        irsa_role_arn: Some("arn:aws:iam::123456789012:role/lbc".into()),
        namespace: "lbc".into(),
        service_account: "lbc-controller".into(),
        ..settings()
    };
    let bundle = bundle::load_balancer_controller(&irsa, &fixed_cert()).unwrap();
    let find = |kind: &str| {
        &bundle
            .objects
            .iter()
            .find(|o| o.reference.kind == kind)
            .unwrap()
            .manifest
    };
    let args = &find("Deployment")["spec"]["template"]["spec"]["containers"][0]["args"];
    assert_eq!(
        args,
        &json!([
            "--cluster-name=eks-cluster",
            "--ingress-class=alb",
            "--aws-region=ap-northeast-1",
            "--aws-vpc-id=vpc-0123456789abcdef0",
            "--default-tags=kumo:stack=MyEKSStack"
        ])
    );
    assert_eq!(
        find("Deployment")["spec"]["template"]["spec"]["serviceAccountName"],
        "lbc-controller"
    );
    let account = find("ServiceAccount");
    assert_eq!(account["metadata"]["name"], "lbc-controller");
    assert_eq!(account["metadata"]["namespace"], "lbc");
    assert_eq!(
        account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::123456789012:role/lbc"
    );
    // A namespace of its own is created first.
    assert_eq!(bundle.objects[7].reference.to_string(), "Namespace lbc");
    assert_eq!(bundle.objects[7].phase, Phase::Workload);
    for webhook in find("ValidatingWebhookConfiguration")["webhooks"].as_array().unwrap() {
        assert_eq!(webhook["clientConfig"]["service"]["namespace"], "lbc");
    }
    // Pod Identity mode: no annotation.
    let plain = bundle::load_balancer_controller(&settings(), &fixed_cert()).unwrap();
    let account = &plain
        .objects
        .iter()
        .find(|o| o.reference.kind == "ServiceAccount")
        .unwrap()
        .manifest;
    assert!(account["metadata"].get("annotations").is_none());
}

#[test]
fn bad_settings_are_refused() {
    for (settings, message) in [
        (
            ControllerSettings {
                namespace: "Kube_System".into(),
                ..settings()
            },
            "namespace",
        ),
        (
            ControllerSettings {
                vpc_id: "".into(),
                ..settings()
            },
            "VPC",
        ),
        (
            ControllerSettings {
                stack_name: "a,b".into(),
                ..settings()
            },
            "tag value",
        ),
    ] {
        let error = bundle::load_balancer_controller(&settings, &fixed_cert()).unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }
}

/// The chart's `helm template` output, as vendored.
fn helm_rendered() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/chart/aws-load-balancer-controller-3.5.0/rendered-example.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut objects = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(&text) {
        let value = Value::deserialize(document).unwrap();
        if value["kind"] == "List" {
            objects.extend(value["items"].as_array().unwrap().iter().cloned());
        } else if !value.is_null() {
            objects.push(value);
        }
    }
    objects
}

/// Every field of every object the chart renders, compared with kumo's object for the same settings as
/// the render (cluster `eks-cluster`, region `ap-northeast-1`, VPC `vpc-123`). The only differences
/// allowed are kumo's documented ones.
#[test]
fn the_objects_match_helm_template_field_by_field() {
    let render_settings = ControllerSettings {
        vpc_id: "vpc-123".into(),
        ..settings()
    };
    let bundle = bundle::load_balancer_controller(&render_settings, &fixed_cert()).unwrap();
    let helm = helm_rendered();
    assert_eq!(
        helm.len(),
        bundle.objects.iter().filter(|o| o.phase != Phase::Crds).count()
    );
    for mut expected in helm {
        let kind = expected["kind"].as_str().unwrap().to_owned();
        let name = expected["metadata"]["name"].as_str().unwrap().to_owned();
        let ours = bundle
            .objects
            .iter()
            .find(|o| o.reference.kind == kind && o.reference.name == name)
            .unwrap_or_else(|| panic!("kumo does not ship {kind} {name}"));
        let mut actual = ours.manifest.clone();
        // kumo's changes, undone: labels, the stack tag, and the certificate Helm would generate.
        let labels = actual["metadata"]["labels"].as_object_mut().unwrap();
        assert_eq!(labels.shift_remove("app.kubernetes.io/managed-by"), Some(json!("kumo")));
        assert_eq!(
            labels.shift_remove("kumo/bundle"),
            Some(json!("aws-load-balancer-controller"))
        );
        let labels = expected["metadata"]["labels"].as_object_mut().unwrap();
        assert_eq!(labels.shift_remove("app.kubernetes.io/managed-by"), Some(json!("Helm")));
        assert_eq!(
            labels.shift_remove("helm.sh/chart"),
            Some(json!("aws-load-balancer-controller-3.5.0"))
        );
        if kind == "Deployment" {
            let args = actual["spec"]["template"]["spec"]["containers"][0]["args"]
                .as_array_mut()
                .unwrap();
            assert_eq!(args.pop(), Some(json!("--default-tags=kumo:stack=MyEKSStack")));
        }
        if kind == "Secret" {
            for key in ["ca.crt", "tls.crt", "tls.key"] {
                actual["data"][key] = "<generated at install>".into();
            }
        }
        if let Some(webhooks) = actual.get_mut("webhooks").and_then(Value::as_array_mut) {
            for webhook in webhooks {
                webhook["clientConfig"]["caBundle"] = "<the generated CA, base64>".into();
            }
        }
        // Helm prints empty selectors as nulls; kumo leaves them out.
        strip_nulls(&mut expected);
        assert_eq!(actual, expected, "{kind} {name}");
    }
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
