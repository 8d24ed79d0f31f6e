//! `kumo cost` as a user runs it: the real binary, no AWS configuration, no network.

mod offline;
use offline::{kumo, scratch, text};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../kumo-cost/tests/fixtures/nat-rds-lambda.json"
);

#[test]
fn cost_of_the_project_needs_no_configuration_and_no_credentials() {
    let dir = scratch("cost-default");
    let out = kumo(&dir, &["cost"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("MyEKSStack in us-east-1: USD, prices of 2026-11-30 (committed table), 730 hours a month"),
        "{stdout}"
    );
    for line in [
        "EKS control plane (Kubernetes 1.36)",
        "NAT gateway",
        "total expected",
        "total max",
        "not prorated",
    ] {
        assert!(stdout.contains(line), "{line} in {stdout}");
    }
    // A standard configuration shows what the cheap profile would cost.
    let cheap = stdout.lines().last().unwrap();
    assert_eq!(
        cheap,
        "with profile = \"cheap\" (one line in kumo.toml): max ≥ $0.2899/h (≥ $211.66/month) instead of \
         ≥ $0.5793/h (≥ $422.92/month) (both without EKS node root volumes)"
    );
    // No region anywhere: priced in us-east-1, and said so.
    assert!(
        text(&out.stderr).contains("note: no region set"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_environment_is_priced_under_its_own_stack_name_with_its_dns_zone() {
    let dir = scratch("cost-env");
    let out = kumo(&dir, &["cost", "--env", "dev", "--region", "us-east-1"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("MyEKSStack-dev in us-east-1: USD"), "{stdout}");
    // The environment's kept DNS stack is part of what it costs.
    assert!(stdout.contains("hosted zone"), "{stdout}");
}

#[test]
fn the_cheap_line_follows_the_file_and_disappears_for_the_cheap_profile() {
    let dir = scratch("cost-file");
    std::fs::write(dir.join("kumo.toml"), "[network]\nnat_gateways = 1\n").unwrap();
    let out = kumo(&dir, &["cost", "--region", "us-east-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("NAT gateway ")).count(),
        1,
        "{stdout}"
    );
    assert!(stdout.contains("with profile = \"cheap\""), "{stdout}");
    assert!(!text(&out.stderr).contains("note: no region set"));

    std::fs::write(dir.join("kumo.toml"), "profile = \"cheap\"\n").unwrap();
    let out = kumo(&dir, &["cost", "--region", "us-east-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("with profile = \"cheap\""));
}

#[test]
fn lower_bounds_over_different_parts_are_not_compared() {
    // In Tokyo the standard profile's db.t3.medium has no price, the cheap profile's db.t4g.medium has.
    let dir = scratch("cost-tokyo");
    let out = kumo(&dir, &["cost", "--region", "ap-northeast-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let cheap = stdout.lines().last().unwrap();
    assert!(
        cheap.ends_with(
            "— not comparable as they stand: without a price here: Aurora DB instance db.t3.medium, Aurora storage, EKS node \
             root volumes, EKS nodes; with the cheap profile: Aurora storage, EKS node root volumes, EKS nodes"
        ),
        "{cheap}"
    );
}

#[test]
fn json_has_the_documented_fields() {
    let dir = scratch("cost-json");
    let out = kumo(&dir, &["cost", "--json", "--region", "ap-northeast-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    for key in [
        "region",
        "currency",
        "prices_date",
        "hourly",
        "monthly",
        "items",
        "usage_prices",
        "not_priced",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["region"], "ap-northeast-1");
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["prices_date"], "2026-11-30");
    for key in ["expected", "max"] {
        assert!(
            json["hourly"].get(key).is_some() && json["monthly"].get(key).is_some(),
            "{key}"
        );
    }
    let item = &json["items"][0];
    for key in [
        "part",
        "logical_id",
        "quantity",
        "unit_price",
        "hourly_expected",
        "hourly_max",
        "source",
    ] {
        assert!(item.get(key).is_some(), "items[0].{key}");
    }
    assert!(json["cheap_profile"]["hourly"]["max_at_least"].as_f64().unwrap() > 0.0);
}

#[test]
fn any_template_prices_the_nat_gateway_and_the_database_and_lists_the_function() {
    let dir = scratch("cost-template");
    let out = kumo(&dir, &["cost", "--template", FIXTURE, "--region", "us-east-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("NAT gateway"), "{stdout}");
    assert!(stdout.contains("Aurora DB instance db.t4g.medium"), "{stdout}");
    assert!(
        stdout.contains("not priced:\n  Fn (AWS::Lambda::Function): kumo has no price rule for this resource type"),
        "{stdout}"
    );
    assert!(stdout.contains("total max       $0.1244/h ($90.79/month)"), "{stdout}");
    assert!(!stdout.contains("with profile"), "no cheap line for a template file");
}

#[test]
fn a_made_up_region_is_unknown_and_a_malformed_one_an_error() {
    let dir = scratch("cost-regions");
    let out = kumo(&dir, &["cost", "--region", "xx-fake-9"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("warning: no price table for xx-fake-9"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("total max       ≥ $0.0000/h"),
        "{}",
        text(&out.stdout)
    );

    let out = kumo(&dir, &["cost", "--region", "US East"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: --region: \"US East\" is not an AWS region name (such as us-east-1 or ap-northeast-1)\n\
         hint: pass --region REGION, e.g. --region us-east-1\n"
    );
    let out = kumo(&dir, &["cost", "--template", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.json"), "{}", text(&out.stderr));
}
