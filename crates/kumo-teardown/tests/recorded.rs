//! What moto cannot show, from recorded AWS answers: moto never raises DependencyViolation, deletes a
//! load balancer at once and lets a group go while rules name it. Here the real answers (codes and
//! messages as AWS sends them) drive the sweep on tokio's paused clock, so minutes of back-off take no
//! time.

mod support;

use std::time::Duration;

use kumo_aws::Client;
use kumo_aws::replay::{Answer, Replay};
use kumo_aws::services::ec2::{Direction, Permission};
use kumo_teardown::{Detail, Kind, Leftover, Step, SweepError, SweepOptions, sweep};
use support::{client, ec2_error, ec2_ok, elb_error, elb_ok, one_attempt, sdk};

const LB: &str =
    "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/k8s-default-web-5e3b2c/50dc6c495c0c9188";
const LISTENER: &str = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/k8s-default-web-5e3b2c/50dc6c495c0c9188/f2f7dc8efc522ab2";
const TG: &str =
    "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/k8s-default-web-8d2a1f/73e2d6bc24d8a067";

fn lb_still_there() -> Answer {
    elb_ok(
        "DescribeLoadBalancers",
        &format!(
            "<LoadBalancers><member><LoadBalancerArn>{LB}</LoadBalancerArn><LoadBalancerName>k8s-default-web-5e3b2c</LoadBalancerName><State><Code>active</Code></State><Type>application</Type></member></LoadBalancers>"
        ),
    )
}

fn leftover(kind: Kind, id: &str, detail: Detail) -> Leftover {
    Leftover {
        kind,
        id: id.to_owned(),
        name: id.rsplit('/').nth(1).unwrap_or(id).to_owned(),
        found_by: "tag kumo:stack=demo".to_owned(),
        detail,
    }
}

/// What the Load Balancer Controller leaves for one Ingress: listener, ALB, target group, the ALB's
/// group, and the rule on the node group that lets it in.
fn ingress_leftovers() -> Vec<Leftover> {
    vec![
        leftover(Kind::Listener, LISTENER, Detail::None),
        leftover(
            Kind::LoadBalancer,
            LB,
            Detail::LoadBalancer {
                lb_type: "application".into(),
            },
        ),
        leftover(Kind::TargetGroup, TG, Detail::None),
        leftover(
            Kind::SecurityGroupRule,
            "sg-0node/ingress/tcp port 8080/sg-0alb",
            Detail::Rule {
                group_id: "sg-0node".into(),
                direction: Direction::Ingress,
                permission: Permission {
                    protocol: "tcp".into(),
                    from_port: Some(8080),
                    to_port: Some(8080),
                    group_ids: vec!["sg-0alb".into()],
                },
                referenced_group: "sg-0alb".into(),
            },
        ),
        leftover(Kind::SecurityGroup, "sg-0alb", Detail::None),
    ]
}

const DEPENDENT: &str = "resource sg-0alb has a dependent object";

