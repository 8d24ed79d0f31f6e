//! The token's presigned URL, cross-checked against AWS's own implementation: botocore (from the pinned
//! test venv, installed with moto) presigns the same `GetCallerIdentity` request the way `aws eks
//! get-token` does — same handlers for the `x-k8s-aws-id` header — at a fixed time with fixed
//! credentials. URL, `X-Amz-Date` and signature must be identical.

use std::process::Command;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use kumo_kube::token;
use kumo_testkit::moto::MotoServer;

/// What `aws eks get-token` does (awscli/customizations/eks/get_token.py), with the clock pinned.
const BOTOCORE_PRESIGN: &str = r#"
import datetime, json, sys
from unittest import mock
import botocore.session
args = json.loads(sys.argv[1])
session = botocore.session.get_session()
session.set_credentials(args["key"], args["secret"], args.get("token"))
client = session.create_client("sts", region_name=args["region"])
def inject_header(request, **kwargs):
    request.headers["x-k8s-aws-id"] = args["cluster"]
client.meta.events.register("before-sign.sts.GetCallerIdentity", inject_header)
when = datetime.datetime.fromtimestamp(args["time"], datetime.timezone.utc)
with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
    print(client.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"))
"#;

fn botocore_url(cluster: &str, region: &str, credentials: &Credentials, time: u64) -> String {
    let python = MotoServer::executable().with_file_name("python");
    let args = serde_json::json!({
        "cluster": cluster,
        "region": region,
        "key": credentials.access_key_id(),
        "secret": credentials.secret_access_key(),
        "token": credentials.session_token(),
        "time": time,
    });
    let output = Command::new(&python)
        .args(["-c", BOTOCORE_PRESIGN, &args.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e} (run the tests with ./scripts/test)", python.display()));
    assert!(
        output.status.success(),
        "botocore failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn query_value<'a>(url: &'a str, key: &str) -> &'a str {
    url.split(['?', '&'])
        .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} missing from {url}"))
}

fn cross_check(cluster: &str, region: &str, credentials: Credentials, time: u64) {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(time);
    let ours = token::presigned_url(cluster, region, &credentials, at).unwrap();
    let theirs = botocore_url(cluster, region, &credentials, time);
    assert_eq!(query_value(&ours, "X-Amz-Date"), query_value(&theirs, "X-Amz-Date"));
    assert_eq!(
        query_value(&ours, "X-Amz-Signature"),
        query_value(&theirs, "X-Amz-Signature")
    );
    assert_eq!(ours, theirs);

    let token = token::token(cluster, region, &credentials, at).unwrap();
    assert_eq!(token.expires_at, at + Duration::from_secs(14 * 60));
}

#[test]
fn long_term_credentials_sign_like_botocore() {
    let credentials = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "test",
    );
    cross_check("eks-cluster", "ap-northeast-1", credentials, 1_796_040_000);
}

#[test]
fn session_credentials_sign_like_botocore() {
    // Session tokens carry '/', '+' and '=': they must be encoded the same way on both sides.
    let credentials = Credentials::new(
        "ASIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/example=".into()),
        None,
        "test",
    );
    cross_check("my_cluster-2", "us-east-1", credentials, 1_800_000_123);
}
