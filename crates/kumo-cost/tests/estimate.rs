//! The estimator against the committed table: the blueprint's parts and quantities, reviewed snapshots
//! of the standard and cheap estimates in both table regions, unknown prices, and any template.

use kumo_blueprint::Config;
use kumo_cost::{Estimate, Item, PriceTable, Sku, Unit, coverage, render};
use serde_json::{Value, json};

/// The whole environment: the main stack and the DNS stack (its hosted zone).
fn blueprint(config: &Config) -> Value {
    kumo_blueprint::synth_environment(config).unwrap()
}

fn estimate(template: &Value, region: &str) -> Estimate {
    Estimate::of_template(template, &[], region, PriceTable::embedded()).unwrap()
}

fn items<'a>(e: &'a Estimate, part_prefix: &str) -> Vec<&'a Item> {
    e.items.iter().filter(|i| i.part.starts_with(part_prefix)).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn standard_profile_parts_and_quantities_come_from_the_template() {
    let e = estimate(&blueprint(&Config::default()), "us-east-1");

    let eks = items(&e, "EKS control plane");
    assert_eq!(eks.len(), 1);
    assert_eq!(eks[0].part, "EKS control plane (Kubernetes 1.36)");
    assert_eq!(eks[0].unit_price, Some(0.10));
    assert_eq!(eks[0].hourly_max, Some(0.1));
    assert_eq!(eks[0].monthly_max, Some(73.0));

    // One NAT gateway per AZ, each with its Elastic IP.
    let nats = items(&e, "NAT gateway");
    assert_eq!(nats.len(), 2);
    assert!(
        nats.iter()
            .all(|n| n.quantity == Some(1.0) && n.hourly_max == Some(0.045))
    );
    let ips = items(&e, "public IPv4 address");
    assert_eq!(ips.len(), 2);
    assert!(ips.iter().all(|i| i.hourly_max == Some(0.005)));
    assert!(ips[0].part.contains("VPCNatGateway1"), "{}", ips[0].part);

    // The ECR interface endpoint has a network interface in each of the 2 AZs; the S3 gateway
    // endpoint is free.
    let endpoints = items(&e, "interface endpoint");
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0].part, "interface endpoint ecr.dkr");
    assert_eq!(endpoints[0].quantity, Some(2.0));
    assert_eq!(endpoints[0].hourly_max, Some(0.02));
    assert!(
        e.no_charge
            .iter()
            .any(|n| n.resource_type == "AWS::EC2::VPCEndpoint" && n.count == 1)
    );

    // 2 spot nodes of 6 m5-class types: the maximum is the dearest type on demand (m5dn.large, 0.136);
    // no dated spot discount is committed, so the expected figure is unknown.
    let nodes = items(&e, "EKS nodes");
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].part, "EKS nodes, spot, 6 types");
    assert_eq!(nodes[0].quantity, Some(2.0));
    assert_eq!(nodes[0].unit_price, Some(0.136));
    assert_eq!(nodes[0].hourly_max, Some(0.272));
    assert_eq!(nodes[0].hourly_expected, None);
    assert!(nodes[0].unknown.as_deref().unwrap().contains("no dated spot discount"));
    assert!(nodes[0].notes.iter().any(|n| n.contains("may scale to 6 nodes")));

    // The node root volumes: 2 × 20 GB gp3, whose price the table does not have.
    let disks = items(&e, "EKS node root volumes");
    assert_eq!(disks[0].part, "EKS node root volumes (2 × 20 GB)");
    assert_eq!(disks[0].quantity, Some(40.0));
    assert_eq!(disks[0].hourly_max, None);

    let db = items(&e, "Aurora DB instance");
    assert_eq!(db.len(), 1);
    assert_eq!(db[0].part, "Aurora DB instance db.t3.medium");
    assert_eq!(db[0].hourly_max, Some(0.082));
    let storage = items(&e, "Aurora storage");
    assert_eq!(storage[0].quantity, Some(10.0));
    assert_eq!(storage[0].monthly_max, Some(1.0));

    // Two keys: the EKS secrets key and the environment's key (log groups, secret, images).
    for (prefix, monthly, count) in [("KMS key", 1.0, 2), ("secret", 0.4, 1), ("hosted zone", 0.5, 1)] {
        let found = items(&e, prefix);
        assert_eq!(found.len(), count, "{prefix}");
        assert_eq!(found[0].monthly_max, Some(monthly), "{prefix}");
        assert!(close(
            found[0].hourly_max.unwrap(),
            (monthly / 730.0 * 1e6).round() / 1e6
        ));
    }
    assert!(items(&e, "hosted zone")[0].notes[0].contains("not prorated"));

    // Totals: the known maximum is the sum of the items'; the expected total is unknown (spot).
    let known_max: f64 = e.items.iter().filter_map(|i| i.hourly_max).sum();
    assert!(close(e.hourly.max_at_least, (known_max * 1e6).round() / 1e6));
    assert_eq!(e.hourly.max, None, "the root volumes' price is unknown");
    assert_eq!(e.hourly.expected, None);
    assert!(e.hourly.expected_at_least < e.hourly.max_at_least);

    // Usage-based prices are listed outside the totals, each with what it applies to.
    let usage: Vec<&str> = e.usage_prices.iter().map(|u| u.sku.as_str()).collect();
    for sku in [
        "ec2:nat-gateway-gb",
        "vpc:interface-endpoint-gb",
        "logs:ingestion-gb",
        "rds:aurora-io",
        "ecr:storage-gb",
        "codebuild:linux:BUILD_GENERAL1_SMALL",
    ] {
        assert!(usage.contains(&sku), "{sku} in {usage:?}");
    }
    let nat_gb = e.usage_prices.iter().find(|u| u.sku == "ec2:nat-gateway-gb").unwrap();
    assert_eq!(nat_gb.applies_to.len(), 2);
    assert_eq!(nat_gb.unit_price, Some(0.045));

    // Nothing in the blueprint is silently dropped: every resource is priced, usage-based, or free.
    assert!(e.not_priced.is_empty(), "{:?}", e.not_priced);
}

