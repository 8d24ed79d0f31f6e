//! The price table: per region, per [`Sku`], a USD price with its source and date — or an explicit
//! "unknown" entry saying why. The committed table (`prices.json` beside `Cargo.toml`) is embedded in
//! the binary; `cargo xtask prices` regenerates it from the AWS Price List, and `kumo cost --live`
//! builds the same structure from `GetProducts` for one region.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::sku::{Sku, Unit};

/// The committed table's text.
pub const EMBEDDED_TABLE_JSON: &str = include_str!("../prices.json");

static EMBEDDED: LazyLock<PriceTable> = LazyLock::new(|| {
    PriceTable::from_json(EMBEDDED_TABLE_JSON)
        .unwrap_or_else(|e| panic!("the embedded prices.json is invalid (a kumo bug, caught by its tests): {e}"))
});

/// What the table says about one price.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The price in USD per [`Sku::unit`]; `None`: explicitly unknown for this region.
    pub usd: Option<f64>,
    /// Where the value comes from (or why it is unknown).
    pub source: String,
    /// The date the source gives for the value (`2026-01-19`, `2025-07`), if it gives one.
    pub date: Option<String>,
}

impl Entry {
    /// `source, date` for display.
    pub fn cite(&self) -> String {
        match &self.date {
            Some(date) if !self.source.contains(date.as_str()) => format!("{}, {date}", self.source),
            _ => self.source.clone(),
        }
    }
}

/// The answer for one price in one region.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup<'a> {
    Price {
        usd: f64,
        entry: &'a Entry,
    },
    /// The table has the region but no value for this SKU.
    Unknown {
        reason: String,
    },
    /// The table has no prices for the region at all.
    NoRegion,
}

/// A dated price table.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceTable {
    /// When the table was compiled (the "prices of" date shown with every estimate).
    pub date: String,
    /// How it was made: "committed table" or "AWS Price List API (GetProducts)".
    pub origin: String,
    regions: BTreeMap<String, BTreeMap<Sku, Entry>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("prices.json does not parse: {0}")]
    Json(#[from] serde_json::Error),
    #[error("prices.json: {region}: {key:?} is not a price kumo knows")]
    UnknownSku { region: String, key: String },
    #[error("prices.json: {region}: {key}: unit {found:?}, but this price is per {expected:?}")]
    WrongUnit {
        region: String,
        key: String,
        found: String,
        expected: &'static str,
    },
    #[error("prices.json: {region}: {key}: {value:?} is not a non-negative decimal number")]
    BadNumber { region: String, key: String, value: String },
    #[error("prices.json: {region}: {key} appears twice")]
    Duplicate { region: String, key: String },
    #[error("prices.json: {region}: {key}: a value needs its source")]
    MissingSource { region: String, key: String },
    #[error("prices.json: currency {0:?}; kumo's tables are in USD")]
    Currency(String),
}

/// The file's shape.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(rename = "//", default, skip_serializing_if = "Vec::is_empty")]
    comment: Vec<String>,
    date: String,
    currency: String,
    regions: BTreeMap<String, Vec<EntryFile>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    sku: String,
    /// A decimal number as text (exactly as the source wrote it), or null for "unknown".
    usd: Option<String>,
    unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    source: String,
}

/// What the committed table's header says; kept by the generator.
pub const TABLE_COMMENT: &[&str] = &[
    "AWS list prices kumo cost uses offline. Every value has its source and date; \"usd\": null means no dated",
    "source was found for that region: kumo shows the part as unknown, never a guess.",
    "Regenerate from the AWS Price List (needs AWS credentials): cargo xtask prices",
];

