//! Prices applied to the parts: one [`Item`] per priced part with hourly and monthly figures, the
//! usage-based prices that apply (outside the totals), what could not be priced, and the totals
//! "expected" and "max".

use serde::Serialize;

use crate::rules::{self, NotPriced, PartSpec, Pricing};
use crate::sku::{Sku, Unit};
use crate::table::{Lookup, PriceTable, is_fixed};
use crate::template::TemplateView;
use crate::{CostError, HOURS_PER_MONTH};

/// A cost estimate of one template in one region. Serializes to `kumo cost --json`.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub region: String,
    pub currency: &'static str,
    pub prices_date: String,
    /// "committed table" or "AWS Price List API (GetProducts)".
    pub prices_origin: String,
    pub hours_per_month: f64,
    pub hourly: Totals,
    pub monthly: Totals,
    pub items: Vec<Item>,
    pub usage_prices: Vec<UsagePrice>,
    pub not_priced: Vec<NotPriced>,
    /// How many resources cost nothing by themselves, by type.
    pub no_charge: Vec<NoCharge>,
    pub warnings: Vec<String>,
}

/// A sum over the items. `expected` / `max` are `None` when any item's figure is unknown; the
/// `_at_least` sums count only the known figures (costs are never negative, so they are lower bounds).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Totals {
    pub expected: Option<f64>,
    pub max: Option<f64>,
    pub expected_at_least: f64,
    pub max_at_least: f64,
}

/// One priced part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    pub part: String,
    pub logical_id: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub quantity: Option<f64>,
    pub quantity_unit: &'static str,
    /// The price the maximum is computed from, per `price_unit`.
    pub unit_price: Option<f64>,
    pub price_unit: &'static str,
    pub hourly_expected: Option<f64>,
    pub hourly_max: Option<f64>,
    pub monthly_expected: Option<f64>,
    pub monthly_max: Option<f64>,
    /// Where the unit price comes from, with its date.
    pub source: Option<String>,
    /// Why a figure is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A usage-based price that applies to some resources of the template (not in the totals).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UsagePrice {
    pub part: String,
    pub sku: String,
    pub unit_price: Option<f64>,
    pub price_unit: &'static str,
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
    pub applies_to: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoCharge {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub count: usize,
}

/// A price found, or why not.
struct Found {
    usd: Option<f64>,
    source: Option<String>,
    unknown: Option<String>,
}

fn find(table: &PriceTable, region: &str, sku: &Sku) -> Found {
    match table.lookup(region, sku) {
        Lookup::Price { usd, entry } => Found {
            usd: Some(usd),
            source: Some(entry.cite()),
            unknown: None,
        },
        Lookup::Unknown { reason } => Found {
            usd: None,
            source: None,
            unknown: Some(format!(
                "{} price unknown for {region}: {}",
                sku.describe(),
                reason.strip_prefix("unknown: ").unwrap_or(&reason)
            )),
        },
        Lookup::NoRegion => Found {
            usd: None,
            source: None,
            unknown: Some(format!("no price table for {region}")),
        },
    }
}

