//! The database (seed `database_cluster.go`): Aurora PostgreSQL in the isolated subnets, its generated
//! secret, and access from the EKS cluster on 5432.
//!
//! kumo adds storage encryption, an explicit backup retention and `DeletionPolicy: Snapshot` by default
//! (`on_delete = "delete"` is the seed's `RemovalPolicy_DESTROY`). The seed's engine 13.6 is end-of-life;
//! the default is a current major version.

use kumo_constructs::ec2::{Port, Vpc, allow};
use kumo_constructs::eks::Cluster;
use kumo_constructs::kms::Key;
use kumo_constructs::rds::{AuroraPostgresCluster, AuroraPostgresClusterProps, DataRemoval};
use kumo_core::{Output, Stack};

use crate::DatabaseConfig;

/// The database cluster, like the seed's `NewDatabaseCluster`.
pub fn new_database_cluster(
    stack: &mut Stack,
    config: &DatabaseConfig,
    vpc: &Vpc,
    eks_cluster: &Cluster,
    key: &Key,
) -> AuroraPostgresCluster {
    // Credentials_FromGeneratedSecret("postgres", SecretName: "database-secrets"): a generated secret,
    // attached to the cluster so it also holds host, port and dbname. Not publicly accessible. Minor
    // upgrades automatic, no major-version upgrade, Performance Insights off, deletion protection off:
    // RDS's defaults, so nothing is written for them.
    let db_cluster = AuroraPostgresCluster::new(
        stack,
        "DatabaseCluster",
        vpc.vpc_id(),
        vpc.isolated_subnet_ids(),
        AuroraPostgresClusterProps::new(config.engine_version.as_str())
            .cluster_identifier(config.cluster_identifier.as_str())
            .instance_identifier_base(config.instance_identifier_base.as_str())
            .instance_class(config.instance_class.as_str())
            .instances(config.instances)
            .port(config.port)
            .database_name(config.database_name.as_str())
            .master_username(config.master_username.as_str())
            .secret_name(config.secret_name.as_str())
            // kumo: the secret is encrypted with the environment key; IAM authentication is on (the
            // construct's default) and, in the standard profile, Enhanced Monitoring.
            .secret_kms_key_arn(key.arn())
            .monitoring_interval_seconds(config.monitoring_interval_seconds)
            // 1 to 35 by the configuration's rules; anything past u8 is past 35, which synth's schema check
            // reports against BackupRetentionPeriod.
            .backup_retention_days(u8::try_from(config.backup_retention_days).unwrap_or(u8::MAX))
            .deletion_protection(config.deletion_protection)
            // The seed keeps the automated backups after a delete (DeleteAutomatedBackups: false). kumo does
            // too when the data is worth a final snapshot; a throw-away database leaves nothing behind.
            .keep_automated_backups(match config.on_delete {
                DataRemoval::Snapshot | DataRemoval::Retain => true,
                DataRemoval::Delete => false,
            })
            .removal(config.on_delete),
    );

    // The EKS cluster (its security group covers the nodes and pods) may reach the database port.
    allow(
        stack,
        eks_cluster,
        &db_cluster,
        Port::Tcp(config.port),
        "Allow access to Database cluster from EKS cluster",
    );

    stack.add_output(
        "DatabaseEndpoint",
        Output::new(db_cluster.endpoint_address()).description("Aurora writer endpoint"),
    );
    stack.add_output(
        "DatabaseSecretArn",
        Output::new(db_cluster.secret().arn())
            .description("Secret with the database credentials (read it, never print it)"),
    );
    db_cluster
}
