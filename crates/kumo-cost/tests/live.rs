//! The Price List look-up (`kumo cost --live`, `cargo xtask prices`) against a simulated `GetProducts`
//! (aws-smithy-mocks) serving products in the shape AWS returns them (`tests/fixtures/price-list.json`;
//! moto has no Pricing API). The simulation applies the request's filters as the API does (TERM_MATCH:
//! equal, CONTAINS: substring) and pages its answers, so the anchored-suffix and exactly-one rules are
//! exercised on realistic neighbours.

use std::sync::{Arc, Mutex};

use aws_sdk_pricing::Client;
use aws_sdk_pricing::operation::get_products::{GetProductsInput, GetProductsOutput};
use aws_sdk_pricing::types::FilterType;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use kumo_blueprint::{Config, build};
use kumo_cost::live::{self, LiveError};
use kumo_cost::{Estimate, PriceTable, Sku, coverage, required_skus};
use serde_json::{Value, json};

/// One Price List item as GetProducts returns it: a JSON document with the product and its terms.
fn price_list_item(p: &Value) -> String {
    let sku = p["sku"].as_str().unwrap();
    let mut attributes = p["attributes"].as_object().unwrap().clone();
    attributes.insert("usagetype".into(), p["usagetype"].clone());
    attributes.insert("servicecode".into(), p["serviceCode"].clone());
    if p["regionCode"] != "global" {
        attributes.insert("regionCode".into(), p["regionCode"].clone());
    }
    let term = format!("{sku}.JRTCKXETXF");
    let mut dimensions = serde_json::Map::new();
    let first_end = p["tiers"].get(0).map_or("Inf", |t| t[0].as_str().unwrap());
    dimensions.insert(
        format!("{term}.6YS6EN2CT7"),
        json!({"unit": p["unit"], "endRange": first_end, "description": "recorded", "appliesTo": [],
               "rateCode": format!("{term}.6YS6EN2CT7"), "beginRange": "0", "pricePerUnit": {"USD": p["usd"]}}),
    );
    if let Some(tiers) = p["tiers"].as_array() {
        for (i, tier) in tiers.iter().enumerate() {
            dimensions.insert(
                format!("{term}.TIER{i}"),
                json!({"unit": p["unit"], "endRange": tier[1], "description": "recorded", "appliesTo": [],
                       "rateCode": format!("{term}.TIER{i}"), "beginRange": tier[0], "pricePerUnit": {"USD": tier[2]}}),
            );
        }
    }
    json!({
        "product": {"productFamily": p["productFamily"], "attributes": attributes, "sku": sku},
        "serviceCode": p["serviceCode"],
        "terms": {"OnDemand": {term.clone(): {"priceDimensions": dimensions, "sku": sku,
            "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF", "termAttributes": {}}}},
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z"
    })
    .to_string()
}

fn catalogue() -> Vec<Value> {
    let doc: Value = serde_json::from_str(include_str!("fixtures/price-list.json")).unwrap();
    doc["products"].as_array().unwrap().clone()
}

/// What the server keeps between pages, and every request it saw.
#[derive(Default)]
struct Server {
    requests: Vec<String>,
}

