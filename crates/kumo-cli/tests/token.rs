//! `kumo token` as kubectl runs it: an ExecCredential on stdout, from credentials in the environment,
//! without any network access.

use std::process::Command;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use serde_json::Value;

fn kumo_token(args: &[&str], session_token: Option<&str>) -> std::process::Output {
    let dir = std::env::temp_dir();
    let mut command = Command::new(env!("CARGO_BIN_EXE_kumo"));
    command
        .arg("token")
        .args(args)
        .env_clear()
        .env("HOME", &dir)
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .env("AWS_CONFIG_FILE", "/nonexistent/kumo-test/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kumo-test/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if let Some(token) = session_token {
        command.env("AWS_SESSION_TOKEN", token);
    }
    command.output().expect("kumo runs")
}

#[test]
fn prints_an_exec_credential_with_a_fourteen_minute_token() {
    let before = SystemTime::now();
    let output = kumo_token(
        &["--cluster-name", "eks-cluster", "--region", "eu-west-1"],
        Some("session/token"),
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let credential: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(credential["kind"], "ExecCredential");
    assert_eq!(credential["apiVersion"], "client.authentication.k8s.io/v1beta1");
    assert_eq!(credential["spec"], serde_json::json!({}));
    let token = credential["status"]["token"].as_str().unwrap();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.strip_prefix("k8s-aws-v1.").unwrap())
        .unwrap();
    let url = String::from_utf8(url).unwrap();
    assert!(url.starts_with("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F"), "{url}");
    assert!(url.contains("X-Amz-Security-Token=session%2Ftoken"), "{url}");
    // Expires 14 minutes after signing (whole seconds).
    let expiry: jiff::Timestamp = credential["status"]["expirationTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(expiry.as_second() as u64);
    let fourteen = Duration::from_secs(14 * 60);
    assert!(expiry + Duration::from_secs(1) >= before + fourteen, "{expiry:?}");
    assert!(expiry <= SystemTime::now() + fourteen, "{expiry:?}");
}

#[test]
fn bad_input_is_one_error_line_and_no_token() {
    let output = kumo_token(&["--cluster-name", "my cluster", "--region", "eu-west-1"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: invalid cluster name \"my cluster\""),
        "{stderr}"
    );

    let output = kumo_token(&["--cluster-name", "eks-cluster"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no AWS region configured for the token"), "{stderr}");
    assert!(stderr.contains("hint: pass --region REGION"), "{stderr}");
}