impl PriceTable {
    /// The committed table.
    pub fn embedded() -> &'static PriceTable {
        &EMBEDDED
    }

    /// An empty table (every look-up is [`Lookup::NoRegion`]) with a date and origin.
    pub fn new(date: impl Into<String>, origin: impl Into<String>) -> PriceTable {
        PriceTable {
            date: date.into(),
            origin: origin.into(),
            regions: BTreeMap::new(),
        }
    }

    /// Parses and checks a table: known SKUs, units that match, numbers, no duplicates, sources.
    pub fn from_json(text: &str) -> Result<PriceTable, TableError> {
        let file: TableFile = serde_json::from_str(text)?;
        if file.currency != "USD" {
            return Err(TableError::Currency(file.currency));
        }
        let mut table = PriceTable::new(file.date, "committed table");
        for (region, entries) in file.regions {
            let prices = table.regions.entry(region.clone()).or_default();
            for e in entries {
                let sku = Sku::parse(&e.sku).ok_or_else(|| TableError::UnknownSku {
                    region: region.clone(),
                    key: e.sku.clone(),
                })?;
                if e.unit != sku.unit().as_str() {
                    return Err(TableError::WrongUnit {
                        region,
                        key: e.sku,
                        found: e.unit,
                        expected: sku.unit().as_str(),
                    });
                }
                let usd = match &e.usd {
                    None => None,
                    Some(text) => Some(parse_usd(text).ok_or_else(|| TableError::BadNumber {
                        region: region.clone(),
                        key: e.sku.clone(),
                        value: text.clone(),
                    })?),
                };
                if e.source.trim().is_empty() {
                    return Err(TableError::MissingSource { region, key: e.sku });
                }
                let entry = Entry {
                    usd,
                    source: e.source,
                    date: e.date,
                };
                if prices.insert(sku, entry).is_some() {
                    return Err(TableError::Duplicate { region, key: e.sku });
                }
            }
        }
        Ok(table)
    }

    /// The table as `prices.json` text: regions and SKUs sorted, so regenerating is reproducible.
    pub fn to_json(&self) -> String {
        let file = TableFile {
            comment: TABLE_COMMENT.iter().map(|s| (*s).to_owned()).collect(),
            date: self.date.clone(),
            currency: "USD".to_owned(),
            regions: self
                .regions
                .iter()
                .map(|(region, prices)| {
                    let mut entries: Vec<EntryFile> = prices
                        .iter()
                        .map(|(sku, e)| EntryFile {
                            sku: sku.key(),
                            usd: e.usd.map(format_usd),
                            unit: sku.unit().as_str().to_owned(),
                            date: e.date.clone(),
                            source: e.source.clone(),
                        })
                        .collect();
                    entries.sort_by(|a, b| a.sku.cmp(&b.sku));
                    (region.clone(), entries)
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a price table serializes");
        text.push('\n');
        text
    }

    /// Sets one entry (the generator and `--live` build tables this way).
    pub fn insert(&mut self, region: &str, sku: Sku, entry: Entry) {
        self.regions.entry(region.to_owned()).or_default().insert(sku, entry);
    }

    /// Marks a region as covered even before it has entries (every look-up is then "unknown").
    pub fn add_region(&mut self, region: &str) {
        self.regions.entry(region.to_owned()).or_default();
    }

    /// The regions with a table.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.regions.keys().map(String::as_str)
    }

    /// Every entry of a region, sorted by SKU.
    pub fn entries(&self, region: &str) -> impl Iterator<Item = (&Sku, &Entry)> {
        self.regions.get(region).into_iter().flat_map(|p| p.iter())
    }

    pub fn lookup(&self, region: &str, sku: &Sku) -> Lookup<'_> {
        let Some(prices) = self.regions.get(region) else {
            return Lookup::NoRegion;
        };
        match prices.get(sku) {
            Some(entry @ Entry { usd: Some(usd), .. }) => Lookup::Price { usd: *usd, entry },
            Some(entry) => Lookup::Unknown {
                reason: entry.source.clone(),
            },
            None => Lookup::Unknown {
                reason: "not in the price table".to_owned(),
            },
        }
    }
}

