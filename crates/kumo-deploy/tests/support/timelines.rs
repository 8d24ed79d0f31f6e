//! Recorded CloudFormation behaviour for an EKS + Aurora environment stack: event sequences with
//! AWS's statuses, reasons and typical durations (EKS control plane ~10 min, Aurora cluster ~7 min and
//! its writer ~8 min more, managed node group ~4-8 min), as seen in `DescribeStackEvents`.

use aws_sdk_cloudformation::types::{ChangeAction, Replacement};

use super::world::{ChangeSetPlan, Ev, Op, res_ev, stack_ev};

/// (logical id, type) of the environment's resources.
pub const RESOURCES: &[(&str, &str)] = &[
    ("Vpc", "AWS::EC2::VPC"),
    ("PrivateSubnetA", "AWS::EC2::Subnet"),
    ("PrivateSubnetC", "AWS::EC2::Subnet"),
    ("ClusterSg", "AWS::EC2::SecurityGroup"),
    ("DbSg", "AWS::EC2::SecurityGroup"),
    ("ClusterRole", "AWS::IAM::Role"),
    ("NodeRole", "AWS::IAM::Role"),
    ("Cluster", "AWS::EKS::Cluster"),
    ("Nodegroup", "AWS::EKS::Nodegroup"),
    ("DbSubnetGroup", "AWS::RDS::DBSubnetGroup"),
    ("DbSecret", "AWS::SecretsManager::Secret"),
    ("DbCluster", "AWS::RDS::DBCluster"),
    ("DbWriter", "AWS::RDS::DBInstance"),
    ("AppRepo", "AWS::ECR::Repository"),
    ("ClusterLogs", "AWS::Logs::LogGroup"),
];

pub fn type_of(logical: &str) -> &'static str {
    RESOURCES
        .iter()
        .find(|(id, _)| *id == logical)
        .map(|(_, t)| *t)
        .expect("known resource")
}

fn r(at: i64, logical: &str, status: &str, reason: Option<&str>) -> Ev {
    let mut ev = res_ev(at, logical, type_of(logical), status, reason);
    if status != "CREATE_IN_PROGRESS" || reason.is_some() {
        ev.physical = Some(physical_id(logical));
    }
    ev
}

fn physical_id(logical: &str) -> String {
    match logical {
        "Vpc" => "vpc-0a1b2c3d4e5f60718".into(),
        "PrivateSubnetA" => "subnet-0aa11bb22cc33dd44".into(),
        "PrivateSubnetC" => "subnet-0ee55ff66aa77bb88".into(),
        "ClusterSg" => "sg-0123456789abcdef0".into(),
        "DbSg" => "sg-0fedcba9876543210".into(),
        "Cluster" => "app-cluster".into(),
        "DbCluster" => "app-db".into(),
        other => format!("app-{}", other.to_lowercase()),
    }
}

