//! Every check, for a ready and a not-ready account, against recorded AWS answers (the shapes AWS sends:
//! EC2 query, awsQuery, awsJson and restJson bodies with request ids). The checks moto can answer are
//! also run against moto, end to end through the binary (crates/kumo-cli/tests/preflight_moto.rs).

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::SdkConfig;
use aws_types::region::Region;
use kumo_aws::replay::{Answer, Replay};
use kumo_aws::{Client, RetryPolicy};
use kumo_preflight::{CallerIdentity, Checklist, Item, Request, Status, Subject};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "ap-northeast-1";

/// A small EKS + Aurora stack with the blueprint's shape: two zones, a NAT gateway and Elastic IP per
/// zone, an interface endpoint, a cluster with two admins, spot nodes, a database, a GitHub build.
fn template() -> Value {
    json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Public1": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24",
            "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
        "Public2": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24",
            "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}},
        "Igw": {"Type": "AWS::EC2::InternetGateway"},
        "Eip1": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
        "Eip2": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
        "Nat1": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "Public1"},
            "AllocationId": {"Fn::GetAtt": ["Eip1", "AllocationId"]}}},
        "Nat2": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "Public2"},
            "AllocationId": {"Fn::GetAtt": ["Eip2", "AllocationId"]}}},
        "Ecr": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcId": {"Ref": "Vpc"}, "VpcEndpointType": "Interface",
            "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.dkr"}}},
        "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Version": "1.36", "AccessConfig": {"AuthenticationMode": "API"}}},
        "AdminUser": {"Type": "AWS::EKS::AccessEntry", "Properties": {"ClusterName": {"Ref": "Cluster"},
            "PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/akari"}}},
        "AdminRole": {"Type": "AWS::EKS::AccessEntry", "Properties": {"ClusterName": {"Ref": "Cluster"},
            "PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/AdminRole"}}},
        "Nodes": {"Type": "AWS::EKS::Nodegroup", "Properties": {"InstanceTypes": ["m5a.large", "m5.large"],
            "Subnets": [{"Ref": "Public1"}, {"Ref": "Public2"}]}},
        "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-postgresql", "EngineVersion": "17.6"}},
        "DbWriter": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBClusterIdentifier": {"Ref": "Db"},
            "DBInstanceClass": "db.t3.medium", "Engine": "aurora-postgresql"}},
        "Images": {"Type": "AWS::CodeBuild::Project", "Properties": {"Source": {"Type": "GITHUB",
            "Location": "https://github.com/octo/app.git"}, "Triggers": {"Webhook": true}}}
    }})
}

fn xml_list(response: &str, set: &str, items: &[String]) -> String {
    format!(
        "<{response} xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>req-{set}</requestId><{set}>{}</{set}></{response}>",
        items.iter().map(|i| format!("<item>{i}</item>")).collect::<String>()
    )
}