/// GetProducts over `products`: filters applied as the API applies them, two items per page.
fn client(products: Vec<Value>, server: Arc<Mutex<Server>>) -> Client {
    let rule = mock!(Client::get_products).then_compute_response(move |input: &GetProductsInput| {
        let service = input.service_code().unwrap_or_default();
        let matching: Vec<&Value> = products
            .iter()
            .filter(|p| p["serviceCode"] == service)
            .filter(|p| {
                input.filters().iter().all(|f| {
                    let actual = match f.field() {
                        "usagetype" => p["usagetype"].as_str(),
                        "regionCode" => p["regionCode"].as_str(),
                        "productFamily" => p["productFamily"].as_str(),
                        field => p["attributes"][field].as_str(),
                    }
                    .unwrap_or_default();
                    match f.r#type() {
                        FilterType::TermMatch | FilterType::Equals => actual == f.value(),
                        FilterType::Contains => actual.contains(f.value()),
                        other => panic!("unexpected filter type {other:?}"),
                    }
                })
            })
            .collect();
        let mut server = server.lock().unwrap();
        server.requests.push(format!(
            "{service} {}",
            input
                .filters()
                .iter()
                .map(|f| format!("{}:{}={}", f.r#type().as_str(), f.field(), f.value()))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        let start: usize = input.next_token().map_or(0, |t| t.parse().unwrap());
        let page: Vec<String> = matching
            .iter()
            .skip(start)
            .take(2)
            .map(|p| price_list_item(p))
            .collect();
        let next = (start + 2 < matching.len()).then(|| (start + 2).to_string());
        aws_smithy_mocks::MockResponse::Output(
            GetProductsOutput::builder()
                .format_version("aws_v1")
                .set_price_list(Some(page))
                .set_next_token(next)
                .build(),
        )
    });
    mock_client!(aws_sdk_pricing, RuleMode::MatchAny, &[&rule])
}

fn blueprint(config: &Config) -> Value {
    build(config).synth().unwrap().to_value()
}

#[tokio::test]
async fn the_blueprints_prices_come_back_as_the_committed_table_has_them() {
    let server = Arc::new(Mutex::new(Server::default()));
    let client = client(catalogue(), server.clone());
    let skus = coverage::blueprint_skus();
    let (table, errors) = live::fetch(&client, "us-east-1", &skus, "2026-12-01").await;

    // What the recorded catalogue lacks is an error naming the filter, not a guess.
    let failed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        failed,
        [
            "ec2:ebs:gp3: no product matches filter AmazonEC2 regionCode=\"us-east-1\" productFamily=\"Storage\" \
             volumeApiName=\"gp3\" usagetype=…EBS:VolumeUsage.gp3",
            "ecr:storage-gb: no product matches filter AmazonECR regionCode=\"us-east-1\" productFamily=\"EC2 Container \
             Registry\" usagetype=…TimedStorage-ByteHrs",
            "codebuild:linux:BUILD_GENERAL1_SMALL: no product matches filter AWSCodeBuild regionCode=\"us-east-1\" \
             productFamily=\"Compute\" usagetype=…Build-Min:Linux:g1.small",
        ]
    );

    // Every price found equals the committed table's (the catalogue holds the same values), including
    // per-I/O → per-million and the hosted zone's first tier; the traps were left out.
    let committed = PriceTable::embedded();
    let mut compared = 0;
    for (sku, entry) in table.entries("us-east-1") {
        let Some(usd) = entry.usd else {
            assert!(matches!(sku, Sku::SpotSavings(_)), "{sku}: {}", entry.source);
            continue;
        };
        let expected = committed.entries("us-east-1").find(|(s, _)| *s == sku).unwrap().1.usd;
        assert_eq!(Some(usd), expected, "{sku}");
        assert!(
            entry.source.starts_with("AWS Price List API (GetProducts), product "),
            "{}",
            entry.source
        );
        assert_eq!(entry.date.as_deref(), Some("2026-12-01"));
        compared += 1;
    }
    assert_eq!(
        compared,
        skus.len() - 3 - 8,
        "all but the 3 missing and the 8 spot discounts"
    );

    // The same estimate either way, for what both know.
    let template = blueprint(&Config::cheap());
    let live = Estimate::of_template(&template, &[], "us-east-1", &table).unwrap();
    let offline = Estimate::of_template(&template, &[], "us-east-1", committed).unwrap();
    assert_eq!(live.hourly.max_at_least, offline.hourly.max_at_least);
    assert_eq!(live.prices_origin, "AWS Price List API (GetProducts)");
    assert_eq!(live.prices_date, "2026-12-01");

    // Requests narrow on the server: exact attributes, and the usage type by substring.
    let requests = server.lock().unwrap().requests.clone();
    assert!(requests.iter().any(|r| r
        == "AmazonEC2 TERM_MATCH:regionCode=us-east-1 TERM_MATCH:productFamily=NAT Gateway \
            CONTAINS:usagetype=NatGateway-Hours"));
}

#[tokio::test]
async fn live_asks_for_exactly_the_skus_a_template_needs() {
    let template = blueprint(&Config::cheap());
    let skus = required_skus(&template, &[], "us-east-1").unwrap();
    assert!(skus.contains(&Sku::Ec2Instance("t3.medium".into())));
    assert!(!skus.contains(&Sku::Ec2Instance("m5.large".into())));
    let server = Arc::new(Mutex::new(Server::default()));
    let (_, _) = live::fetch(&client(catalogue(), server.clone()), "us-east-1", &skus, "2026-12-01").await;
    let spot = skus.iter().filter(|s| matches!(s, Sku::SpotSavings(_))).count();
    // One request per SKU (pages aside), none for the spot discounts the Price List does not have.
    let requests = server.lock().unwrap().requests.len();
    assert!(
        requests >= skus.len() - spot,
        "{requests} requests for {} SKUs",
        skus.len()
    );
}

#[tokio::test]
async fn two_matching_products_are_an_error_naming_the_filter_and_both_skus() {
    let mut products = catalogue();
    let mut twin = products
        .iter()
        .find(|p| p["usagetype"] == "NatGateway-Hours")
        .unwrap()
        .clone();
    twin["sku"] = json!("TWIN7777777777AA");
    twin["usagetype"] = json!("USE1-NatGateway-Hours");
    products.push(twin);
    let server = Arc::new(Mutex::new(Server::default()));
    let (table, errors) = live::fetch(
        &client(products, server),
        "us-east-1",
        &[Sku::NatGatewayHour],
        "2026-12-01",
    )
    .await;
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors[0], LiveError::Ambiguous { count: 2, .. }));
    assert_eq!(
        errors[0].to_string(),
        "ec2:nat-gateway-hour: 2 products match filter AmazonEC2 regionCode=\"us-east-1\" \
         productFamily=\"NAT Gateway\" usagetype=…NatGateway-Hours (SKUs M2YSHUBETB3JX4M4, TWIN7777777777AA); \
         exactly one must"
    );
    assert_eq!(
        table.entries("us-east-1").count(),
        0,
        "nothing is entered for an ambiguous price"
    );
}