/// The template the environment is deployed from (the parts the diff and security section look at).
pub const TEMPLATE: &str = r#"{
  "Resources": {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "PrivateSubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/19", "AvailabilityZone": "ap-northeast-1a"}},
    "PrivateSubnetC": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.32.0/19", "AvailabilityZone": "ap-northeast-1c"}},
    "ClusterSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "cluster", "VpcId": {"Ref": "Vpc"},
      "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"}]}},
    "DbSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "db", "VpcId": {"Ref": "Vpc"},
      "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "SourceSecurityGroupId": {"Fn::GetAtt": ["ClusterSg", "GroupId"]}}]}},
    "ClusterRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
      "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]}},
    "NodeRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
      "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]}},
    "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"RoleArn": {"Fn::GetAtt": ["ClusterRole", "Arn"]},
      "ResourcesVpcConfig": {"SubnetIds": [{"Ref": "PrivateSubnetA"}, {"Ref": "PrivateSubnetC"}], "EndpointPublicAccess": false, "EndpointPrivateAccess": true}}},
    "Nodegroup": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ClusterName": {"Ref": "Cluster"}, "NodeRole": {"Fn::GetAtt": ["NodeRole", "Arn"]},
      "Subnets": [{"Ref": "PrivateSubnetA"}, {"Ref": "PrivateSubnetC"}], "CapacityType": "SPOT"}},
    "DbSubnetGroup": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"DBSubnetGroupDescription": "db", "SubnetIds": [{"Ref": "PrivateSubnetA"}, {"Ref": "PrivateSubnetC"}]}},
    "DbSecret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {"SecretStringTemplate": "{\"username\":\"app\"}", "GenerateStringKey": "password"}}},
    "DbCluster": {"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot",
      "Properties": {"Engine": "aurora-postgresql", "EngineVersion": "16.4", "DBSubnetGroupName": {"Ref": "DbSubnetGroup"}}},
    "DbWriter": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "aurora-postgresql", "DBClusterIdentifier": {"Ref": "DbCluster"}, "DBInstanceClass": "db.t4g.medium"}},
    "AppRepo": {"Type": "AWS::ECR::Repository", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
    "ClusterLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}
  },
  "Outputs": {
    "ClusterName": {"Value": {"Ref": "Cluster"}},
    "ClusterEndpoint": {"Value": {"Fn::GetAtt": ["Cluster", "Endpoint"]}},
    "DbEndpoint": {"Value": {"Fn::GetAtt": ["DbCluster", "Endpoint.Address"]}}
  }
}"#;

/// The change set of the first create: every resource added.
pub fn create_plan() -> ChangeSetPlan {
    ChangeSetPlan {
        changes: RESOURCES
            .iter()
            .map(|(id, t)| (ChangeAction::Add, id.to_string(), t.to_string(), None))
            .collect(),
        pending_polls: 2,
        ..ChangeSetPlan::default()
    }
}

pub const OUTPUTS: &[(&str, &str)] = &[
    ("ClusterName", "app-cluster"),
    (
        "ClusterEndpoint",
        "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.ap-northeast-1.eks.amazonaws.com",
    ),
    (
        "DbEndpoint",
        "app-db.cluster-c9akciq32.ap-northeast-1.rds.amazonaws.com",
    ),
];