/// The state of the recorded account; `ready()` passes every check.
#[derive(Clone)]
struct Account {
    zones: Vec<&'static str>,
    opt_in: &'static str,
    users: Vec<&'static str>,
    roles: Vec<(&'static str, &'static str)>,
    /// (server type, auth type, resource)
    credentials: Vec<(&'static str, &'static str, Option<&'static str>)>,
    connection_status: &'static str,
    versions: Vec<(&'static str, &'static str)>,
    /// (version, class)
    orderable: Vec<(&'static str, &'static str)>,
    /// (type, zone)
    offerings: Vec<(&'static str, &'static str)>,
    addresses: usize,
    vpcs: usize,
    gateways: usize,
    /// zone of each existing NAT gateway
    nats: Vec<&'static str>,
    eip_quota: Option<f64>,
}

impl Account {
    fn ready() -> Account {
        Account {
            zones: vec!["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
            opt_in: "opt-in-not-required",
            users: vec!["akari"],
            roles: vec![("AdminRole", "/")],
            credentials: vec![("GITHUB", "PERSONAL_ACCESS_TOKEN", None)],
            connection_status: "AVAILABLE",
            versions: vec![
                ("1.34", "STANDARD_SUPPORT"),
                ("1.35", "STANDARD_SUPPORT"),
                ("1.36", "STANDARD_SUPPORT"),
            ],
            orderable: vec![("17.6", "db.t3.medium"), ("17.6", "db.r6g.large")],
            offerings: vec![
                ("m5a.large", "ap-northeast-1a"),
                ("m5a.large", "ap-northeast-1c"),
                ("m5.large", "ap-northeast-1a"),
                ("m5.large", "ap-northeast-1c"),
            ],
            addresses: 1,
            vpcs: 1,
            gateways: 1,
            nats: vec![],
            eip_quota: Some(5.0),
        }
    }

    fn replay(&self) -> Replay {
        let mut replay = Replay::new().on(
            "ListStackResources",
            Answer::xml(
                400,
                "cfn-1",
                "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id app does not exist</Message></Error><RequestId>cfn-1</RequestId></ErrorResponse>",
            ),
        );
        let regions = xml_list(
            "DescribeRegionsResponse",
            "regionInfo",
            &[format!(
                "<regionName>{REGION}</regionName><regionEndpoint>ec2.{REGION}.amazonaws.com</regionEndpoint><optInStatus>{}</optInStatus>",
                self.opt_in
            )],
        );
        replay = replay.on("DescribeRegions", Answer::xml(200, "r", &regions));
        let zones: Vec<String> = self
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| {
                format!("<zoneName>{z}</zoneName><zoneState>available</zoneState><regionName>{REGION}</regionName><zoneId>apne1-az{}</zoneId><zoneType>availability-zone</zoneType>", i + 1)
            })
            .collect();
        replay = replay.on(
            "DescribeAvailabilityZones",
            Answer::xml(
                200,
                "z",
                &xml_list("DescribeAvailabilityZonesResponse", "availabilityZoneInfo", &zones),
            ),
        );
        {
            let user = "akari";
            replay = replay.on(
                "GetUser",
                if self.users.contains(&user) {
                    Answer::xml(200, "u", &format!("<GetUserResponse><GetUserResult><User><Path>/</Path><UserName>{user}</UserName><Arn>arn:aws:iam::{ACCOUNT}:user/{user}</Arn></User></GetUserResult><ResponseMetadata><RequestId>u</RequestId></ResponseMetadata></GetUserResponse>"))
                } else {
                    Answer::xml(404, "iam-404", &format!("<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name {user} cannot be found.</Message></Error><RequestId>iam-404</RequestId></ErrorResponse>"))
                },
            );
        }
        {
            let role = "AdminRole";
            replay = replay.on(
                "GetRole",
                match self.roles.iter().find(|(r, _)| *r == role) {
                    Some((_, path)) => Answer::xml(200, "r", &format!("<GetRoleResponse><GetRoleResult><Role><Path>{path}</Path><RoleName>{role}</RoleName><Arn>arn:aws:iam::{ACCOUNT}:role{path}{role}</Arn></Role></GetRoleResult></GetRoleResponse>")),
                    None => Answer::xml(404, "iam-404r", &format!("<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name {role} cannot be found.</Message></Error><RequestId>iam-404r</RequestId></ErrorResponse>")),
                },
            );
        }
        let credentials: Vec<Value> = self
            .credentials
            .iter()
            .map(|(server, auth, resource)| {
                json!({"arn": format!("arn:aws:codebuild:{REGION}:{ACCOUNT}:token/{}", server.to_lowercase()),
                       "serverType": server, "authType": auth, "resource": resource})
            })
            .collect();
        replay = replay.on(
            "ListSourceCredentials",
            Answer::json(
                200,
                "cb",
                None,
                &json!({"sourceCredentialsInfos": credentials}).to_string(),
            ),
        );
        replay = replay.on(
            "GetConnection",
            Answer::json(
                200,
                "cc",
                None,
                &json!({"Connection": {"ConnectionName": "github-octo", "ConnectionArn": "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/6c1e",
                    "ProviderType": "GitHub", "OwnerAccountId": ACCOUNT, "ConnectionStatus": self.connection_status}})
                .to_string(),
            ),
        );
        let versions = |filter: Option<&str>| -> String {
            let list: Vec<Value> = self
                .versions
                .iter()
                .filter(|(v, _)| filter.is_none_or(|f| f == *v))
                .map(|(v, s)| json!({"clusterVersion": v, "clusterType": "eks", "versionStatus": s, "defaultVersion": false}))
                .collect();
            json!({"clusterVersions": list}).to_string()
        };
        replay = replay
            .on(
                "GET /cluster-versions",
                Answer::json(200, "eks-1", None, &versions(Some("1.36"))),
            )
            .on(
                "GET /cluster-versions",
                Answer::json(200, "eks-2", None, &versions(None)),
            );
        let orderable = |class: Option<&str>| -> String {
            let options: String = self
                .orderable
                .iter()
                .filter(|(v, c)| *v == "17.6" && class.is_none_or(|k| k == *c))
                .map(|(v, c)| format!("<OrderableDBInstanceOption><Engine>aurora-postgresql</Engine><EngineVersion>{v}</EngineVersion><DBInstanceClass>{c}</DBInstanceClass><Vpc>true</Vpc></OrderableDBInstanceOption>"))
                .collect();
            format!(
                "<DescribeOrderableDBInstanceOptionsResponse><DescribeOrderableDBInstanceOptionsResult><OrderableDBInstanceOptions>{options}</OrderableDBInstanceOptions></DescribeOrderableDBInstanceOptionsResult><ResponseMetadata><RequestId>rds</RequestId></ResponseMetadata></DescribeOrderableDBInstanceOptionsResponse>"
            )
        };
        replay = replay
            .on(
                "DescribeOrderableDBInstanceOptions",
                Answer::xml(200, "rds-1", &orderable(Some("db.t3.medium"))),
            )
            .on(
                "DescribeOrderableDBInstanceOptions",
                Answer::xml(200, "rds-2", &orderable(None)),
            );
        let offerings: Vec<String> = self
            .offerings
            .iter()
            .map(|(t, z)| format!("<instanceType>{t}</instanceType><locationType>availability-zone</locationType><location>{z}</location>"))
            .collect();
        replay = replay.on(
            "DescribeInstanceTypeOfferings",
            Answer::xml(
                200,
                "o",
                &xml_list(
                    "DescribeInstanceTypeOfferingsResponse",
                    "instanceTypeOfferingSet",
                    &offerings,
                ),
            ),
        );
        let addresses: Vec<String> = (0..self.addresses)
            .map(|i| {
                format!(
                    "<publicIp>203.0.113.{i}</publicIp><allocationId>eipalloc-{i}</allocationId><domain>vpc</domain>"
                )
            })
            .collect();
        replay = replay.on(
            "DescribeAddresses",
            Answer::xml(
                200,
                "a",
                &xml_list("DescribeAddressesResponse", "addressesSet", &addresses),
            ),
        );
        let vpcs: Vec<String> = (0..self.vpcs).map(|i| format!("<vpcId>vpc-{i}</vpcId>")).collect();
        replay = replay.on(
            "DescribeVpcs",
            Answer::xml(200, "v", &xml_list("DescribeVpcsResponse", "vpcSet", &vpcs)),
        );
        let gateways: Vec<String> = (0..self.gateways)
            .map(|i| format!("<internetGatewayId>igw-{i}</internetGatewayId>"))
            .collect();
        replay = replay.on(
            "DescribeInternetGateways",
            Answer::xml(
                200,
                "g",
                &xml_list("DescribeInternetGatewaysResponse", "internetGatewaySet", &gateways),
            ),
        );
        let nats: Vec<String> = self
            .nats
            .iter()
            .enumerate()
            .map(|(i, _)| {
                format!("<natGatewayId>nat-{i}</natGatewayId><subnetId>subnet-{i}</subnetId><state>available</state>")
            })
            .collect();
        replay = replay.on(
            "DescribeNatGateways",
            Answer::xml(
                200,
                "n",
                &xml_list("DescribeNatGatewaysResponse", "natGatewaySet", &nats),
            ),
        );
        let subnets: Vec<String> = self
            .nats
            .iter()
            .enumerate()
            .map(|(i, z)| format!("<subnetId>subnet-{i}</subnetId><availabilityZone>{z}</availabilityZone>"))
            .collect();
        replay = replay.on(
            "DescribeSubnets",
            Answer::xml(200, "s", &xml_list("DescribeSubnetsResponse", "subnetSet", &subnets)),
        );
        for (code, value) in [
            ("L-0263D0A3", self.eip_quota),
            ("L-F678F1CE", Some(5.0)),
            ("L-A4707A72", Some(5.0)),
            ("L-FE5A380F", Some(5.0)),
            ("L-29B6F2EB", Some(50.0)),
        ] {
            replay = replay.on_matching(
                "GetServiceQuota",
                code,
                match value {
                    Some(value) => Answer::json(
                        200,
                        "sq",
                        None,
                        &json!({"Quota": {"QuotaCode": code, "Value": value}}).to_string(),
                    ),
                    None => Answer::json(
                        400,
                        "sq-no",
                        None,
                        r#"{"__type":"NoSuchResourceException","Message":"The request failed because the specified resource does not exist."}"#,
                    ),
                },
            );
        }
        replay
    }
}

async fn preflight(account: &Account, caller: &str, template: &Value, subject: Subject) -> (Checklist, Replay) {
    let replay = account.replay();
    let config = SdkConfig::builder()
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "secret", None, None, "test",
        )))
        .build();
    let client = Client::builder(&config)
        .transport(replay.clone())
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let identity = CallerIdentity {
        account: ACCOUNT.into(),
        arn: caller.into(),
    };
    let checklist = kumo_preflight::run(
        &client,
        &Request {
            stack_name: "app",
            template,
            parameters: &[],
            identity: &identity,
            subject,
        },
    )
    .await;
    (checklist, replay)
}

