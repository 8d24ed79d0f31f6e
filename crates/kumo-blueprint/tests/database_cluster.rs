//! The database module (seed `database_cluster_test.go`): Aurora PostgreSQL in the isolated subnets, its
//! secret, and who may reach it.

mod common;

use common::*;
use kumo_blueprint::Config;
use serde_json::json;

#[test]
fn aurora_cluster_with_the_seed_names_encrypted_and_snapshotted() {
    let t = default_template();
    t.resource_count_is("AWS::RDS::DBCluster", 1);
    let cluster = id_of(&t, "AWS::RDS::DBCluster", "DatabaseCluster");
    let secret = id_of(&t, "AWS::SecretsManager::Secret", "DatabaseClusterSecret");
    let subnets = id_of(&t, "AWS::RDS::DBSubnetGroup", "DatabaseClusterSubnets");
    let group = id_of(&t, "AWS::EC2::SecurityGroup", "DatabaseClusterSecurityGroup");
    assert_eq!(
        resource(&t, &cluster),
        json!({
            "Type": "AWS::RDS::DBCluster",
            "Properties": {
                "BackupRetentionPeriod": 7,
                "CopyTagsToSnapshot": true,
                "DBClusterIdentifier": "cluster-identifier",
                "DBSubnetGroupName": r#ref(&subnets),
                "DatabaseName": "EksDatabaseName",
                "DeleteAutomatedBackups": false,
                // kumo: clients may connect with IAM tokens instead of the password.
                "EnableIAMDatabaseAuthentication": true,
                "Engine": "aurora-postgresql",
                "EngineVersion": "17.6",
                // A dynamic reference: CloudFormation resolves it at deploy time; the password is never in
                // the template.
                "MasterUserPassword": {"Fn::Sub": format!("{{{{resolve:secretsmanager:${{{secret}}}:SecretString:password}}}}")},
                "MasterUsername": "postgres",
                "Port": 5432,
                "StorageEncrypted": true,
                "VpcSecurityGroupIds": [get_att(&group, "GroupId")]
            },
            "DeletionPolicy": "Snapshot",
            "UpdateReplacePolicy": "Snapshot"
        })
    );
}

#[test]
fn one_private_writer_instance_named_after_the_seeds_base() {
    let t = default_template();
    t.resource_count_is("AWS::RDS::DBInstance", 1);
    let cluster = id_of(&t, "AWS::RDS::DBCluster", "DatabaseCluster");
    let monitoring = id_of(&t, "AWS::IAM::Role", "DatabaseClusterMonitoringRole");
    t.has_resource_properties(
        "AWS::RDS::DBInstance",
        json!({
            "DBClusterIdentifier": r#ref(&cluster),
            "DBInstanceClass": "db.t3.medium",
            "DBInstanceIdentifier": "db-instance-identifier1",
            "Engine": "aurora-postgresql",
            "PubliclyAccessible": false,
            // kumo, standard profile: Enhanced Monitoring every minute, with RDS's monitoring role.
            "MonitoringInterval": 60,
            "MonitoringRoleArn": get_att(&monitoring, "Arn")
        }),
    );
    t.has_resource_properties(
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                "Principal": {"Service": "monitoring.rds.amazonaws.com"}}]},
            "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"}]
        }),
    );
}

#[test]
fn the_cheap_profile_has_no_enhanced_monitoring() {
    let t = template(&Config::cheap());
    t.resource_count_is("AWS::RDS::DBInstance", 1);
    assert!(
        t.find_resources(
            "AWS::IAM::Role",
            json!({"Properties": {"AssumeRolePolicyDocument": {"Statement": [
            {"Principal": {"Service": "monitoring.rds.amazonaws.com"}}]}}})
        )
        .is_empty()
    );
    t.has_resource_properties(
        "AWS::RDS::DBInstance",
        json!({"MonitoringInterval": kumo_core::assertions::Match::absent()}),
    );
}

#[test]
fn the_secret_is_encrypted_with_the_environment_key() {
    let t = default_template();
    let key = id_of(&t, "AWS::KMS::Key", "EnvironmentKey");
    t.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"Name": "database-secrets", "KmsKeyId": get_att(&key, "Arn")}),
    );
}

