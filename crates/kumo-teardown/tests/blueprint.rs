//! The destroy plan of the blueprint's own stack finds the controllers' resources by both marks: the
//! `kumo:stack` tag kumo's Load Balancer Controller puts on everything (`--default-tags`), and the
//! controllers' own marks inside the stack's VPC and zone (`elbv2.k8s.aws/cluster`, the VPC CNI's
//! cluster tag, `kubernetes.io/cluster/<name>`, external-dns TXT owners) — from recorded answers, since
//! moto does not run EKS. The stack's resources are the synthesized blueprint's.

mod support;

use kumo_aws::replay::{Answer, Replay};
use kumo_blueprint::Config;
use kumo_teardown::{Kind, Scope, discover};
use support::{client, ec2_items as ec2, elb_ok as elb};

const VPC: &str = "vpc-0blueprint";
const ZONE: &str = "Z0BLUEPRINT";

/// `ListStackResources` of the deployed blueprint: every resource of the synthesized template, with
/// the physical ids that matter here (VPC, cluster name, zone) and made-up ones elsewhere.
fn stack_resources(template: &serde_json::Value, cluster: &str) -> Answer {
    let mut members = String::new();
    for (logical_id, resource) in template["Resources"].as_object().unwrap() {
        let resource_type = resource["Type"].as_str().unwrap();
        let physical = match resource_type {
            "AWS::EC2::VPC" => VPC.to_owned(),
            "AWS::EKS::Cluster" => cluster.to_owned(),
            "AWS::Route53::HostedZone" => ZONE.to_owned(),
            _ => format!("physical-{}", logical_id.to_lowercase()),
        };
        members.push_str(&format!(
            "<member><LogicalResourceId>{logical_id}</LogicalResourceId><PhysicalResourceId>{physical}</PhysicalResourceId><ResourceType>{resource_type}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>"
        ));
    }
    Answer::xml(
        200,
        "r",
        &format!(
            r#"<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult><StackResourceSummaries>{members}</StackResourceSummaries></ListStackResourcesResult></ListStackResourcesResponse>"#
        ),
    )
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:{kind}/{name}")
}

fn lb(name: &str, vpc: &str) -> String {
    format!(
        "<member><LoadBalancerArn>{}</LoadBalancerArn><LoadBalancerName>{name}</LoadBalancerName><VpcId>{vpc}</VpcId><Type>application</Type><State><Code>active</Code></State></member>",
        arn("loadbalancer", &format!("app/{name}/1"))
    )
}

fn tags(resource: &str, pairs: &[(&str, &str)]) -> String {
    let tags: String = pairs
        .iter()
        .map(|(k, v)| format!("<member><Key>{k}</Key><Value>{v}</Value></member>"))
        .collect();
    format!("<member><ResourceArn>{resource}</ResourceArn><Tags>{tags}</Tags></member>")
}

fn ec2_tags(pairs: &[(&str, &str)]) -> String {
    let items: String = pairs
        .iter()
        .map(|(k, v)| format!("<item><key>{k}</key><value>{v}</value></item>"))
        .collect();
    format!("<tagSet>{items}</tagSet>")
}

