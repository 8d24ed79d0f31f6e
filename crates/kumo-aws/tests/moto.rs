//! The client's protocols against a real endpoint: the pinned moto server on 127.0.0.1 (EC2 query,
//! awsQuery for IAM / RDS / CloudFormation, awsJson 1.1 for Service Quotas, restJson for EKS). State is
//! made with boto3 (`MotoServer::service_call`), an independent client, and read back with kumo's.

use kumo_aws::Client;
use kumo_aws::services::{cloudformation, ec2, eks, iam, rds, service_quotas, sts};
use kumo_testkit::moto::{MotoGuard, MotoServer};
use serde_json::json;

async fn client(moto: &MotoGuard) -> Client {
    Client::builder(&moto.sdk_config().await).build().unwrap()
}

#[tokio::test]
async fn ec2_query_protocol() {
    let moto = MotoServer::exclusive();
    let client = client(&moto).await;

    let region = ec2::describe_region(&client, "ap-northeast-1").await.unwrap().unwrap();
    assert_eq!(region.opt_in_status, "opt-in-not-required");
    assert_eq!(ec2::describe_region(&client, "xx-nowhere-9").await.unwrap(), None);

    let zones = ec2::describe_availability_zones(&client).await.unwrap();
    let names: Vec<&str> = zones.iter().map(|z| z.name.as_str()).collect();
    assert!(
        names.contains(&"ap-northeast-1a") && names.contains(&"ap-northeast-1c"),
        "{names:?}"
    );
    assert!(
        zones.iter().all(|z| z.state == "available" && !z.id.is_empty()),
        "{zones:?}"
    );

    let offered = ec2::instance_type_offerings(
        &client,
        &["ap-northeast-1a".into(), "ap-northeast-1c".into()],
        &["t3.medium".into(), "no-such.type".into()],
    )
    .await
    .unwrap();
    assert!(
        offered.contains(&("t3.medium".into(), "ap-northeast-1a".into())),
        "{offered:?}"
    );
    assert!(offered.iter().all(|(t, _)| t == "t3.medium"), "{offered:?}");

    assert!(ec2::describe_addresses(&client).await.unwrap().is_empty());
    let allocated = moto.service_call("ec2", "allocate_address", json!({"Domain": "vpc"}));
    let addresses = ec2::describe_addresses(&client).await.unwrap();
    assert_eq!(addresses.len(), 1);
    assert_eq!(addresses[0].public_ip, allocated["PublicIp"].as_str().unwrap());
    assert_eq!(addresses[0].domain, "vpc");

    let before = ec2::vpc_ids(&client).await.unwrap();
    let vpc = moto.service_call("ec2", "create_vpc", json!({"CidrBlock": "10.9.0.0/16"}));
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().unwrap().to_owned();
    let after = ec2::vpc_ids(&client).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains(&vpc_id));

    let subnet = moto.service_call(
        "ec2",
        "create_subnet",
        json!({"VpcId": vpc_id, "CidrBlock": "10.9.0.0/24", "AvailabilityZone": "ap-northeast-1c"}),
    );
    let subnet_id = subnet["Subnet"]["SubnetId"].as_str().unwrap().to_owned();
    assert_eq!(
        ec2::subnet_zones(&client, std::slice::from_ref(&subnet_id))
            .await
            .unwrap(),
        [(subnet_id.clone(), "ap-northeast-1c".to_owned())]
    );
    let gateways_before = ec2::internet_gateway_ids(&client).await.unwrap().len();
    moto.service_call("ec2", "create_internet_gateway", json!({}));
    assert_eq!(
        ec2::internet_gateway_ids(&client).await.unwrap().len(),
        gateways_before + 1
    );

    let allocation = allocated["AllocationId"].as_str().unwrap();
    moto.service_call(
        "ec2",
        "create_nat_gateway",
        json!({"SubnetId": subnet_id, "AllocationId": allocation}),
    );
    let nats = ec2::live_nat_gateways(&client).await.unwrap();
    assert_eq!(nats.len(), 1, "{nats:?}");
    assert_eq!(nats[0].subnet_id, subnet_id);

    assert_eq!(ec2::interface_endpoint_count(&client, &vpc_id).await.unwrap(), 0);
    moto.service_call(
        "ec2",
        "create_vpc_endpoint",
        json!({"VpcId": vpc_id, "ServiceName": "com.amazonaws.ap-northeast-1.ecr.dkr",
               "VpcEndpointType": "Interface", "SubnetIds": [subnet_id]}),
    );
    assert_eq!(ec2::interface_endpoint_count(&client, &vpc_id).await.unwrap(), 1);
}

#[tokio::test]
async fn query_protocol_iam_rds_cloudformation() {
    let moto = MotoServer::exclusive();
    let client = client(&moto).await;

    let identity = sts::get_caller_identity(&client).await.unwrap();
    assert_eq!(identity.account, "123456789012");
    assert!(identity.arn.starts_with("arn:aws:"), "{identity:?}");

    assert_eq!(iam::get_user(&client, "alice").await.unwrap(), None);
    moto.service_call("iam", "create_user", json!({"UserName": "alice"}));
    let alice = iam::get_user(&client, "alice").await.unwrap().unwrap();
    assert_eq!(alice.arn, "arn:aws:iam::123456789012:user/alice");
    assert_eq!(alice.path, "/");

    assert_eq!(iam::get_role(&client, "Ops").await.unwrap(), None);
    moto.service_call(
        "iam",
        "create_role",
        json!({"RoleName": "Ops", "Path": "/team/", "AssumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}),
    );
    let ops = iam::get_role(&client, "Ops").await.unwrap().unwrap();
    assert_eq!(ops.arn, "arn:aws:iam::123456789012:role/team/Ops");
    assert_eq!(ops.path, "/team/");

    let orderable = rds::orderable_options(&client, "aurora-postgresql", Some("14.6"), Some("db.t3.medium"))
        .await
        .unwrap();
    assert!(!orderable.is_empty());
    assert!(
        orderable
            .iter()
            .all(|o| o.instance_class == "db.t3.medium" && o.engine_version == "14.6")
    );
    let none = rds::orderable_options(&client, "aurora-postgresql", Some("99.1"), None)
        .await
        .unwrap();
    assert!(none.is_empty());

    assert_eq!(
        cloudformation::list_stack_resources(&client, "absent").await.unwrap(),
        None
    );
    moto.service_call(
        "cloudformation",
        "create_stack",
        json!({"StackName": "listed", "TemplateBody":
            "{\"Resources\":{\"Logs\":{\"Type\":\"AWS::Logs::LogGroup\",\"Properties\":{\"LogGroupName\":\"/kumo/listed\"}}}}"}),
    );
    assert_eq!(
        cloudformation::list_stack_resources(&client, "listed").await.unwrap(),
        Some(vec![("Logs".to_owned(), "AWS::Logs::LogGroup".to_owned())])
    );
}

#[tokio::test]
async fn json_and_rest_json_protocols() {
    let moto = MotoServer::exclusive();
    let client = client(&moto).await;
    // moto models the VPC quotas only.
    assert_eq!(
        service_quotas::get_service_quota(&client, "vpc", "L-F678F1CE")
            .await
            .unwrap(),
        Some(5.0)
    );
    assert_eq!(
        service_quotas::get_service_quota(&client, "ec2", "L-0263D0A3")
            .await
            .unwrap(),
        None
    );
    // moto has no DescribeClusterVersions: an HTML 404, reported as "not implemented by the endpoint".
    let error = eks::describe_cluster_versions(&client, &["1.36".into()])
        .await
        .unwrap_err();
    assert!(error.is_unsupported(), "{error}");
}
