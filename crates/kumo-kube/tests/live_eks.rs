//! Against a real EKS cluster, only when asked: set `KUMO_LIVE_EKS=1` plus `KUMO_LIVE_EKS_CLUSTER`,
//! `KUMO_LIVE_EKS_ENDPOINT`, `KUMO_LIVE_EKS_CA` (base64 PEM, the `CertificateAuthorityData` output),
//! `AWS_REGION` and AWS credentials in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! optionally `AWS_SESSION_TOKEN`) for an identity with a cluster-admin access entry. It authenticates
//! with kumo's token and reads the cluster side as `kumo status` does (read-only). Skipped otherwise.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use kumo_deploy::clock::SystemClock;
use kumo_kube::ClusterAccess;
use kumo_kube::token::TokenSource;

#[tokio::test]
async fn live_cluster_accepts_kumos_token() {
    if std::env::var("KUMO_LIVE_EKS").as_deref() != Ok("1") {
        eprintln!("skipped: set KUMO_LIVE_EKS=1 (and the variables in this file's docs) to run against a real cluster");
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let outputs: BTreeMap<String, String> = [
        ("ClusterName", var("KUMO_LIVE_EKS_CLUSTER")),
        ("ClusterEndpoint", var("KUMO_LIVE_EKS_ENDPOINT")),
        ("CertificateAuthorityData", var("KUMO_LIVE_EKS_CA")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let access = ClusterAccess::from_outputs(&outputs).unwrap().unwrap();
    let credentials = Credentials::new(
        var("AWS_ACCESS_KEY_ID"),
        var("AWS_SECRET_ACCESS_KEY"),
        std::env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    );
    let tokens = TokenSource::new(
        access.cluster_name.clone(),
        var("AWS_REGION"),
        SharedCredentialsProvider::new(credentials),
        Arc::new(SystemClock),
    )
    .unwrap();
    let client = access.client(tokens).unwrap();
    let status = kumo_kube::cluster_status::read(&client, "kube-system").await.unwrap();
    eprintln!("{status:?}");
}
