//! `cargo xtask prices [--region REGION]... [--keep-going]`: regenerates kumo-cost's committed price
//! table (`crates/kumo-cost/prices.json`) from the AWS Price List API. Needs AWS credentials (any
//! account: the Price List is public data behind `pricing:GetProducts`); the standard AWS chain and
//! `AWS_ENDPOINT_URL` apply. The look-ups and their exactly-one-product rule are
//! `kumo_cost::live::regenerate`, tested against recorded-shape responses there.

use std::path::Path;

use anyhow::{Context, Result, bail};
use aws_config::{BehaviorVersion, Region};
use aws_smithy_http_client::tls;
use kumo_cost::PriceTable;
use kumo_cost::live::{self, PRICING_API_REGION};

pub fn regenerate(root: &Path, extra_regions: &[String], keep_going: bool) -> Result<String> {
    for region in extra_regions {
        kumo_cost::check_region(region)?;
    }
    let path = root.join("crates/kumo-cost/prices.json");
    let committed = PriceTable::from_json(&std::fs::read_to_string(&path).context("reading prices.json")?)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let table = runtime.block_on(async {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(PRICING_API_REGION))
            .load()
            .await;
        let client = aws_sdk_pricing::Client::new(&config);
        live::regenerate(&client, &committed, extra_regions, keep_going, &live::today()).await
    });
    let table = match table {
        Ok(table) => table,
        Err(errors) => {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            bail!(
                "{} look-ups failed; prices.json is unchanged:\n  {}\n\
                 a failed request: check AWS credentials and network; no or several products: fix the filter in \
                 crates/kumo-cost/src/sku.rs, or pass --keep-going to record them as unknown",
                errors.len(),
                list.join("\n  ")
            );
        }
    };
    std::fs::write(&path, table.to_json()).context("writing prices.json")?;
    let known = table
        .regions()
        .map(|r| table.entries(r).filter(|(_, e)| e.usd.is_some()).count())
        .sum::<usize>();
    Ok(format!(
        "wrote {} ({} regions, {known} prices, dated {}); review the diff and run the kumo-cost tests \
         (snapshots change with the prices)",
        path.display(),
        table.regions().count(),
        table.date
    ))
}