#[tokio::test]
async fn the_blueprints_plan_finds_the_controllers_resources_by_both_marks() {
    let config = Config::default();
    let stack = config.stack.name.clone();
    let cluster = config.eks.cluster_name.clone();
    // The main stack and its DNS stack's zone: `kumo destroy` adds the zone the main stack receives as
    // its HostedZoneId parameter to the main stack's scope, so external-dns's records there are found.
    let template = kumo_blueprint::synth_environment(&config).unwrap();
    let by_tag = "k8s-default-web-tagged";
    let by_mark = "k8s-default-api-marked";
    let replay = Replay::new()
        .on("ListStackResources", stack_resources(&template, &cluster))
        .on(
            "GetResources",
            Answer::json(
                200,
                "r",
                None,
                &serde_json::json!({"ResourceTagMappingList": [
                    {"ResourceARN": arn("loadbalancer", &format!("app/{by_tag}/1")),
                     "Tags": [{"Key": "kumo:stack", "Value": stack}]}
                ]})
                .to_string(),
            ),
        )
        .on(
            "DescribeLoadBalancers",
            elb(
                "DescribeLoadBalancers",
                &format!(
                    "<LoadBalancers>{}{}{}{}</LoadBalancers>",
                    lb(by_tag, VPC),
                    lb(by_mark, VPC),
                    lb("k8s-other-cluster", VPC),
                    lb("k8s-same-name-elsewhere", "vpc-0elsewhere")
                ),
            ),
        )
        .on("DescribeTargetGroups", elb("DescribeTargetGroups", "<TargetGroups/>"))
        .on(
            "DescribeTags",
            elb(
                "DescribeTags",
                &format!(
                    "<TagDescriptions>{}{}{}</TagDescriptions>",
                    tags(
                        &arn("loadbalancer", &format!("app/{by_tag}/1")),
                        &[("kumo:stack", &stack), ("elbv2.k8s.aws/cluster", &cluster)]
                    ),
                    tags(&arn("loadbalancer", &format!("app/{by_mark}/1")), &[("elbv2.k8s.aws/cluster", &cluster)]),
                    tags(&arn("loadbalancer", "app/k8s-other-cluster/1"), &[("elbv2.k8s.aws/cluster", "another")]),
                ),
            ),
        )
        .on("DescribeListeners", elb("DescribeListeners", "<Listeners/>"))
        .on("DescribeListeners", elb("DescribeListeners", "<Listeners/>"))
        .on_matching(
            "DescribeSecurityGroups",
            "tag%3Akumo%3Astack",
            ec2("DescribeSecurityGroups", "securityGroupInfo", ""),
        )
        .on_matching(
            "DescribeSecurityGroups",
            "tag%3Aelbv2.k8s.aws%2Fcluster",
            ec2(
                "DescribeSecurityGroups",
                "securityGroupInfo",
                &format!(
                    "<item><groupId>sg-0marked</groupId><groupName>k8s-traffic-{cluster}-1</groupName><vpcId>{VPC}</vpcId>{}</item>",
                    ec2_tags(&[("elbv2.k8s.aws/cluster", &cluster), ("elbv2.k8s.aws/resource", "backend-sg")])
                ),
            ),
        )
        .on_matching(
            "DescribeSecurityGroups",
            "vpc-id",
            ec2("DescribeSecurityGroups", "securityGroupInfo", ""),
        )
        .on_matching(
            "DescribeNetworkInterfaces",
            "tag%3Akumo%3Astack",
            ec2("DescribeNetworkInterfaces", "networkInterfaceSet", ""),
        )
        .on_matching(
            "DescribeNetworkInterfaces",
            "cluster.k8s.amazonaws.com",
            ec2(
                "DescribeNetworkInterfaces",
                "networkInterfaceSet",
                &format!(
                    "<item><networkInterfaceId>eni-0cni</networkInterfaceId><status>available</status><vpcId>{VPC}</vpcId><description>aws-K8S-i-0abc</description>{}</item>",
                    ec2_tags(&[("cluster.k8s.amazonaws.com/name", &cluster)])
                ),
            ),
        )
        .on_matching(
            "DescribeVolumes",
            "tag%3Akumo%3Astack",
            ec2("DescribeVolumes", "volumeSet", ""),
        )
        .on_matching(
            "DescribeVolumes",
            "kubernetes.io",
            ec2(
                "DescribeVolumes",
                "volumeSet",
                &format!(
                    "<item><volumeId>vol-0pvc</volumeId><size>20</size><volumeType>gp3</volumeType><status>available</status>{}</item>",
                    ec2_tags(&[
                        (&format!("kubernetes.io/cluster/{cluster}"), "owned"),
                        ("kubernetes.io/created-for/pvc/name", "data-postgres-0")
                    ])
                ),
            ),
        )
        .on(
            &format!("GET /2013-04-01/hostedzone/{ZONE}/rrset"),
            Answer::xml(
                200,
                "r",
                &format!(
                    r#"<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets>
<ResourceRecordSet><Name>app.example.org.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z14GRHDCWA56QT</HostedZoneId><DNSName>k8s-default-web-1.ap-northeast-1.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>
<ResourceRecordSet><Name>a-app.example.org.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>"heritage=external-dns,external-dns/owner={stack},external-dns/resource=ingress/default/web"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
<ResourceRecordSet><Name>other.example.org.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
<ResourceRecordSet><Name>a-other.example.org.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>"heritage=external-dns,external-dns/owner=someone-else"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#
                ),
            ),
        );
    let client = client(&replay);
    let scope = Scope::of_stack(&client, &stack).await.unwrap();
    assert_eq!(scope.clusters, std::slice::from_ref(&cluster));
    assert_eq!(scope.vpcs, [VPC]);
    assert_eq!(scope.zones, [ZONE]);

    let found = discover(&client, &scope).await.unwrap();
    let plan: Vec<(Kind, &str, &str)> = found
        .iter()
        .map(|l| (l.kind, l.name.as_str(), l.found_by.as_str()))
        .collect();
    let marked = format!("tag elbv2.k8s.aws/cluster={cluster}");
    let cni = format!("tag cluster.k8s.amazonaws.com/name={cluster}");
    let csi = format!("tag kubernetes.io/cluster/{cluster}");
    let owner = format!("TXT owner {stack}");
    let tagged = format!("tag kumo:stack={stack}");
    assert_eq!(
        plan,
        [
            (Kind::LoadBalancer, by_mark, marked.as_str()),
            (Kind::LoadBalancer, by_tag, tagged.as_str()),
            (Kind::NetworkInterface, "aws-K8S-i-0abc", cni.as_str()),
            (
                Kind::SecurityGroup,
                format!("k8s-traffic-{cluster}-1").as_str(),
                marked.as_str()
            ),
            (
                Kind::DnsRecord,
                "app.example.org. A, a-app.example.org. TXT",
                owner.as_str()
            ),
            (Kind::Volume, "data-postgres-0", csi.as_str()),
        ]
    );
    // Nothing of another cluster, of another VPC, or another owner's records.
    for name in ["k8s-other-cluster", "k8s-same-name-elsewhere", "other.example.org."] {
        assert!(!found.iter().any(|l| l.name.contains(name)), "{name}: {found:#?}");
    }
}

