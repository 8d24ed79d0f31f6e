//! What a CloudFormation template costs per hour and per month, before it exists.
//!
//! Pure and offline by default: [`Estimate::of_template`] is a function of a template and a dated
//! [`PriceTable`] (the committed one is [`PriceTable::embedded`]). Each priced part carries its quantity
//! (from the template: NAT gateways, AZs of an interface endpoint, nodes and their types, DB instances),
//! its unit price with the price's source and date, and hourly and monthly figures (730 hours a
//! month); usage-based prices are listed apart; resources kumo cannot price are listed as such, never
//! dropped. A price the table does not have is *unknown*, never guessed.
//!
//! With the `live` feature, [`live`] asks the AWS Price List API (`GetProducts`) for exactly the prices a
//! template needs and builds a [`PriceTable`] from the answers (exactly one product per filter).

mod estimate;
mod render;
mod rules;
mod sku;
mod table;
mod template;

pub mod coverage;
#[cfg(feature = "live")]
pub mod live;

pub use estimate::{Estimate, Item, NoCharge, Totals, UsagePrice, check_region};
pub use render::{Which, hourly, monthly, render, total_line};
pub use rules::{AURORA_STORAGE_ASSUMED_GB, NotPriced};
pub use sku::{PriceQuery, Sku, Unit};
pub use table::{EMBEDDED_TABLE_JSON, Entry, Lookup, PriceTable, TableError, format_usd};

/// Hours in a month, the convention AWS's calculator and infracost use.
pub const HOURS_PER_MONTH: f64 = 730.0;

#[derive(Debug, thiserror::Error)]
pub enum CostError {
    #[error("not a CloudFormation template kumo can price: {0}")]
    NotATemplate(String),
    #[error("{0:?} is not an AWS region name (such as us-east-1 or ap-northeast-1)")]
    BadRegion(String),
}

/// The SKUs a template's estimate looks up (for `--live`: exactly these are asked for).
pub fn required_skus(
    template: &serde_json::Value,
    parameters: &[(String, String)],
    region: &str,
) -> Result<Vec<Sku>, CostError> {
    check_region(region)?;
    let view = template::TemplateView::new(template, parameters, region)?;
    let analysis = rules::analyze(&view);
    let mut skus = Vec::new();
    for part in &analysis.parts {
        match &part.pricing {
            rules::Pricing::Sku(sku) => skus.push(sku.clone()),
            rules::Pricing::Nodes { spot, instance_types } => {
                for t in instance_types {
                    skus.push(Sku::Ec2Instance(t.clone()));
                    if *spot {
                        skus.push(Sku::SpotSavings(t.clone()));
                    }
                }
            }
            rules::Pricing::Unknown(_) => {}
        }
    }
    skus.extend(analysis.usage.into_iter().map(|(sku, _)| sku));
    skus.sort();
    skus.dedup();
    Ok(skus)
}