#[test]
fn cheap_profile_has_one_nat_gateway_and_one_small_node() {
    let e = estimate(&blueprint(&Config::cheap()), "us-east-1");
    assert_eq!(items(&e, "NAT gateway").len(), 1);
    assert_eq!(items(&e, "public IPv4 address").len(), 1);
    let nodes = items(&e, "EKS nodes");
    assert_eq!(nodes[0].quantity, Some(1.0));
    assert_eq!(
        nodes[0].unit_price,
        Some(0.0416),
        "t3.medium is the dearer of t3.medium / t3a.medium"
    );
    assert_eq!(items(&e, "Aurora DB instance")[0].hourly_max, Some(0.073));
    let standard = estimate(&blueprint(&Config::default()), "us-east-1");
    assert!(e.hourly.max_at_least < standard.hourly.max_at_least);
}

#[test]
fn on_demand_nodes_expect_the_first_type_and_max_the_dearest() {
    let mut config = Config::default();
    config.eks.node_group.capacity_type = kumo_blueprint::CapacityType::OnDemand;
    config.eks.node_group.desired_size = 3;
    let e = estimate(&blueprint(&config), "us-east-1");
    let nodes = items(&e, "EKS nodes");
    assert_eq!(nodes[0].part, "EKS nodes, on-demand, 6 types");
    // m5a.large (listed first) 0.086 × 3; m5dn.large 0.136 × 3.
    assert!(close(nodes[0].hourly_expected.unwrap(), 0.258));
    assert!(close(nodes[0].hourly_max.unwrap(), 0.408));
    assert!(nodes[0].unknown.is_none());
}

#[test]
fn a_dated_spot_discount_gives_an_expected_figure() {
    let mut table = PriceTable::embedded().clone();
    for t in ["t3.medium", "t3a.medium"] {
        table.insert(
            "us-east-1",
            Sku::SpotSavings(t.to_owned()),
            kumo_cost::Entry {
                usd: Some(60.0),
                source: "test spot advisor data".to_owned(),
                date: Some("2026-11-01".to_owned()),
            },
        );
    }
    let e = Estimate::of_template(&blueprint(&Config::cheap()), &[], "us-east-1", &table).unwrap();
    let nodes = items(&e, "EKS nodes");
    // The dearest type at its discount: 0.0416 × 40%.
    assert!(close(nodes[0].hourly_expected.unwrap(), 0.01664));
    assert_eq!(nodes[0].hourly_max, Some(0.0416));
    assert!(nodes[0].unknown.is_none());
}

