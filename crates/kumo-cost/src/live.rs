//! Prices from the AWS Price List Query API (`pricing:GetProducts`), for `kumo cost --live` and
//! `cargo xtask prices`. Each SKU is one query ([`Sku::query`]): exact attribute matches on the server,
//! then the usage type's anchored suffix here; exactly one product must remain, and it must have
//! exactly one on-demand price in the expected unit. Anything else is an error naming the filter.
//!
//! The Price List API answers only in a few regions (us-east-1, eu-central-1, ap-south-1) whatever
//! region is priced: build the client for us-east-1.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_pricing::Client;
use aws_sdk_pricing::types::{Filter, FilterType};
use serde_json::Value;

use crate::sku::{PriceQuery, Sku};
use crate::table::{Entry, PriceTable};

/// The origin recorded in tables built here.
pub const ORIGIN: &str = "AWS Price List API (GetProducts)";

/// The region to send Price List requests to.
pub const PRICING_API_REGION: &str = "us-east-1";

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{sku}: GetProducts failed for filter {filter}: {message}")]
    Request {
        sku: String,
        filter: String,
        message: String,
    },
    #[error("{sku}: no product matches filter {filter}")]
    NoMatch { sku: String, filter: String },
    #[error("{sku}: {count} products match filter {filter} (SKUs {skus}); exactly one must")]
    Ambiguous {
        sku: String,
        filter: String,
        count: usize,
        skus: String,
    },
    #[error("{sku}: the product matching filter {filter} {reason}")]
    BadProduct {
        sku: String,
        filter: String,
        reason: String,
    },
}

/// Prices of `skus` in `region`, as a table dated `date`. Spot discounts are not in the Price List:
/// they are entered as explicitly unknown. Every SKU that fails is returned as an error (the table then
/// lacks it); callers decide whether that is fatal. A failed request stops the look-ups.
pub async fn fetch(client: &Client, region: &str, skus: &[Sku], date: &str) -> (PriceTable, Vec<LiveError>) {
    let mut table = PriceTable::new(date, ORIGIN);
    table.add_region(region);
    let mut errors = Vec::new();
    for sku in skus {
        let query = sku.query(region);
        if !query.is_in_price_list() {
            table.insert(
                region,
                sku.clone(),
                Entry {
                    usd: None,
                    source: "unknown: the AWS Price List has no spot discounts; on-demand is the upper bound".into(),
                    date: None,
                },
            );
            continue;
        }
        match price_of(client, sku, &query).await {
            Ok((usd, product_sku)) => table.insert(
                region,
                sku.clone(),
                Entry {
                    usd: Some(usd),
                    source: format!("{ORIGIN}, product {product_sku}"),
                    date: Some(date.to_owned()),
                },
            ),
            // A failed request (no network, no credentials, throttled past the SDK's retries) would fail
            // the same way for every other SKU: stop at the first.
            Err(error @ LiveError::Request { .. }) => {
                errors.push(error);
                break;
            }
            Err(error) => errors.push(error),
        }
    }
    (table, errors)
}

/// `cargo xtask prices`: a new table dated `date` with every region of `committed` (plus `extra_regions`)
/// fetched again, asking for the blueprint's SKUs and whatever the committed table already lists. A
/// failed look-up fails the whole run (nothing is written) unless `keep_going`, which records it as an
/// explicit unknown entry carrying the error.
pub async fn regenerate(
    client: &Client,
    committed: &PriceTable,
    extra_regions: &[String],
    keep_going: bool,
    date: &str,
) -> Result<PriceTable, Vec<LiveError>> {
    let mut regions: Vec<String> = committed.regions().map(str::to_owned).collect();
    for region in extra_regions {
        if !regions.contains(region) {
            regions.push(region.clone());
        }
    }
    let mut table = PriceTable::new(date, "committed table");
    let mut all_errors = Vec::new();
    for region in &regions {
        let mut skus = crate::coverage::blueprint_skus();
        skus.extend(committed.entries(region).map(|(sku, _)| sku.clone()));
        skus.sort();
        skus.dedup();
        let (fetched, errors) = fetch(client, region, &skus, date).await;
        table.add_region(region);
        for (sku, entry) in fetched.entries(region) {
            table.insert(region, sku.clone(), entry.clone());
        }
        for error in errors {
            if keep_going {
                table.insert(
                    region,
                    error.sku(),
                    Entry {
                        usd: None,
                        source: format!("unknown: {error}"),
                        date: Some(date.to_owned()),
                    },
                );
            }
            all_errors.push(error);
        }
    }
    if all_errors.is_empty() || keep_going {
        Ok(table)
    } else {
        Err(all_errors)
    }
}

