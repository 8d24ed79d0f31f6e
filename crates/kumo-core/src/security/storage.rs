//! Data at rest and databases: encryption of EBS, RDS / Aurora, S3, EFS, log groups, secrets and ECR
//! repositories; ECR tag mutability; databases that are public, keep no backups or refuse IAM
//! authentication.

use serde_json::{Map, Value};

use super::{Hit, Rule, flag, items, number, text};

/// Engines whose RDS instances accept IAM database authentication.
const IAM_AUTH_ENGINES: &[&str] = &["mysql", "mariadb", "postgres", "aurora-mysql", "aurora-postgresql"];

pub(super) fn check(kind: &str, props: &Map<String, Value>, hit: &mut Hit<'_>) {
    match kind {
        "AWS::EC2::LaunchTemplate" => {
            let data = props.get("LaunchTemplateData");
            block_devices(
                data.and_then(|d| d.get("BlockDeviceMappings")),
                "Properties.LaunchTemplateData.BlockDeviceMappings",
                hit,
            );
        }
        "AWS::EC2::Instance" | "AWS::AutoScaling::LaunchConfiguration" => {
            block_devices(props.get("BlockDeviceMappings"), "Properties.BlockDeviceMappings", hit);
        }
        "AWS::EC2::Volume" if flag(props.get("Encrypted"), false) == Some(false) => {
            hit(
                Rule::EbsUnencrypted,
                "Properties.Encrypted".to_owned(),
                "the volume is not encrypted".to_owned(),
            );
        }
        "AWS::RDS::DBCluster" => database(props, true, hit),
        "AWS::RDS::DBInstance" => {
            // An instance of a cluster takes its storage, backups and authentication from the cluster.
            let in_cluster = props.get("DBClusterIdentifier").is_some();
            if in_cluster {
                public(props, hit);
            } else {
                database(props, false, hit);
            }
        }
        "AWS::S3::Bucket" if props.get("BucketEncryption").is_none() => {
            hit(
                Rule::S3DefaultEncryption,
                "Properties.BucketEncryption".to_owned(),
                "no BucketEncryption: objects get S3's default SSE-S3 only".to_owned(),
            );
        }
        "AWS::EFS::FileSystem" if flag(props.get("Encrypted"), false) == Some(false) => {
            hit(
                Rule::EfsUnencrypted,
                "Properties.Encrypted".to_owned(),
                "the file system is not encrypted at rest".to_owned(),
            );
        }
        "AWS::Logs::LogGroup" if props.get("KmsKeyId").is_none() => {
            hit(
                Rule::LogsWithoutKms,
                "Properties.KmsKeyId".to_owned(),
                "no KmsKeyId".to_owned(),
            );
        }
        "AWS::SecretsManager::Secret" => {
            let key = props.get("KmsKeyId");
            let aws_managed = text(key).is_some_and(|k| k.ends_with("alias/aws/secretsmanager"));
            if key.is_none() || aws_managed {
                hit(
                    Rule::SecretWithoutCmk,
                    "Properties.KmsKeyId".to_owned(),
                    "encrypted with the AWS managed aws/secretsmanager key".to_owned(),
                );
            }
        }
        "AWS::ECR::Repository" => {
            let encryption = props
                .get("EncryptionConfiguration")
                .and_then(|c| c.get("EncryptionType"));
            if !starts_with_or_computed(encryption, "KMS") {
                hit(
                    Rule::EcrWithoutKms,
                    "Properties.EncryptionConfiguration.EncryptionType".to_owned(),
                    "images are encrypted with AES-256 (S3-managed keys)".to_owned(),
                );
            }
            let immutable = starts_with_or_computed(props.get("ImageTagMutability"), "IMMUTABLE");
            if !immutable {
                hit(
                    Rule::EcrMutableTags,
                    "Properties.ImageTagMutability".to_owned(),
                    "tags are MUTABLE (the default)".to_owned(),
                );
            }
        }
        _ => {}
    }
}

/// A string property that is set and starts with `prefix` (`KMS` for `KMS_DSSE`), or is computed.
fn starts_with_or_computed(value: Option<&Value>, prefix: &str) -> bool {
    match value {
        None => false,
        Some(value) => text(Some(value)).is_none_or(|t| t.starts_with(prefix)),
    }
}

/// `BlockDeviceMappings[].Ebs.Encrypted` must be true.
fn block_devices(mappings: Option<&Value>, path: &str, hit: &mut Hit<'_>) {
    for (i, mapping) in items(mappings).into_iter().enumerate() {
        let Some(ebs) = mapping.get("Ebs") else { continue };
        if flag(ebs.get("Encrypted"), false) == Some(false) {
            let device = text(mapping.get("DeviceName")).unwrap_or("a device");
            hit(
                Rule::EbsUnencrypted,
                format!("{path}[{i}].Ebs.Encrypted"),
                format!("the EBS volume of {device} is not encrypted"),
            );
        }
    }
}

fn public(props: &Map<String, Value>, hit: &mut Hit<'_>) {
    if flag(props.get("PubliclyAccessible"), false) == Some(true) {
        hit(
            Rule::DbPublic,
            "Properties.PubliclyAccessible".to_owned(),
            "PubliclyAccessible is true: the database gets a public address".to_owned(),
        );
    }
}

/// A cluster, or an instance outside a cluster.
fn database(props: &Map<String, Value>, cluster: bool, hit: &mut Hit<'_>) {
    // Aurora Serverless v1 clusters are always encrypted; everything else defaults to unencrypted.
    let serverless_v1 = text(props.get("EngineMode")) == Some("serverless");
    if !serverless_v1 && flag(props.get("StorageEncrypted"), false) == Some(false) {
        hit(
            Rule::RdsUnencrypted,
            "Properties.StorageEncrypted".to_owned(),
            "the storage is not encrypted".to_owned(),
        );
    }
    public(props, hit);
    if number(props.get("BackupRetentionPeriod")) == Some(0) {
        hit(
            Rule::DbWithoutBackups,
            "Properties.BackupRetentionPeriod".to_owned(),
            "BackupRetentionPeriod is 0: no automated backups".to_owned(),
        );
    }
    let engine = text(props.get("Engine")).map(str::to_ascii_lowercase);
    let supports_iam_auth = cluster || engine.as_deref().is_none_or(|e| IAM_AUTH_ENGINES.contains(&e));
    if supports_iam_auth && flag(props.get("EnableIAMDatabaseAuthentication"), false) == Some(false) {
        hit(
            Rule::DbWithoutIamAuth,
            "Properties.EnableIAMDatabaseAuthentication".to_owned(),
            "IAM database authentication is off".to_owned(),
        );
    }
}