#[test]
fn extended_support_versions_cost_the_extended_rate_with_a_warning() {
    let mut config = Config::default();
    config.eks.kubernetes_version = "1.32".parse().unwrap();
    let e = estimate(&blueprint(&config), "us-east-1");
    let eks = items(&e, "EKS control plane");
    assert_eq!(eks[0].part, "EKS control plane (Kubernetes 1.32, extended support)");
    assert_eq!(eks[0].hourly_max, Some(0.6));
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("left EKS standard support on 2026-03-23")),
        "{:?}",
        e.warnings
    );
    // Tokyo's extended-support rate is not in the table: unknown, not the us-east-1 figure.
    let tokyo = estimate(&blueprint(&config), "ap-northeast-1");
    assert_eq!(items(&tokyo, "EKS control plane")[0].hourly_max, None);
}

#[test]
fn a_made_up_region_or_instance_type_is_unknown_not_a_number() {
    let e = estimate(&blueprint(&Config::default()), "xx-fake-9");
    assert!(e.items.iter().all(|i| i.hourly_max.is_none() && i.unit_price.is_none()));
    assert_eq!(e.hourly.max, None);
    assert_eq!(e.hourly.max_at_least, 0.0);
    assert!(
        e.warnings[0].starts_with("no price table for xx-fake-9"),
        "{:?}",
        e.warnings
    );
    assert!(e.items.iter().all(|i| {
        i.unknown
            .as_deref()
            .unwrap()
            .starts_with("no price table for xx-fake-9")
    }));

    // kumo.toml refuses a type that does not exist; a hand-written template may still name one.
    let mut template = blueprint(&Config::default());
    for resource in template["Resources"].as_object_mut().unwrap().values_mut() {
        if resource["Type"] == "AWS::EKS::Nodegroup" {
            resource["Properties"]["InstanceTypes"] = json!(["m5.large", "z9.mega"]);
        }
    }
    let e = estimate(&template, "us-east-1");
    let nodes = items(&e, "EKS nodes");
    assert_eq!(nodes[0].hourly_max, None, "the dearest type could be the unknown one");
    assert_eq!(nodes[0].unit_price, None);
    assert!(
        nodes[0]
            .unknown
            .as_deref()
            .unwrap()
            .contains("EC2 z9.mega Linux on-demand price unknown for us-east-1")
    );

    let bad = Estimate::of_template(&json!({"Resources": {}}), &[], "US East", PriceTable::embedded());
    assert_eq!(
        bad.unwrap_err().to_string(),
        "\"US East\" is not an AWS region name (such as us-east-1 or ap-northeast-1)"
    );
}

/// A hand-written template: a NAT gateway with its EIP, an Aurora PostgreSQL instance in its cluster,
/// and a Lambda function. The first two are priced, the function is listed as not priced.
#[test]
fn any_template_prices_what_it_can_and_lists_the_rest() {
    let template: Value = serde_json::from_str(include_str!("fixtures/nat-rds-lambda.json")).unwrap();
    let e = estimate(&template, "us-east-1");
    let parts: Vec<(&str, &str, Option<f64>)> = e
        .items
        .iter()
        .map(|i| (i.logical_id.as_str(), i.part.as_str(), i.hourly_max))
        .collect();
    assert_eq!(
        parts,
        [
            ("NatIp", "public IPv4 address (Elastic IP of Nat)", Some(0.005)),
            ("Nat", "NAT gateway", Some(0.045)),
            ("Db", "Aurora storage (10 GB assumed)", Some(0.00137)),
            ("DbWriter", "Aurora DB instance db.t4g.medium", Some(0.073)),
        ]
    );
    assert_eq!(e.not_priced.len(), 1);
    assert_eq!(e.not_priced[0].logical_id, "Fn");
    assert_eq!(e.not_priced[0].resource_type, "AWS::Lambda::Function");
    assert!(e.hourly.max.is_some());
    assert!(close(e.hourly.max.unwrap(), 0.12437));
}