#[tokio::test(start_paused = true)]
async fn listener_then_balancer_until_gone_then_rules_then_groups_retried_until_the_interfaces_go() {
    let replay = Replay::new()
        .on("DeleteListener", elb_ok("DeleteListener", ""))
        .on("DeleteLoadBalancer", elb_ok("DeleteLoadBalancer", ""))
        // The ALB takes a while to disappear: still listed twice after the delete.
        .on("DescribeLoadBalancers", lb_still_there())
        .on("DescribeLoadBalancers", lb_still_there())
        .on(
            "DescribeLoadBalancers",
            elb_error("LoadBalancerNotFound", "Load balancers not found"),
        )
        .on(
            "DeleteTargetGroup",
            elb_error(
                "ResourceInUse",
                &format!("Target group '{TG}' is currently in use by a listener or a rule"),
            ),
        )
        .on("DeleteTargetGroup", elb_ok("DeleteTargetGroup", ""))
        .on("RevokeSecurityGroupIngress", ec2_ok("RevokeSecurityGroupIngress"))
        // The ALB's interfaces outlive it for a while: the group is still in use.
        .on("DeleteSecurityGroup", ec2_error("DependencyViolation", DEPENDENT))
        .on("DeleteSecurityGroup", ec2_error("DependencyViolation", DEPENDENT))
        .on("DeleteSecurityGroup", ec2_error("DependencyViolation", DEPENDENT))
        .on("DeleteSecurityGroup", ec2_ok("DeleteSecurityGroup"));
    let started = tokio::time::Instant::now();
    let mut waits = Vec::new();
    let report = sweep(
        &client(&replay),
        &ingress_leftovers(),
        &SweepOptions::default(),
        &mut |step| {
            if let Step::Waiting { leftover, reason, .. } = step {
                waits.push(format!("{:?}: {reason}", leftover.kind));
            }
        },
    )
    .await
    .unwrap();
    assert_eq!(
        replay.operations(),
        [
            "DeleteListener",
            "DeleteLoadBalancer",
            "DescribeLoadBalancers",
            "DescribeLoadBalancers",
            "DescribeLoadBalancers",
            "DeleteTargetGroup",
            "DeleteTargetGroup",
            "RevokeSecurityGroupIngress",
            "DeleteSecurityGroup",
            "DeleteSecurityGroup",
            "DeleteSecurityGroup",
            "DeleteSecurityGroup",
        ]
    );
    assert_eq!(report.deleted.len(), 5);
    assert_eq!(
        waits,
        [
            "LoadBalancer: still deleting",
            "LoadBalancer: still deleting",
            format!("TargetGroup: ResourceInUse: Target group '{TG}' is currently in use by a listener or a rule")
                .as_str(),
            "SecurityGroup: DependencyViolation: resource sg-0alb has a dependent object",
            "SecurityGroup: DependencyViolation: resource sg-0alb has a dependent object",
            "SecurityGroup: DependencyViolation: resource sg-0alb has a dependent object",
        ]
    );
    // Two 5 s polls, one 2 s back-off, then 2 + 4 + 8 s: the back-off doubles.
    assert_eq!(started.elapsed(), Duration::from_secs(10 + 2 + 14));
    // Only the rule naming the ALB's group was revoked, with its exact ports.
    let requests = replay.requests();
    let revoke = requests
        .iter()
        .find(|(op, _)| op == "RevokeSecurityGroupIngress")
        .unwrap();
    let body = String::from_utf8_lossy(&revoke.1.body);
    assert!(
        body.contains("GroupId=sg-0node")
            && body.contains("IpPermissions.1.IpProtocol=tcp")
            && body.contains("IpPermissions.1.FromPort=8080")
            && body.contains("IpPermissions.1.Groups.1.GroupId=sg-0alb"),
        "{body}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_group_still_in_use_at_the_deadline_is_reported_with_what_uses_it() {
    let mut replay = Replay::new().on("RevokeSecurityGroupIngress", ec2_ok("RevokeSecurityGroupIngress"));
    for _ in 0..100 {
        replay = replay.on("DeleteSecurityGroup", ec2_error("DependencyViolation", DEPENDENT));
    }
    replay = replay.on(
        "DescribeNetworkInterfaces",
        Answer::xml(
            200,
            "ok",
            r#"<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><networkInterfaceSet><item><networkInterfaceId>eni-0a1b2c3d</networkInterfaceId><status>in-use</status><description>ELB app/k8s-default-web-5e3b2c/50dc6c495c0c9188</description><interfaceType>interface</interfaceType><groupSet><item><groupId>sg-0alb</groupId></item></groupSet></item></networkInterfaceSet></DescribeNetworkInterfacesResponse>"#,
        ),
    );
    let options = SweepOptions {
        limit: Duration::from_secs(120),
        ..SweepOptions::default()
    };
    let leftovers = &ingress_leftovers()[3..];
    let error = sweep(&client(&replay), leftovers, &options, &mut |_| {})
        .await
        .unwrap_err();
    let SweepError::Blocked { blockers, waited, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        blockers,
        &["eni-0a1b2c3d (ELB app/k8s-default-web-5e3b2c/50dc6c495c0c9188, in-use)"]
    );
    assert!(*waited <= Duration::from_secs(120), "{waited:?}");
    assert_eq!(
        error.to_string(),
        "security group sg-0alb (sg-0alb) could not be removed within 2 min: DependencyViolation: resource sg-0alb \
         has a dependent object; blocked by eni-0a1b2c3d (ELB app/k8s-default-web-5e3b2c/50dc6c495c0c9188, in-use)"
    );
    // Attempts at 0, 2, 6, 14, 30, 60, 90 and 120 s (the back-off doubles up to 30 s); one more would
    // come after the limit.
    let deletes = replay
        .operations()
        .iter()
        .filter(|op| *op == "DeleteSecurityGroup")
        .count();
    assert_eq!(deletes, 8);
}

#[tokio::test(start_paused = true)]
async fn a_load_balancer_that_never_disappears_ends_the_sweep_before_anything_after_it() {
    let mut replay = Replay::new()
        .on("DeleteListener", elb_ok("DeleteListener", ""))
        .on("DeleteLoadBalancer", elb_ok("DeleteLoadBalancer", ""));
    for _ in 0..100 {
        replay = replay.on("DescribeLoadBalancers", lb_still_there());
    }
    let options = SweepOptions {
        limit: Duration::from_secs(60),
        ..SweepOptions::default()
    };
    let error = sweep(&client(&replay), &ingress_leftovers(), &options, &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("load balancer k8s-default-web-5e3b2c (arn:aws:elasticloadbalancing:"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .ends_with("could not be removed within 1 min: deleted, but still not gone")
    );
    // Nothing after the load balancer was attempted: its group and target group would only fail.
    assert!(
        !replay
            .operations()
            .iter()
            .any(|op| op.starts_with("DeleteTargetGroup") || op.starts_with("Revoke") || op == "DeleteSecurityGroup")
    );
}

#[tokio::test(start_paused = true)]
async fn access_denied_is_not_waited_for_and_volumes_stay_unless_asked() {
    let volume = leftover(
        Kind::Volume,
        "vol-0123",
        Detail::Volume {
            size_gib: 20,
            volume_type: "gp3".into(),
            state: "available".into(),
        },
    );
    let replay = Replay::new();
    let report = sweep(
        &client(&replay),
        std::slice::from_ref(&volume),
        &SweepOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.kept, std::slice::from_ref(&volume));
    assert!(replay.operations().is_empty(), "a kept volume is not even asked about");

    let replay = Replay::new().on(
        "DeleteVolume",
        ec2_error(
            "UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        ),
    );
    let options = SweepOptions {
        delete_volumes: true,
        ..SweepOptions::default()
    };
    let error = sweep(&client(&replay), &[volume], &options, &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, SweepError::Failed { .. }), "{error:?}");
    assert_eq!(replay.operations(), ["DeleteVolume"]);
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_a_back_off_stops_before_the_next_delete_and_a_second_run_continues() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    let waiter = stopped.clone();
    let stop = kumo_aws::Stop::new(
        move || flag.load(Ordering::SeqCst),
        move || {
            let waiter = waiter.clone();
            Box::pin(async move {
                while !waiter.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        },
    );
    let replay = Replay::new()
        .on("RevokeSecurityGroupIngress", ec2_ok("RevokeSecurityGroupIngress"))
        .on("DeleteSecurityGroup", ec2_error("DependencyViolation", DEPENDENT));
    let stopping = Client::builder(&sdk())
        .transport(replay.clone())
        .retry(one_attempt())
        .stop(stop)
        .build()
        .unwrap();
    let leftovers = &ingress_leftovers()[3..];
    let error = sweep(&stopping, leftovers, &SweepOptions::default(), &mut |step| {
        // Ctrl-C arrives while the group delete waits for its next attempt.
        if matches!(step, Step::Waiting { .. }) {
            stopped.store(true, Ordering::SeqCst);
        }
    })
    .await
    .unwrap_err();
    assert!(matches!(error, SweepError::Interrupted), "{error:?}");
    assert_eq!(
        replay.operations(),
        ["RevokeSecurityGroupIngress", "DeleteSecurityGroup"]
    );

    // The next run finds only the group (the rule is gone) and finishes.
    let replay = Replay::new().on("DeleteSecurityGroup", ec2_ok("DeleteSecurityGroup"));
    let report = sweep(&client(&replay), &leftovers[1..], &SweepOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.deleted.len(), 1);
}
