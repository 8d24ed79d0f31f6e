//! The environment's customer managed KMS key (kumo adds it; the seed has none): one key for the log
//! groups, the database secret and the ECR repositories, so who may read the environment's logs,
//! credentials and images is decided in one key policy, and destroying the environment retires the key.
//!
//! Its policy grants each service exactly what it needs:
//! * the account **administers** the key (explicit actions, never `kms:*`) and lets AWS services create
//!   grants on behalf of its principals — ECR creates one per repository to encrypt and decrypt images;
//! * **CloudWatch Logs** (the regional service principal) encrypts and decrypts, only for the
//!   blueprint's own log groups (`kms:EncryptionContext:aws:logs:arn`);
//! * the account's principals use it **through Secrets Manager only** (`kms:ViaService`), and which
//!   principals may is then decided by their IAM policies: the DB migrator and External Secrets get
//!   `kms:Decrypt` next to their `secretsmanager:GetSecretValue`.
//!
//! (The EKS cluster keeps its own key for envelope encryption of Kubernetes secrets, usable by the
//! cluster role alone.)

use kumo_constructs::codebuild;
use kumo_constructs::ecr::RepositoryRemoval;
use kumo_constructs::eks;
use kumo_constructs::kms::{self, Key, KeyProps};
use kumo_core::{DeletionPolicy, Stack, Str};

use crate::Config;

/// KMS waits at least 7 days before deleting a key; for an environment that is destroyed and re-created,
/// the shortest wait lets the old key go soonest.
const PENDING_WINDOW_DAYS: u8 = 7;

/// The key, like the other modules' `new_*` functions.
pub fn new_environment_key(stack: &mut Stack, config: &Config) -> Key {
    let log_groups = [
        eks::log_group_name(&config.eks.cluster_name),
        codebuild::log_group_name(&config.image_builder.project_name),
        codebuild::log_group_name(&config.db_migrator.project_name),
    ]
    .iter()
    .map(|name| kumo_constructs::arn::regional("logs", &format!("log-group:{name}"), &[]))
    .collect::<Vec<Str>>();
    let key = Key::new(
        stack,
        "EnvironmentKey",
        KeyProps::default()
            .description(format!(
                "{}: log groups, database secret, ECR repositories",
                config.stack.name
            ))
            .pending_window_in_days(PENDING_WINDOW_DAYS)
            .statement(kms::logs_statement(log_groups))
            .statement(kms::secrets_manager_statement()),
    );
    // Retained repositories keep images only this key can decrypt: the key stays with them.
    if config.image_builder.on_delete == RepositoryRemoval::Retain
        && let Some(options) = stack.options_mut(key.handle())
    {
        *options = options.clone().removal_policy(DeletionPolicy::Retain);
    }
    key
}