#[test]
fn values_from_parameters_and_unreadable_ones() {
    let template = json!({
        "Parameters": {"Types": {"Type": "CommaDelimitedList", "Default": "t3.medium"}, "Count": {"Type": "Number"}},
        "Resources": {
            "Nodes": {"Type": "AWS::EKS::Nodegroup", "Properties": {
                "ClusterName": "c", "NodeRole": "r", "Subnets": ["s"],
                "InstanceTypes": {"Ref": "Types"},
                "ScalingConfig": {"DesiredSize": {"Ref": "Count"}}
            }}
        }
    });
    let e = estimate(&template, "us-east-1");
    assert_eq!(e.items[0].quantity, None);
    assert_eq!(
        e.items[0].unknown.as_deref(),
        Some("ScalingConfig.DesiredSize is parameter Count, which has no value or default")
    );
    let given = vec![("Count".to_owned(), "3".to_owned())];
    let e = Estimate::of_template(&template, &given, "us-east-1", PriceTable::embedded()).unwrap();
    assert!(close(e.items[0].hourly_max.unwrap(), 0.1248));
    assert_eq!(e.items[0].part, "EKS nodes, on-demand, t3.medium");
}

#[test]
fn the_committed_table_covers_every_sku_the_blueprint_can_use() {
    let table = PriceTable::embedded();
    let skus = coverage::blueprint_skus();
    for region in ["us-east-1", "ap-northeast-1"] {
        let missing: Vec<String> = skus
            .iter()
            .filter(|sku| !table.entries(region).any(|(s, _)| s == *sku))
            .map(Sku::key)
            .collect();
        assert!(
            missing.is_empty(),
            "{region}: no entry (price or explicit unknown) for {missing:?}"
        );
    }
    for instance_type in [
        "m5.large",
        "m5a.large",
        "m5ad.large",
        "m5d.large",
        "m5n.large",
        "m5dn.large",
        "t3.medium",
        "t3a.medium",
    ] {
        assert!(
            skus.contains(&Sku::Ec2Instance(instance_type.to_owned())),
            "{instance_type}"
        );
    }
    for class in ["db.t3.medium", "db.t4g.medium"] {
        assert!(
            skus.iter()
                .any(|s| matches!(s, Sku::AuroraInstance { class: c, .. } if c == class))
        );
    }
    // Every value carries its source; explicit unknowns say why.
    for region in table.regions() {
        for (sku, entry) in table.entries(region) {
            assert!(!entry.source.is_empty(), "{region} {sku}");
            if entry.usd.is_none() {
                assert!(entry.source.starts_with("unknown:"), "{region} {sku}: {}", entry.source);
            }
            if sku.unit() == Unit::Percent {
                assert_eq!(entry.usd, None, "{region} {sku}: no dated spot discount is committed");
            }
        }
    }
}

fn snapshot_text(config: &Config, region: &str) -> String {
    let e = estimate(&blueprint(config), region);
    render(&e, "MyEKSStack")
}

#[test]
fn snapshots_of_the_blueprint_estimates() {
    insta::assert_snapshot!("standard_us_east_1", snapshot_text(&Config::default(), "us-east-1"));
    insta::assert_snapshot!("cheap_us_east_1", snapshot_text(&Config::cheap(), "us-east-1"));
    insta::assert_snapshot!(
        "standard_ap_northeast_1",
        snapshot_text(&Config::default(), "ap-northeast-1")
    );
    insta::assert_snapshot!(
        "cheap_ap_northeast_1",
        snapshot_text(&Config::cheap(), "ap-northeast-1")
    );
    insta::assert_json_snapshot!(
        "standard_us_east_1_json",
        estimate(&blueprint(&Config::default()), "us-east-1")
    );
}

#[test]
fn the_time_to_live_reaper_is_listed_as_charged_per_use() {
    let template = serde_json::json!({"Resources": {
        "KumoReaper": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}},
        "KumoReaperSchedule": {"Type": "AWS::Scheduler::Schedule", "Properties": {}},
        "KumoReaperTopic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "KumoReaperSubscription": {"Type": "AWS::SNS::Subscription", "Properties": {}},
    }});
    let e = estimate(&template, "us-east-1");
    let ids: Vec<&str> = e.not_priced.iter().map(|n| n.logical_id.as_str()).collect();
    assert_eq!(ids, ["KumoReaper", "KumoReaperSchedule", "KumoReaperTopic"]);
    for item in &e.not_priced {
        assert!(
            item.reason.contains("per state transition") && item.reason.contains("2026-12-01"),
            "{}",
            item.reason
        );
    }
}