const DEPLOYER: &str = "arn:aws:sts::123456789012:assumed-role/Deployer/ci";

fn find<'a>(checklist: &'a Checklist, title: &str) -> Vec<&'a Item> {
    checklist.items.iter().filter(|i| i.title.contains(title)).collect()
}

fn text(checklist: &Checklist) -> String {
    checklist.items.iter().map(|i| format!("{i}\n")).collect()
}

#[tokio::test]
async fn a_ready_account_passes_every_check() {
    let (checklist, replay) = preflight(&Account::ready(), DEPLOYER, &template(), Subject::Project).await;
    let all = text(&checklist);
    assert!(checklist.passed(), "{all}");
    assert_eq!(checklist.count(Status::Warn), 0, "{all}");
    for expected in [
        "✓ cluster creator: arn:aws:sts::123456789012:assumed-role/Deployer/ci becomes cluster admin of Cluster as its creator",
        "✓ region: ap-northeast-1; the stack uses zones ap-northeast-1a, ap-northeast-1c",
        "✓ cluster admins: user akari and role AdminRole exist",
        "✓ source https://github.com/octo/app.git: CodeBuild has GitHub credentials (PERSONAL_ACCESS_TOKEN) in ap-northeast-1",
        "✓ Kubernetes 1.36: EKS offers it in ap-northeast-1 (standard support)",
        "✓ Aurora PostgreSQL 17.6 on db.t3.medium: orderable in ap-northeast-1",
        "✓ instance types of Nodes: m5a.large, m5.large offered in ap-northeast-1a and ap-northeast-1c",
        "✓ Elastic IP addresses: 1 in use + 2 new = 3 of 5",
        "✓ VPCs: 1 in use + 1 new = 2 of 5",
        "✓ NAT gateways: ap-northeast-1a: 0 in use + 1 new; ap-northeast-1c: 0 in use + 1 new (limit 5 per zone",
        "✓ interface endpoints: the new VPC Vpc: 0 in use + 1 new (limit 50 per VPC",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
    // Nothing but reads.
    for operation in replay.operations() {
        assert!(
            ["List", "Describe", "Get", "GET "]
                .iter()
                .any(|read| operation.starts_with(read)),
            "{operation} is not a read"
        );
    }
}

#[tokio::test]
async fn missing_admins_are_named_with_the_key_to_change() {
    let mut account = Account::ready();
    account.users.clear();
    account.roles.clear();
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let failed: Vec<String> = find(&checklist, "cluster admins")
        .iter()
        .map(|i| i.to_string())
        .collect();
    assert_eq!(failed.len(), 2, "{}", text(&checklist));
    assert!(
        failed[0].starts_with("✗ cluster admins: IAM user \"akari\" does not exist in account 123456789012"),
        "{failed:?}"
    );
    assert!(
        failed[0].contains("fix: create the user \"akari\", or remove it from eks.admin_users in kumo.toml"),
        "{failed:?}"
    );
    assert!(
        failed[1].contains("IAM role \"AdminRole\" does not exist"),
        "{failed:?}"
    );
    assert!(failed[1].contains("eks.admin_roles"), "{failed:?}");
}

#[tokio::test]
async fn an_access_entry_for_the_deploying_identity_is_refused() {
    let caller = "arn:aws:iam::123456789012:user/akari";
    let (checklist, _) = preflight(&Account::ready(), caller, &template(), Subject::Project).await;
    let conflict = find(&checklist, "cluster admins")
        .into_iter()
        .find(|i| i.status == Status::Fail)
        .unwrap_or_else(|| panic!("{}", text(&checklist)));
    assert!(conflict.detail.contains("ResourceInUseException"), "{conflict}");
    assert_eq!(
        conflict.fix.as_deref(),
        Some("remove \"akari\" from eks.admin_users in kumo.toml: you stay cluster admin as the creator")
    );
}

#[tokio::test]
async fn a_role_with_a_path_needs_it_in_the_arn() {
    let mut account = Account::ready();
    account.roles = vec![("AdminRole", "/aws-reserved/sso.amazonaws.com/")];
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Template).await;
    let item = find(&checklist, "cluster admins")
        .into_iter()
        .find(|i| i.status == Status::Fail)
        .unwrap_or_else(|| panic!("{}", text(&checklist)));
    assert!(
        item.detail
            .contains("EKS needs the ARN with the path /aws-reserved/sso.amazonaws.com/"),
        "{item}"
    );
    assert_eq!(
        item.fix.as_deref(),
        Some(
            "use arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AdminRole as PrincipalArn of AdminRole"
        )
    );
}