/// The first part of a create, shared by the successful and the failed one.
fn create_start() -> Vec<Ev> {
    vec![
        stack_ev(0, "CREATE_IN_PROGRESS", Some("User Initiated")),
        r(3, "ClusterRole", "CREATE_IN_PROGRESS", None),
        r(3, "NodeRole", "CREATE_IN_PROGRESS", None),
        r(3, "Vpc", "CREATE_IN_PROGRESS", None),
        r(3, "DbSecret", "CREATE_IN_PROGRESS", None),
        r(3, "AppRepo", "CREATE_IN_PROGRESS", None),
        r(3, "ClusterLogs", "CREATE_IN_PROGRESS", None),
        r(
            4,
            "ClusterRole",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(4, "NodeRole", "CREATE_IN_PROGRESS", Some("Resource creation Initiated")),
        r(4, "Vpc", "CREATE_IN_PROGRESS", Some("Resource creation Initiated")),
        r(4, "DbSecret", "CREATE_IN_PROGRESS", Some("Resource creation Initiated")),
        r(4, "AppRepo", "CREATE_IN_PROGRESS", Some("Resource creation Initiated")),
        r(
            4,
            "ClusterLogs",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(5, "AppRepo", "CREATE_COMPLETE", None),
        r(5, "ClusterLogs", "CREATE_COMPLETE", None),
        r(5, "DbSecret", "CREATE_COMPLETE", None),
        r(15, "Vpc", "CREATE_COMPLETE", None),
        r(17, "PrivateSubnetA", "CREATE_IN_PROGRESS", None),
        r(17, "PrivateSubnetC", "CREATE_IN_PROGRESS", None),
        r(17, "ClusterSg", "CREATE_IN_PROGRESS", None),
        r(
            18,
            "PrivateSubnetA",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(
            18,
            "PrivateSubnetC",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(
            18,
            "ClusterSg",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(21, "ClusterRole", "CREATE_COMPLETE", None),
        r(21, "NodeRole", "CREATE_COMPLETE", None),
        r(23, "ClusterSg", "CREATE_COMPLETE", None),
        r(25, "DbSg", "CREATE_IN_PROGRESS", None),
        r(26, "DbSg", "CREATE_IN_PROGRESS", Some("Resource creation Initiated")),
        r(29, "PrivateSubnetA", "CREATE_COMPLETE", None),
        r(29, "PrivateSubnetC", "CREATE_COMPLETE", None),
        r(31, "DbSg", "CREATE_COMPLETE", None),
        r(31, "Cluster", "CREATE_IN_PROGRESS", None),
        r(31, "DbSubnetGroup", "CREATE_IN_PROGRESS", None),
        r(32, "Cluster", "CREATE_IN_PROGRESS", Some("Resource creation Initiated")),
        r(
            32,
            "DbSubnetGroup",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(33, "DbSubnetGroup", "CREATE_COMPLETE", None),
        r(35, "DbCluster", "CREATE_IN_PROGRESS", None),
    ]
}

/// A successful create of the whole environment: about 19 minutes.
pub fn create_succeeds() -> Op {
    let mut events = create_start();
    events.extend([
        r(
            36,
            "DbCluster",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(452, "DbCluster", "CREATE_COMPLETE", None),
        r(454, "DbWriter", "CREATE_IN_PROGRESS", None),
        r(
            455,
            "DbWriter",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(617, "Cluster", "CREATE_COMPLETE", None),
        r(619, "Nodegroup", "CREATE_IN_PROGRESS", None),
        r(
            620,
            "Nodegroup",
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        ),
        r(931, "DbWriter", "CREATE_COMPLETE", None),
        r(1122, "Nodegroup", "CREATE_COMPLETE", None),
        stack_ev(1125, "CREATE_COMPLETE", None),
    ]);
    Op::new(events).with_outputs(OUTPUTS)
}

pub const DB_VERSION_ERROR: &str = "Resource handler returned message: \"Cannot find version 99.1 for aurora-postgresql \
(Service: Rds, Status Code: 400, Request ID: 6b0f2f5a-3c1d-4e2f-8a9b-0c1d2e3f4a5b)\" (RequestToken: \
1d4c6a2e-5b3f-4c8d-9e0a-7b6c5d4e3f2a, HandlerErrorCode: InvalidRequest)";

/// The create fails on the Aurora cluster (bad engine version); EKS is cancelled; everything rolls back.
pub fn create_fails() -> Op {
    let mut events = create_start();
    events.extend([
        // CloudFormation cancels the other in-flight resources within the same second as the failure, and
        // events of the same second come back in no useful order: here the cancellation sorts first.
        r(37, "DbCluster", "CREATE_FAILED", Some(DB_VERSION_ERROR)),
        r(37, "Cluster", "CREATE_FAILED", Some("Resource creation cancelled")),
        stack_ev(
            39,
            "ROLLBACK_IN_PROGRESS",
            Some("The following resource(s) failed to create: [Cluster, DbCluster]. Rollback requested by user."),
        ),
        r(41, "DbSubnetGroup", "DELETE_IN_PROGRESS", None),
        r(41, "DbCluster", "DELETE_COMPLETE", None),
        r(42, "DbSubnetGroup", "DELETE_COMPLETE", None),
        r(43, "DbSg", "DELETE_IN_PROGRESS", None),
        r(95, "DbSg", "DELETE_COMPLETE", None),
        r(160, "Cluster", "DELETE_IN_PROGRESS", None),
        r(520, "Cluster", "DELETE_COMPLETE", None),
        r(522, "ClusterSg", "DELETE_IN_PROGRESS", None),
        r(522, "PrivateSubnetA", "DELETE_IN_PROGRESS", None),
        r(522, "PrivateSubnetC", "DELETE_IN_PROGRESS", None),
        r(522, "ClusterRole", "DELETE_IN_PROGRESS", None),
        r(522, "NodeRole", "DELETE_IN_PROGRESS", None),
        r(522, "DbSecret", "DELETE_IN_PROGRESS", None),
        r(522, "AppRepo", "DELETE_SKIPPED", None),
        r(522, "ClusterLogs", "DELETE_IN_PROGRESS", None),
        r(523, "ClusterLogs", "DELETE_COMPLETE", None),
        r(524, "DbSecret", "DELETE_COMPLETE", None),
        r(525, "ClusterRole", "DELETE_COMPLETE", None),
        r(525, "NodeRole", "DELETE_COMPLETE", None),
        r(527, "ClusterSg", "DELETE_COMPLETE", None),
        r(528, "PrivateSubnetA", "DELETE_COMPLETE", None),
        r(528, "PrivateSubnetC", "DELETE_COMPLETE", None),
        r(530, "Vpc", "DELETE_IN_PROGRESS", None),
        r(531, "Vpc", "DELETE_COMPLETE", None),
        stack_ev(532, "ROLLBACK_COMPLETE", None),
    ]);
    Op::new(events)
}

/// Shifts a recorded operation into the past (for a stack found in the state it left).
pub fn in_the_past(op: Op, seconds_ago: i64) -> Vec<Ev> {
    op.events
        .into_iter()
        .map(|mut e| {
            e.at -= seconds_ago;
            e
        })
        .collect()
}

pub const SPOT_ERROR: &str = "Resource handler returned message: \"[Issue(Code=AsgInstanceLaunchFailures, Message=Could \
not launch Spot Instances. UnfulfillableCapacity - Unable to fulfill capacity due to your request configuration. \
Please adjust your request and try again. Launching EC2 instance failed.)]\" (RequestToken: \
9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d, HandlerErrorCode: GeneralServiceException)";

/// An update of the node group that fails (no Spot capacity) and rolls back cleanly.
pub fn update_fails_and_rolls_back() -> Op {
    Op::new(vec![
        stack_ev(0, "UPDATE_IN_PROGRESS", Some("User Initiated")),
        r(4, "Nodegroup", "UPDATE_IN_PROGRESS", None),
        r(1210, "Nodegroup", "UPDATE_FAILED", Some(SPOT_ERROR)),
        stack_ev(
            1212,
            "UPDATE_ROLLBACK_IN_PROGRESS",
            Some("The following resource(s) failed to update: [Nodegroup]."),
        ),
        r(1216, "Nodegroup", "UPDATE_IN_PROGRESS", None),
        r(1400, "Nodegroup", "UPDATE_COMPLETE", None),
        stack_ev(1402, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", None),
        stack_ev(1404, "UPDATE_ROLLBACK_COMPLETE", None),
    ])
}

pub const DB_STATE_ERROR: &str = "Resource handler returned message: \"DB cluster app-db is not in the available state. \
(Service: Rds, Status Code: 400, Request ID: 0d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a)\" (RequestToken: \
2b3c4d5e-6f7a-8b9c-0d1e-2f3a4b5c6d7e, HandlerErrorCode: InvalidRequest)";

/// An update that fails, and whose rollback then fails on the database.
pub fn update_rollback_fails() -> Op {
    Op::new(vec![
        stack_ev(0, "UPDATE_IN_PROGRESS", Some("User Initiated")),
        r(3, "DbCluster", "UPDATE_IN_PROGRESS", None),
        r(4, "Nodegroup", "UPDATE_IN_PROGRESS", None),
        r(200, "DbCluster", "UPDATE_COMPLETE", None),
        r(1210, "Nodegroup", "UPDATE_FAILED", Some(SPOT_ERROR)),
        stack_ev(
            1212,
            "UPDATE_ROLLBACK_IN_PROGRESS",
            Some("The following resource(s) failed to update: [Nodegroup]."),
        ),
        r(1216, "Nodegroup", "UPDATE_IN_PROGRESS", None),
        r(1217, "DbCluster", "UPDATE_IN_PROGRESS", None),
        r(1219, "DbCluster", "UPDATE_FAILED", Some(DB_STATE_ERROR)),
        r(1400, "Nodegroup", "UPDATE_COMPLETE", None),
        stack_ev(
            1402,
            "UPDATE_ROLLBACK_FAILED",
            Some("The following resource(s) failed to update: [DbCluster]."),
        ),
    ])
}

pub const VPC_DEPENDENCY_ERROR: &str = "Resource handler returned message: \"The vpc 'vpc-0a1b2c3d4e5f60718' has \
dependencies and cannot be deleted. (Service: Ec2, Status Code: 400, Request ID: 4e5f6a7b-8c9d-0e1f-2a3b-4c5d6e7f8a9b)\" \
(RequestToken: 5f6a7b8c-9d0e-1f2a-3b4c-5d6e7f8a9b0c, HandlerErrorCode: GeneralServiceException)";

/// A delete blocked by a load balancer's leftover ENIs in the VPC.
pub fn delete_fails_on_vpc() -> Op {
    Op::new(vec![
        stack_ev(0, "DELETE_IN_PROGRESS", Some("User Initiated")),
        r(2, "Nodegroup", "DELETE_IN_PROGRESS", None),
        r(2, "AppRepo", "DELETE_SKIPPED", None),
        r(301, "Nodegroup", "DELETE_COMPLETE", None),
        r(303, "Cluster", "DELETE_IN_PROGRESS", None),
        r(520, "Cluster", "DELETE_COMPLETE", None),
        r(522, "PrivateSubnetA", "DELETE_IN_PROGRESS", None),
        r(523, "PrivateSubnetA", "DELETE_COMPLETE", None),
        r(525, "Vpc", "DELETE_IN_PROGRESS", None),
        r(1425, "Vpc", "DELETE_FAILED", Some(VPC_DEPENDENCY_ERROR)),
        stack_ev(
            1426,
            "DELETE_FAILED",
            Some("The following resource(s) failed to delete: [Vpc]. "),
        ),
    ])
}

/// A delete that completes; the repository is retained and the database snapshotted.
pub fn delete_succeeds() -> Op {
    Op::new(vec![
        stack_ev(0, "DELETE_IN_PROGRESS", Some("User Initiated")),
        r(2, "AppRepo", "DELETE_SKIPPED", None),
        r(2, "DbWriter", "DELETE_IN_PROGRESS", None),
        r(400, "DbWriter", "DELETE_COMPLETE", None),
        r(401, "DbCluster", "DELETE_IN_PROGRESS", None),
        r(700, "DbCluster", "DELETE_COMPLETE", None),
        r(702, "Vpc", "DELETE_IN_PROGRESS", None),
        r(703, "Vpc", "DELETE_COMPLETE", None),
        stack_ev(704, "DELETE_COMPLETE", None),
    ])
}

/// Resources of the deployed environment: (logical id, type, physical id).
pub fn deployed_resources() -> Vec<(String, String, String)> {
    RESOURCES
        .iter()
        .map(|(id, t)| (id.to_string(), t.to_string(), physical_id(id)))
        .collect()
}

/// A change set that modifies the node group (replacement conditional) and adds a log group.
pub fn update_plan() -> ChangeSetPlan {
    ChangeSetPlan {
        changes: vec![(
            ChangeAction::Modify,
            "Nodegroup".into(),
            "AWS::EKS::Nodegroup".into(),
            Some(Replacement::Conditional),
        )],
        ..ChangeSetPlan::default()
    }
}

/// `FAILED` change set for an unchanged stack, worded as AWS words it.
pub fn no_changes_plan() -> ChangeSetPlan {
    ChangeSetPlan {
        fail_reason: Some(
            "The submitted information didn't contain changes. Submit different information to create a change set."
                .into(),
        ),
        ..ChangeSetPlan::default()
    }
}