/// `kumo deploy --ttl 8h --ttl-notify ops@example.com` on the blueprint: the main template is left as
/// it is (inline: under CloudFormation's 51,200 bytes), and the reaper stack's template, with its
/// warning, passes cfn-lint (no error, no warning), fits inline too, has the schedule shape the reaper
/// relies on, and kumo's security rules find nothing unwaived.
#[test]
fn the_reaper_stack_of_the_blueprint_lints_clean_and_both_deploy_inline() {
    use kumo_teardown::machine::MachineOptions;
    use kumo_teardown::reaper;
    const INLINE: usize = 51_200;
    let app = kumo_blueprint::build_app(&Config::default());
    let main = app.stacks.last().unwrap();
    let template: serde_json::Value = main.stack.synth().unwrap().to_value();
    let before = template.clone();
    let reaper_template = reaper::template(&template, &MachineOptions::default(), Some("ops@example.com")).unwrap();
    assert_eq!(template, before, "the main template is not touched");
    let main_body = serde_json::to_string(&template).unwrap();
    assert!(main_body.len() < INLINE, "main: {} bytes", main_body.len());
    let body = serde_json::to_string(&reaper_template).unwrap();
    assert!(body.len() < INLINE, "reaper: {} bytes", body.len());
    kumo_testkit::cfn_lint::assert_clean(&[(
        "blueprint-ttl.json",
        &serde_json::to_string_pretty(&reaper_template).unwrap(),
    )]);
    let template = reaper_template;
    let schedule = &template["Resources"][reaper::SCHEDULE]["Properties"];
    assert_eq!(schedule["ScheduleExpression"], reaper::RATE);
    assert_eq!(
        schedule["StartDate"],
        serde_json::json!({"Fn::If": ["KumoTtlOff", {"Ref": "AWS::NoValue"}, {"Ref": "KumoExpiry"}]})
    );
    assert_eq!(
        schedule["State"],
        serde_json::json!({"Fn::If": ["KumoTtlOff", "DISABLED", "ENABLED"]})
    );
    assert_eq!(
        schedule["Target"]["Arn"],
        serde_json::json!({"Ref": reaper::STATE_MACHINE})
    );
    assert_eq!(
        schedule["Target"]["RoleArn"],
        serde_json::json!({"Fn::GetAtt": [reaper::SCHEDULE_ROLE, "Arn"]})
    );
    assert_eq!(schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"], 5);
    // The blueprint's one VPC arrives as a parameter, for the revoke policy.
    assert_eq!(
        reaper::vpc_parameters(&before)
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>(),
        ["MainVpcVPCB9E5F0B4"]
    );
    // The main stack's types may be deleted through CloudFormation: the cluster, the database.
    let text = template.to_string();
    for action in ["eks:DeleteCluster", "rds:DeleteDBCluster", "ec2:DeleteNatGateway"] {
        assert!(text.contains(action), "{action}");
    }
    let report = kumo_core::security::check(&template);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}