#[tokio::test]
async fn a_github_source_without_credentials_fails_with_both_ways_to_fix_it() {
    let mut account = Account::ready();
    account.credentials.clear();
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "source https://github.com/octo/app.git")[0];
    assert_eq!(item.status, Status::Fail, "{item}");
    assert!(
        item.detail
            .contains("CodeBuild has no GitHub credentials in ap-northeast-1"),
        "{item}"
    );
    assert!(item.detail.contains("and its webhook"), "{item}");
    let fix = item.fix.as_deref().unwrap();
    assert!(
        fix.contains("--server-type GITHUB --auth-type PERSONAL_ACCESS_TOKEN"),
        "{fix}"
    );
    assert!(
        fix.contains("--auth-type CODECONNECTIONS --token <connection ARN>"),
        "{fix}"
    );
    assert!(fix.contains("image_builder.github_owner / github_repo"), "{fix}");
}

#[tokio::test]
async fn a_pending_connection_fails_and_an_available_one_passes() {
    let mut account = Account::ready();
    account.credentials = vec![(
        "GITHUB",
        "CODECONNECTIONS",
        Some("arn:aws:codeconnections:ap-northeast-1:123456789012:connection/6c1e"),
    )];
    account.connection_status = "PENDING";
    let (checklist, replay) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "source ")[0];
    assert_eq!(item.status, Status::Fail, "{item}");
    assert!(
        item.detail
            .contains("github-octo (the account's default credentials) is PENDING"),
        "{item}"
    );
    assert!(replay.operations().contains(&"GetConnection".to_owned()));
    account.connection_status = "AVAILABLE";
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    assert_eq!(find(&checklist, "source ")[0].status, Status::Pass);
}