impl Estimate {
    /// Estimates `template` (parsed JSON) in `region` from `table`. `parameters` are the deploy's
    /// `KEY=VALUE` values (they win over the template's defaults).
    pub fn of_template(
        template: &serde_json::Value,
        parameters: &[(String, String)],
        region: &str,
        table: &PriceTable,
    ) -> Result<Estimate, CostError> {
        check_region(region)?;
        let view = TemplateView::new(template, parameters, region)?;
        let analysis = rules::analyze(&view);
        let mut warnings = analysis.warnings;
        if !table.regions().any(|r| r == region) {
            warnings.insert(
                0,
                format!(
                    "no price table for {region} (kumo's table covers {}): every price shows as unknown; use \
                     `kumo cost --live` with AWS credentials, or add the region with `cargo xtask prices --region \
                     {region}`",
                    table.regions().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let items: Vec<Item> = analysis.parts.iter().map(|p| price_part(p, table, region)).collect();

        let mut usage_prices: Vec<UsagePrice> = Vec::new();
        for (sku, id) in &analysis.usage {
            let key = sku.key();
            if let Some(existing) = usage_prices.iter_mut().find(|u| u.sku == key) {
                existing.applies_to.push(id.clone());
                continue;
            }
            let found = find(table, region, sku);
            usage_prices.push(UsagePrice {
                part: sku.describe(),
                sku: key,
                unit_price: found.usd,
                price_unit: sku.unit().as_str(),
                source: found.source,
                unknown: found.unknown,
                applies_to: vec![id.clone()],
            });
        }

        let mut no_charge: Vec<NoCharge> = Vec::new();
        for (_, resource_type) in &analysis.no_charge {
            match no_charge.iter_mut().find(|n| &n.resource_type == resource_type) {
                Some(n) => n.count += 1,
                None => no_charge.push(NoCharge {
                    resource_type: resource_type.clone(),
                    count: 1,
                }),
            }
        }
        no_charge.sort_by(|a, b| a.resource_type.cmp(&b.resource_type));

        let hourly = totals(items.iter().map(|i| (i.hourly_expected, i.hourly_max)));
        let monthly = totals(items.iter().map(|i| (i.monthly_expected, i.monthly_max)));
        Ok(Estimate {
            region: region.to_owned(),
            currency: "USD",
            prices_date: table.date.clone(),
            prices_origin: table.origin.clone(),
            hours_per_month: HOURS_PER_MONTH,
            hourly,
            monthly,
            items,
            usage_prices,
            not_priced: analysis.not_priced,
            no_charge,
            warnings,
        })
    }

    /// The items whose expected or maximum figure is unknown.
    pub fn unknown_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.unknown.is_some())
    }
}

/// Region names look like `us-east-1`, `ap-northeast-1`, `us-gov-west-1`: lowercase words and a number.
pub fn check_region(region: &str) -> Result<(), CostError> {
    let parts: Vec<&str> = region.split('-').collect();
    let valid = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if valid {
        Ok(())
    } else {
        Err(CostError::BadRegion(region.to_owned()))
    }
}

fn totals(figures: impl Iterator<Item = (Option<f64>, Option<f64>)>) -> Totals {
    let mut t = Totals {
        expected: Some(0.0),
        max: Some(0.0),
        expected_at_least: 0.0,
        max_at_least: 0.0,
    };
    for (expected, max) in figures {
        t.expected = t.expected.zip(expected).map(|(a, b)| a + b);
        t.max = t.max.zip(max).map(|(a, b)| a + b);
        t.expected_at_least += expected.unwrap_or(0.0);
        t.max_at_least += max.unwrap_or(0.0);
    }
    t.expected = t.expected.map(round);
    t.max = t.max.map(round);
    t.expected_at_least = round(t.expected_at_least);
    t.max_at_least = round(t.max_at_least);
    t
}

/// Six decimals: below a hundredth of a cent per month, and free of float noise in the output.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Hourly and monthly figures of `quantity` units at `usd` per `unit`.
fn figures(quantity: f64, usd: f64, unit: Unit) -> (f64, f64) {
    match unit {
        Unit::Hour => (quantity * usd, quantity * usd * HOURS_PER_MONTH),
        // A month's charge spread over its hours (for a hosted zone the month is charged whole: the
        // item's note says so).
        Unit::Month | Unit::MonthProrated | Unit::GbMonth => (quantity * usd / HOURS_PER_MONTH, quantity * usd),
        // Usage-based units never reach here (they are not parts).
        Unit::Gb | Unit::MillionRequests | Unit::Minute | Unit::Percent => (0.0, 0.0),
    }
}

fn price_part(p: &PartSpec, table: &PriceTable, region: &str) -> Item {
    let mut item = Item {
        part: p.part.clone(),
        logical_id: p.logical_id.clone(),
        resource_type: p.resource_type.clone(),
        quantity: p.quantity.as_ref().ok().copied(),
        quantity_unit: p.quantity_unit,
        unit_price: None,
        price_unit: "hour",
        hourly_expected: None,
        hourly_max: None,
        monthly_expected: None,
        monthly_max: None,
        source: None,
        unknown: None,
        notes: p.notes.clone(),
    };
    // Unit prices for the expected and the maximum figure (the same except for spot nodes).
    let (expected_usd, max_usd, unit) = match &p.pricing {
        Pricing::Unknown(reason) => {
            item.unknown = Some(reason.clone());
            (None, None, Unit::Hour)
        }
        Pricing::Sku(sku) => {
            debug_assert!(is_fixed(sku.unit()), "{sku} is not a fixed charge");
            let found = find(table, region, sku);
            item.source = found.source;
            item.unknown = found.unknown;
            (found.usd, found.usd, sku.unit())
        }
        Pricing::Nodes { spot, instance_types } => {
            let nodes = price_nodes(*spot, instance_types, table, region);
            item.source = nodes.source;
            item.unknown = nodes.unknown;
            item.notes.extend(nodes.notes);
            (nodes.expected, nodes.max, Unit::Hour)
        }
    };
    item.price_unit = unit.as_str();
    item.unit_price = max_usd;
    match &p.quantity {
        Err(reason) => {
            item.unknown = Some(match item.unknown.take() {
                Some(other) => format!("{reason}; {other}"),
                None => reason.clone(),
            });
        }
        Ok(quantity) => {
            if let Some(usd) = expected_usd {
                let (h, m) = figures(*quantity, usd, unit);
                item.hourly_expected = Some(round(h));
                item.monthly_expected = Some(round(m));
            }
            if let Some(usd) = max_usd {
                let (h, m) = figures(*quantity, usd, unit);
                item.hourly_max = Some(round(h));
                item.monthly_max = Some(round(m));
            }
        }
    }
    item
}

struct NodePrices {
    expected: Option<f64>,
    max: Option<f64>,
    source: Option<String>,
    unknown: Option<String>,
    notes: Vec<String>,
}

/// Per-node prices of a node group. On demand, EKS launches the first listed type (prioritized
/// allocation): that is the expected price, the dearest listed type the maximum. On spot, the maximum
/// is the dearest type on demand; the expected price needs every type's dated spot discount.
fn price_nodes(spot: bool, types: &[String], table: &PriceTable, region: &str) -> NodePrices {
    let on_demand: Vec<(String, Found)> = types
        .iter()
        .map(|t| (t.clone(), find(table, region, &Sku::Ec2Instance(t.clone()))))
        .collect();
    let mut unknown = Vec::new();
    for (_, found) in &on_demand {
        if let Some(reason) = &found.unknown
            && !unknown.contains(reason)
        {
            unknown.push(reason.clone());
        }
    }
    let all_known = unknown.is_empty();
    let dearest = on_demand
        .iter()
        .filter(|(_, f)| f.usd.is_some())
        .max_by(|a, b| a.1.usd.partial_cmp(&b.1.usd).unwrap_or(std::cmp::Ordering::Equal));
    let max = if all_known {
        dearest.and_then(|(_, f)| f.usd)
    } else {
        None
    };
    let source = dearest.and_then(|(t, f)| f.source.as_ref().map(|s| format!("{t}: {s}")));
    let mut notes = Vec::new();
    let known: Vec<f64> = on_demand.iter().filter_map(|(_, f)| f.usd).collect();
    if types.len() > 1 && !known.is_empty() {
        let low = known.iter().copied().fold(f64::INFINITY, f64::min);
        let high = known.iter().copied().fold(0.0, f64::max);
        let range = if low == high {
            crate::table::format_usd(low)
        } else {
            format!("{}–{}", crate::table::format_usd(low), crate::table::format_usd(high))
        };
        notes.push(format!(
            "on-demand {range} /h across {} ({})",
            if all_known {
                "all listed types".to_owned()
            } else {
                format!("{} of {} types", known.len(), types.len())
            },
            types.join(", ")
        ));
    }
    let expected = if spot {
        let mut spot_prices = Vec::new();
        let mut missing_discount = false;
        for (t, found) in &on_demand {
            let discount = find(table, region, &Sku::SpotSavings(t.clone()));
            match (found.usd, discount.usd) {
                (Some(usd), Some(percent)) => spot_prices.push(usd * (1.0 - percent / 100.0)),
                _ => missing_discount = true,
            }
        }
        if missing_discount {
            unknown.push(format!(
                "spot price unknown: no dated spot discount for {} in the table; on-demand is the maximum",
                types.join(", ")
            ));
            None
        } else {
            notes.push("expected: the dearest listed type at its dated spot discount".to_owned());
            spot_prices.into_iter().reduce(f64::max)
        }
    } else {
        on_demand.first().and_then(|(_, f)| f.usd)
    };
    NodePrices {
        expected,
        max,
        source,
        unknown: (!unknown.is_empty()).then(|| unknown.join("; ")),
        notes,
    }
}