#[test]
fn database_lives_in_the_isolated_subnets() {
    let t = default_template();
    let isolated: Vec<_> = (1..=2)
        .map(|n| r#ref(&id_of(&t, "AWS::EC2::Subnet", &format!("VPCIsolatedSubnet{n}"))))
        .collect();
    t.has_resource_properties("AWS::RDS::DBSubnetGroup", json!({"SubnetIds": isolated}));
}

#[test]
fn generated_secret_is_named_and_attached_to_the_cluster() {
    let t = default_template();
    let cluster = id_of(&t, "AWS::RDS::DBCluster", "DatabaseCluster");
    let secret = id_of(&t, "AWS::SecretsManager::Secret", "DatabaseClusterSecret");
    t.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({
            "Name": "database-secrets",
            "GenerateSecretString": {"SecretStringTemplate": "{\"username\":\"postgres\"}", "GenerateStringKey": "password", "PasswordLength": 30}
        }),
    );
    t.has_resource_properties(
        "AWS::SecretsManager::SecretTargetAttachment",
        json!({"SecretId": r#ref(&secret), "TargetId": r#ref(&cluster), "TargetType": "AWS::RDS::DBCluster"}),
    );
}

#[test]
fn only_the_cluster_and_the_migrator_reach_the_database_and_only_on_5432() {
    let t = default_template();
    let group = id_of(&t, "AWS::EC2::SecurityGroup", "DatabaseClusterSecurityGroup");
    let cluster = id_of(&t, "AWS::EKS::Cluster", "EKSCluster");
    let migrator = id_of(&t, "AWS::EC2::SecurityGroup", "DBMigratorProjectSecurityGroup");
    // No inline rule: every way in is one of the two rules below.
    assert!(resource(&t, &group)["Properties"]["SecurityGroupIngress"].is_null());
    let mut sources: Vec<_> = ingress_into(&t, &group)
        .into_iter()
        .map(|rule| {
            assert_eq!(
                (&rule["IpProtocol"], &rule["FromPort"], &rule["ToPort"]),
                (&json!("tcp"), &json!(5432), &json!(5432)),
                "{rule}"
            );
            rule["SourceSecurityGroupId"].clone()
        })
        .collect();
    sources.sort_by_key(|s| s.to_string());
    let mut expected = vec![
        get_att(&cluster, "ClusterSecurityGroupId"),
        get_att(&migrator, "GroupId"),
    ];
    expected.sort_by_key(|s| s.to_string());
    assert_eq!(sources, expected);
    // And the database opens no connection of its own.
    assert_eq!(
        resource(&t, &group)["Properties"]["SecurityGroupEgress"],
        json!([{"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "FromPort": 252, "IpProtocol": "icmp", "ToPort": 86}])
    );
}

#[test]
fn cheap_profile_is_one_small_instance_deleted_without_snapshot() {
    let t = template(&Config::cheap());
    t.has_resource_properties("AWS::RDS::DBInstance", json!({"DBInstanceClass": "db.t4g.medium"}));
    t.resource_count_is("AWS::RDS::DBInstance", 1);
    let cluster = id_of(&t, "AWS::RDS::DBCluster", "DatabaseCluster");
    let definition = resource(&t, &cluster);
    assert_eq!(definition["DeletionPolicy"], "Delete");
    assert_eq!(definition["UpdateReplacePolicy"], "Delete");
    assert_eq!(definition["Properties"]["BackupRetentionPeriod"], 1);
    assert!(
        definition["Properties"]["DeleteAutomatedBackups"].is_null(),
        "nothing is left behind"
    );
}

#[test]
fn replicas_and_deletion_protection_from_the_configuration() {
    let mut config = Config::default();
    config.database.instances = 2;
    config.database.deletion_protection = true;
    let t = template(&config);
    t.resource_count_is("AWS::RDS::DBInstance", 2);
    t.has_resource_properties(
        "AWS::RDS::DBInstance",
        json!({"DBInstanceIdentifier": "db-instance-identifier2"}),
    );
    t.has_resource_properties("AWS::RDS::DBCluster", json!({"DeletionProtection": true}));
}

#[test]
fn outputs_give_the_endpoint_and_the_secret_arn_never_the_password() {
    let t = default_template();
    let cluster = id_of(&t, "AWS::RDS::DBCluster", "DatabaseCluster");
    let attachment = id_of(
        &t,
        "AWS::SecretsManager::SecretTargetAttachment",
        "DatabaseClusterSecretAttachment",
    );
    t.has_output(
        "DatabaseEndpoint",
        json!({"Value": get_att(&cluster, "Endpoint.Address")}),
    );
    t.has_output("DatabaseSecretArn", json!({"Value": r#ref(&attachment)}));
    let outputs = t.to_json()["Outputs"].to_string();
    assert!(
        !outputs.contains("resolve:secretsmanager") && !outputs.contains("SecretString"),
        "{outputs}"
    );
}