#[tokio::test]
async fn a_kubernetes_version_eks_does_not_offer_lists_the_offered_ones() {
    let mut account = Account::ready();
    account.versions = vec![
        ("1.33", "EXTENDED_SUPPORT"),
        ("1.34", "STANDARD_SUPPORT"),
        ("1.35", "STANDARD_SUPPORT"),
    ];
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "Kubernetes 1.36")[0];
    assert_eq!(
        item.to_string(),
        "✗ Kubernetes 1.36: EKS does not offer it for new clusters in ap-northeast-1; offered: 1.33, 1.34, 1.35\n    \
         fix: choose an offered version: eks.kubernetes_version in kumo.toml"
    );
    // Extended support is a warning (it costs more), not a failure.
    account.versions = vec![("1.36", "EXTENDED_SUPPORT")];
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "Kubernetes 1.36")[0];
    assert_eq!(item.status, Status::Warn, "{item}");
    assert!(item.detail.contains("$0.60 an hour"), "{item}");
}

#[tokio::test]
async fn a_database_class_or_version_that_is_not_orderable() {
    let mut account = Account::ready();
    account.orderable = vec![("17.6", "db.r6g.large"), ("17.6", "db.t4g.medium")];
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "Aurora PostgreSQL")[0];
    assert_eq!(
        item.to_string(),
        "✗ Aurora PostgreSQL 17.6 on db.t3.medium: db.t3.medium is not orderable for Aurora PostgreSQL 17.6 in \
         ap-northeast-1; orderable classes include db.r6g.large and db.t4g.medium\n    fix: choose an orderable class: \
         database.instance_class in kumo.toml"
    );
    account.orderable.clear();
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "Aurora PostgreSQL")[0];
    assert!(
        item.detail
            .contains("Aurora PostgreSQL 17.6 is not offered in ap-northeast-1"),
        "{item}"
    );
    assert!(
        item.fix
            .as_deref()
            .unwrap()
            .contains("database.engine_version in kumo.toml"),
        "{item}"
    );
}