impl LiveError {
    /// The SKU the failed look-up was for.
    pub fn sku(&self) -> Sku {
        let key = match self {
            LiveError::Request { sku, .. }
            | LiveError::NoMatch { sku, .. }
            | LiveError::Ambiguous { sku, .. }
            | LiveError::BadProduct { sku, .. } => sku,
        };
        Sku::parse(key).expect("errors carry the key of a known SKU")
    }
}

async fn price_of(client: &Client, sku: &Sku, query: &PriceQuery) -> Result<(f64, String), LiveError> {
    let filter_text = query.to_string();
    let request_error = |message: String| LiveError::Request {
        sku: sku.key(),
        filter: filter_text.clone(),
        message,
    };
    let mut filters = Vec::new();
    for (field, value) in &query.attributes {
        filters.push(filter(FilterType::TermMatch, field, value).map_err(request_error)?);
    }
    if let Some(suffix) = &query.usagetype_suffix {
        filters.push(filter(FilterType::Contains, "usagetype", suffix).map_err(request_error)?);
    }
    let mut matches: Vec<Value> = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let output = client
            .get_products()
            .service_code(query.service_code)
            .set_filters(Some(filters.clone()))
            .format_version("aws_v1")
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| request_error(aws_sdk_pricing::error::DisplayErrorContext(e).to_string()))?;
        for item in output.price_list() {
            let product: Value = serde_json::from_str(item).map_err(|e| LiveError::BadProduct {
                sku: sku.key(),
                filter: filter_text.clone(),
                reason: format!("is not JSON: {e}"),
            })?;
            let usagetype = product
                .pointer("/product/attributes/usagetype")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if query.usagetype_matches(usagetype) {
                matches.push(product);
            }
        }
        match output.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
            _ => break,
        }
    }
    let product = match matches.as_slice() {
        [] => {
            return Err(LiveError::NoMatch {
                sku: sku.key(),
                filter: filter_text,
            });
        }
        [one] => one,
        many => {
            return Err(LiveError::Ambiguous {
                sku: sku.key(),
                filter: filter_text,
                count: many.len(),
                skus: many
                    .iter()
                    .map(|p| p.pointer("/product/sku").and_then(Value::as_str).unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    };
    let bad = |reason: String| LiveError::BadProduct {
        sku: sku.key(),
        filter: filter_text.clone(),
        reason,
    };
    let product_sku = product
        .pointer("/product/sku")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let terms = product
        .pointer("/terms/OnDemand")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("has no on-demand terms".to_owned()))?;
    let [term] = terms.values().collect::<Vec<_>>()[..] else {
        return Err(bad(format!("has {} on-demand terms; expected one", terms.len())));
    };
    let dimensions = term
        .get("priceDimensions")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("has no price dimensions".to_owned()))?;
    // Tiered prices (hosted zones: the first 25 zones, then cheaper) start at 0: take the first tier.
    let first_tier: Vec<&Value> = dimensions
        .values()
        .filter(|d| d.get("beginRange").and_then(Value::as_str).is_none_or(|b| b == "0"))
        .collect();
    let [dimension] = first_tier[..] else {
        return Err(bad(format!(
            "has {} price dimensions starting at 0; expected one",
            first_tier.len()
        )));
    };
    let unit = dimension.get("unit").and_then(Value::as_str).unwrap_or_default();
    if !unit.eq_ignore_ascii_case(query.price_list_unit) {
        return Err(bad(format!(
            "is priced per {unit:?}, not per {:?}",
            query.price_list_unit
        )));
    }
    let text = dimension
        .pointer("/pricePerUnit/USD")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("has no USD price".to_owned()))?;
    let usd: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| bad(format!("has the USD price {text:?}, not a number")))?;
    // Price List prices carry ten decimals; keep what a person would write.
    let per_unit = (usd * query.per_unit_factor * 1e10).round() / 1e10;
    Ok((per_unit, product_sku))
}

fn filter(kind: FilterType, field: &str, value: &str) -> Result<Filter, String> {
    Filter::builder()
        .r#type(kind)
        .field(field)
        .value(value)
        .build()
        .map_err(|e| e.to_string())
}

/// Today's date (UTC) as `YYYY-MM-DD`, for stamping a table fetched now.
pub fn today() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0);
    civil_from_days(days)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(civil_from_days(11_017), "2000-03-01");
        let d = kumo_blueprint::Date::new(2026, 11, 30);
        assert_eq!(civil_from_days(d.days_since_epoch()), "2026-11-30");
    }
}
