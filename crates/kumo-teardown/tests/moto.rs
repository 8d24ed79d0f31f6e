//! Discovery and sweep against the pinned moto server: a stack deployed through moto's CloudFormation,
//! leftovers planted with boto3 for it and for another stack, then kumo's look-ups and deletes, checked
//! through the services themselves. (What moto does not model — DependencyViolation, slow deletes,
//! ordering — is in `recorded.rs`.)

use kumo_aws::Client;
use kumo_teardown::{Kind, Scope, SweepOptions, discover, sweep};
use kumo_testkit::leftovers::{EVERYTHING, Placement, STACK_TEMPLATE, kinds, plant, still_there};
use kumo_testkit::moto::MotoServer;
use serde_json::json;

#[tokio::test]
async fn finds_this_stacks_leftovers_only_and_removes_them_in_order() {
    let moto = MotoServer::exclusive();
    moto.service_call(
        "cloudformation",
        "create_stack",
        json!({"StackName": "demo", "TemplateBody": STACK_TEMPLATE}),
    );
    let at = Placement::of_stack(&moto, "demo");
    let ours = plant(&moto, "demo", &at);
    let theirs = plant(&moto, "other", &at);
    let client = Client::builder(&moto.sdk_config().await).build().unwrap();

    let scope = Scope::of_stack(&client, "demo").await.unwrap();
    assert_eq!(scope.vpcs, std::slice::from_ref(&at.vpc_id));
    assert_eq!(scope.zones.len(), 1);
    let found = discover(&client, &scope).await.unwrap();
    let found_kinds: Vec<Kind> = found.iter().map(|l| l.kind).collect();
    assert_eq!(
        found_kinds,
        [
            Kind::Listener,
            Kind::LoadBalancer,
            Kind::TargetGroup,
            Kind::NetworkInterface,
            Kind::SecurityGroupRule,
            Kind::SecurityGroup,
            Kind::DnsRecord,
            Kind::Volume,
        ],
        "{found:#?}"
    );
    let ids: Vec<&str> = found.iter().map(|l| l.id.as_str()).collect();
    for id in [
        &ours.listener_arn,
        &ours.load_balancer_arn,
        &ours.target_group_arn,
        &ours.interface_id,
        &ours.security_group_id,
        &ours.volume_id,
    ] {
        assert!(ids.contains(&id.as_str()), "{id} not found: {ids:?}");
    }
    // The rule on the stack's node group names our group only; the other stack's rule is not ours.
    let rule = &found[4];
    assert!(
        rule.name.contains(&ours.security_group_id) && rule.name.starts_with(&at.node_group_id),
        "{rule:?}"
    );
    assert!(!ids.iter().any(|id| id.contains("other")), "{ids:?}");
    assert!(
        found
            .iter()
            .all(|l| l.found_by.contains("demo") || l.kind == Kind::SecurityGroupRule)
    );

    let mut steps = Vec::new();
    let report = sweep(&client, &found, &SweepOptions::default(), &mut |step| {
        steps.push(format!("{step:?}"))
    })
    .await
    .unwrap();
    assert_eq!(report.kept.len(), 1, "the volume is kept without delete_volumes");
    assert_eq!(report.kept[0].id, ours.volume_id);
    assert_eq!(
        still_there(&moto, &ours, &at.zone_id),
        [
            (
                "tagged",
                format!("arn:aws:ec2:ap-northeast-1:123456789012:volume/{}", ours.volume_id)
            ),
            ("volume", ours.volume_id.clone())
        ]
    );
    // The rule on the node group that named our group is gone; the other stack's rule is still there.
    let node = moto.service_call(
        "ec2",
        "describe_security_groups",
        json!({"GroupIds": [at.node_group_id]}),
    );
    let referenced: Vec<&str> = node["SecurityGroups"][0]["IpPermissions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["UserIdGroupPairs"].as_array().unwrap())
        .map(|pair| pair["GroupId"].as_str().unwrap())
        .collect();
    assert_eq!(referenced, [theirs.security_group_id.as_str()]);
    // Nothing of the other stack was touched.
    assert_eq!(kinds(&still_there(&moto, &theirs, &at.zone_id)), EVERYTHING);

    // With volumes: the kept one goes too, and a second look finds nothing.
    let again = discover(&client, &scope).await.unwrap();
    assert_eq!(again.iter().map(|l| l.kind).collect::<Vec<_>>(), [Kind::Volume]);
    let options = SweepOptions {
        delete_volumes: true,
        ..SweepOptions::default()
    };
    sweep(&client, &again, &options, &mut |_| {}).await.unwrap();
    assert!(discover(&client, &scope).await.unwrap().is_empty());
    assert!(still_there(&moto, &ours, &at.zone_id).is_empty());
}