#[tokio::test]
async fn instance_types_missing_in_a_zone() {
    let mut account = Account::ready();
    account.offerings = vec![("m5a.large", "ap-northeast-1a"), ("m5.large", "ap-northeast-1a")];
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Template).await;
    let item = find(&checklist, "instance types of Nodes")[0];
    assert_eq!(item.status, Status::Fail, "{item}");
    assert!(
        item.detail
            .contains("none of m5a.large, m5.large is offered in ap-northeast-1c"),
        "{item}"
    );
    assert!(
        item.fix.as_deref().unwrap().ends_with("InstanceTypes of Nodes"),
        "{item}"
    );
    // One type missing in one zone: the group uses the other there; a warning.
    account.offerings.push(("m5a.large", "ap-northeast-1c"));
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Template).await;
    let item = find(&checklist, "instance types of Nodes")[0];
    assert_eq!(item.status, Status::Warn, "{item}");
    assert!(
        item.detail.contains("not offered: m5.large in ap-northeast-1c"),
        "{item}"
    );
}

#[tokio::test]
async fn quotas_without_room() {
    let mut account = Account::ready();
    account.addresses = 4;
    account.vpcs = 5;
    account.nats = vec!["ap-northeast-1c"; 5];
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let all = text(&checklist);
    let eips = find(&checklist, "Elastic IP addresses")[0];
    assert_eq!(eips.status, Status::Fail, "{all}");
    assert!(
        eips.detail.starts_with("4 in use + 2 new = 6 of 5 (quota, L-0263D0A3): the stack would fail when it creates the second one (only 1 fits)"),
        "{eips}"
    );
    assert!(
        eips.fix
            .as_deref()
            .unwrap()
            .contains("set network.nat_gateways = 1 in kumo.toml"),
        "{eips}"
    );
    let vpcs = find(&checklist, "VPCs")[0];
    assert_eq!(vpcs.status, Status::Fail, "{vpcs}");
    assert!(
        vpcs.detail.contains("would fail when it creates the first one"),
        "{vpcs}"
    );
    let nats = find(&checklist, "NAT gateways")[0];
    assert_eq!(nats.status, Status::Fail, "{nats}");
    assert!(
        nats.detail
            .contains("over the limit in ap-northeast-1c (5 in use + 1 new)"),
        "{nats}"
    );
}

