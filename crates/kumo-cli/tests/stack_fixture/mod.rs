//! What the reliability tests (`robustness.rs`, `signals.rs`) share: a small template whose deploy
//! needs approval, a scratch directory holding it, and what moto says exists afterwards.

use std::path::PathBuf;

use kumo_testkit::moto::MotoServer;
use serde_json::json;

/// A new stack whose deploy needs approval (an IAM role is a security change); moto creates it.
pub const ROLE_TEMPLATE: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      \
AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            \
Principal: {Service: ec2.amazonaws.com}\n            Action: sts:AssumeRole\n";

/// A fresh scratch directory for `suite`/`name`, holding `role.yaml`.
pub fn workdir(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kumo-{suite}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("role.yaml"), ROLE_TEMPLATE).unwrap();
    dir
}

/// The stacks moto holds that are not deleted, with their status.
pub fn live_stacks(moto: &MotoServer) -> Vec<(String, String)> {
    let listed = moto.service_call("cloudformation", "list_stacks", json!({}));
    listed["StackSummaries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["StackStatus"] != "DELETE_COMPLETE")
        .map(|s| {
            (
                s["StackName"].as_str().unwrap_or_default().to_owned(),
                s["StackStatus"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