/// A price as the table writes it: the shortest decimal that reads back the same.
pub fn format_usd(usd: f64) -> String {
    // `Display` for f64 never uses an exponent and prints the shortest text that reads back the same.
    usd.to_string()
}

fn parse_usd(text: &str) -> Option<f64> {
    let valid = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().filter(|&c| c == '.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    valid.then(|| text.parse().ok()).flatten()
}

/// Whether a unit is one the estimate turns into an hourly figure (fixed charges), as opposed to a
/// usage-based price (per GB, per request, per minute).
pub(crate) fn is_fixed(unit: Unit) -> bool {
    matches!(unit, Unit::Hour | Unit::Month | Unit::MonthProrated | Unit::GbMonth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &str) -> Result<PriceTable, TableError> {
        PriceTable::from_json(&format!(
            r#"{{"date": "2026-11-30", "currency": "USD", "regions": {{"us-east-1": [{entries}]}}}}"#
        ))
    }

    #[test]
    fn the_committed_table_parses_and_round_trips() {
        let table = PriceTable::embedded();
        assert_eq!(
            table.to_json(),
            EMBEDDED_TABLE_JSON,
            "prices.json is in its canonical form"
        );
        assert!(table.regions().any(|r| r == "us-east-1"));
        assert!(table.regions().any(|r| r == "ap-northeast-1"));
    }

    #[test]
    fn lookups_distinguish_price_unknown_and_no_region() {
        let t = table(
            r#"{"sku": "eks:cluster-hour", "usd": "0.10", "unit": "hour", "date": "2025-07", "source": "s"},
               {"sku": "ec2:instance:m5a.large", "usd": null, "unit": "hour", "source": "not found"}"#,
        )
        .unwrap();
        assert!(matches!(t.lookup("us-east-1", &Sku::EksClusterHour), Lookup::Price { usd, .. } if usd == 0.10));
        assert_eq!(
            t.lookup("us-east-1", &Sku::Ec2Instance("m5a.large".into())),
            Lookup::Unknown {
                reason: "not found".into()
            }
        );
        assert_eq!(
            t.lookup("us-east-1", &Sku::Ec2Instance("x9.huge".into())),
            Lookup::Unknown {
                reason: "not in the price table".into()
            }
        );
        assert_eq!(t.lookup("xx-fake-9", &Sku::EksClusterHour), Lookup::NoRegion);
    }

    #[test]
    fn bad_tables_are_refused_with_the_entry_named() {
        let error = |entries: &str| table(entries).unwrap_err().to_string();
        assert_eq!(
            error(r#"{"sku": "s3:bucket", "usd": "1", "unit": "hour", "source": "s"}"#),
            r#"prices.json: us-east-1: "s3:bucket" is not a price kumo knows"#
        );
        assert_eq!(
            error(r#"{"sku": "kms:key", "usd": "1", "unit": "hour", "source": "s"}"#),
            r#"prices.json: us-east-1: kms:key: unit "hour", but this price is per "month""#
        );
        assert_eq!(
            error(r#"{"sku": "kms:key", "usd": "-1", "unit": "month", "source": "s"}"#),
            r#"prices.json: us-east-1: kms:key: "-1" is not a non-negative decimal number"#
        );
        assert_eq!(
            error(
                r#"{"sku": "kms:key", "usd": "1", "unit": "month", "source": "s"},
                   {"sku": "kms:key", "usd": "2", "unit": "month", "source": "t"}"#
            ),
            "prices.json: us-east-1: kms:key appears twice"
        );
        assert_eq!(
            error(r#"{"sku": "kms:key", "usd": "1", "unit": "month", "source": " "}"#),
            "prices.json: us-east-1: kms:key: a value needs its source"
        );
    }

    #[test]
    fn prices_print_as_the_source_wrote_them() {
        assert_eq!(format_usd(0.0416), "0.0416");
        assert_eq!(format_usd(0.1), "0.1");
        assert_eq!(format_usd(1.0), "1");
        assert_eq!(format_usd(0.0000002), "0.0000002");
    }
}