#[tokio::test]
async fn an_unreadable_quota_falls_back_to_aws_default() {
    let mut account = Account::ready();
    account.eip_quota = None;
    account.addresses = 3;
    let (checklist, replay) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "Elastic IP addresses")[0];
    // GetServiceQuota has no applied value; GetAWSDefaultServiceQuota has no recorded answer either, so
    // the documented default (5) applies, and says so.
    assert!(replay.operations().contains(&"GetAWSDefaultServiceQuota".to_owned()));
    assert_eq!(item.status, Status::Pass, "{item}");
    assert!(
        item.detail.starts_with(
            "3 in use + 2 new = 5 of 5 (documented default: Service Quotas GetAWSDefaultServiceQuota failed (HTTP 599)"
        ),
        "{item}"
    );
}

#[tokio::test]
async fn a_region_the_account_has_not_enabled() {
    let mut account = Account::ready();
    account.opt_in = "not-opted-in";
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "region")[0];
    assert_eq!(item.status, Status::Fail, "{item}");
    assert!(
        item.detail
            .contains("opt-in region that account 123456789012 has not enabled"),
        "{item}"
    );
}

#[tokio::test]
async fn too_few_zones_for_the_template() {
    let mut account = Account::ready();
    account.zones = vec!["ap-northeast-1a"];
    let (checklist, _) = preflight(&account, DEPLOYER, &template(), Subject::Project).await;
    let item = find(&checklist, "availability zones")[0];
    assert_eq!(
        item.to_string(),
        "✗ availability zones: the template places subnets in 2 zones, but ap-northeast-1 has 1: ap-northeast-1a\n    \
         fix: set network.max_azs to at most 1 in kumo.toml"
    );
}

#[tokio::test]
async fn a_template_without_eks_gets_region_and_its_quotas_only() {
    let small = json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
        "Logs": {"Type": "AWS::Logs::LogGroup"}
    }});
    let (checklist, replay) = preflight(&Account::ready(), DEPLOYER, &small, Subject::Template).await;
    let titles: Vec<&str> = checklist.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["region", "VPCs"], "{}", text(&checklist));
    let operations = replay.operations();
    for unrelated in [
        "GetUser",
        "ListSourceCredentials",
        "DescribeAddresses",
        "DescribeOrderableDBInstanceOptions",
    ] {
        assert!(
            !operations.iter().any(|o| o == unrelated),
            "{unrelated} was called: {operations:?}"
        );
    }
}

#[tokio::test]
async fn denied_or_unimplemented_calls_are_warnings_not_failures() {
    let replay_denied = Answer::json(
        400,
        "deny-1",
        None,
        r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: codebuild:ListSourceCredentials"}"#,
    );
    // CodeBuild denies the call; EKS is a local emulator's HTML 404. (Every other call has no recorded
    // answer, which makes those checks warnings too.)
    let replay = Replay::new()
        .on("ListSourceCredentials", replay_denied)
        .on("GET /cluster-versions", Answer::html(404, "404 Not Found"));
    let config = SdkConfig::builder()
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "secret", None, None, "test",
        )))
        .build();
    let client = Client::builder(&config)
        .transport(replay.clone())
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let identity = CallerIdentity {
        account: ACCOUNT.into(),
        arn: DEPLOYER.into(),
    };
    let template = template();
    let checklist = kumo_preflight::run(
        &client,
        &Request {
            stack_name: "app",
            template: &template,
            parameters: &[],
            identity: &identity,
            subject: Subject::Project,
        },
    )
    .await;
    let source = find(&checklist, "source ")[0];
    assert_eq!(source.status, Status::Warn, "{source}");
    assert!(
        source
            .detail
            .contains("not checked: the identity may not call codebuild:ListSourceCredentials"),
        "{source}"
    );
    assert!(source.detail.contains("(request id deny-1)"), "{source}");
    let kubernetes = find(&checklist, "Kubernetes")[0];
    assert_eq!(kubernetes.status, Status::Warn, "{kubernetes}");
    assert!(
        kubernetes
            .detail
            .starts_with("not checked: the endpoint does not implement EKS DescribeClusterVersions"),
        "{kubernetes}"
    );
}