#[tokio::test]
async fn a_product_in_an_unexpected_unit_is_refused() {
    let mut products = catalogue();
    for p in &mut products {
        if p["serviceCode"] == "awskms" {
            p["unit"] = json!("Hrs");
        }
    }
    let server = Arc::new(Mutex::new(Server::default()));
    let (_, errors) = live::fetch(&client(products, server), "us-east-1", &[Sku::KmsKey], "2026-12-01").await;
    assert_eq!(
        errors[0].to_string(),
        "kms:key: the product matching filter awskms regionCode=\"us-east-1\" productFamily=\"Encryption Key\" \
         usagetype=…KMS-Keys is priced per \"Hrs\", not per \"Keys\""
    );
}

#[tokio::test]
async fn the_table_generator_refetches_every_region_or_fails_naming_each_filter() {
    let server = Arc::new(Mutex::new(Server::default()));
    let client = client(catalogue(), server);
    let committed = PriceTable::embedded();

    // The recorded catalogue lacks gp3, ECR and CodeBuild in us-east-1 and nearly everything in Tokyo:
    // without --keep-going nothing is produced, and every failure names its filter.
    let errors = live::regenerate(&client, committed, &[], false, "2026-12-01")
        .await
        .unwrap_err();
    assert!(errors.len() > 3, "{errors:?}");
    assert!(errors.iter().all(|e| e.to_string().contains(" filter ")), "{errors:?}");

    // With --keep-going the failures become explicit unknown entries that carry the error.
    let table = live::regenerate(&client, committed, &["eu-west-1".to_owned()], true, "2026-12-01")
        .await
        .unwrap();
    assert_eq!(table.date, "2026-12-01");
    assert_eq!(
        table.regions().collect::<Vec<_>>(),
        ["ap-northeast-1", "eu-west-1", "us-east-1"]
    );
    let gp3 = table
        .entries("us-east-1")
        .find(|(s, _)| **s == Sku::EbsVolume("gp3".into()))
        .unwrap()
        .1;
    assert_eq!(gp3.usd, None);
    assert!(
        gp3.source
            .starts_with("unknown: ec2:ebs:gp3: no product matches filter"),
        "{}",
        gp3.source
    );
    let m5 = table
        .entries("ap-northeast-1")
        .find(|(s, _)| **s == Sku::Ec2Instance("m5.large".into()))
        .unwrap()
        .1;
    assert_eq!(m5.usd, Some(0.124));
    // The result is a valid table in canonical form.
    let text = table.to_json();
    assert_eq!(PriceTable::from_json(&text).unwrap().to_json(), text);
}
