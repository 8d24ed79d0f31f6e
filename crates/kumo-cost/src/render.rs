//! The estimate as text: a table of parts, the totals, then usage-based prices, what is unknown or not
//! priced, notes and the numbered sources.

use std::fmt::Write;

use crate::estimate::{Estimate, Item, Totals};
use crate::table::format_usd;

/// `0.4944/h` with four decimals.
pub fn hourly(usd: f64) -> String {
    format!("{usd:.4}")
}

/// `360.91` with two decimals.
pub fn monthly(usd: f64) -> String {
    format!("{usd:.2}")
}

/// The one-line figure of a total: `$0.4944/h ($360.91/month)`, `≥ $0.2314/h (≥ $168.92/month)` when
/// some part's figure is unknown.
pub fn total_line(hourly_totals: &Totals, monthly_totals: &Totals, which: Which) -> String {
    let (h, m, exact) = match which {
        Which::Expected => (
            hourly_totals.expected_at_least,
            monthly_totals.expected_at_least,
            hourly_totals.expected.is_some(),
        ),
        Which::Max => (
            hourly_totals.max_at_least,
            monthly_totals.max_at_least,
            hourly_totals.max.is_some(),
        ),
    };
    let at_least = if exact { "" } else { "≥ " };
    format!("{at_least}${}/h ({at_least}${}/month)", hourly(h), monthly(m))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Expected,
    Max,
}

/// `title` is what is priced (`MyEKSStack`, a file name).
pub fn render(estimate: &Estimate, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{title} in {}: {}, prices of {} ({}), {} hours a month",
        estimate.region, estimate.currency, estimate.prices_date, estimate.prices_origin, estimate.hours_per_month
    );

    // Numbered sources, in order of first use.
    let mut sources: Vec<String> = Vec::new();
    let mut cite = |source: &Option<String>| -> String {
        match source {
            None => String::new(),
            Some(s) => {
                let n = match sources.iter().position(|x| x == s) {
                    Some(i) => i + 1,
                    None => {
                        sources.push(s.clone());
                        sources.len()
                    }
                };
                format!(" [{n}]")
            }
        }
    };

    let header = ["part", "logical id", "quantity", "unit price", "per hour", "per month"];
    let mut rows: Vec<[String; 6]> = Vec::new();
    for item in &estimate.items {
        let quantity = match item.quantity {
            Some(q) => format!("{} {}", trim_number(q), plural(item.quantity_unit, q)),
            None => "?".to_owned(),
        };
        let unit_price = match item.unit_price {
            Some(usd) => format!(
                "{}{}{}",
                format_usd(usd),
                unit_suffix(item.price_unit),
                cite(&item.source)
            ),
            None => "unknown".to_owned(),
        };
        rows.push([
            item.part.clone(),
            item.logical_id.clone(),
            quantity,
            unit_price,
            figure_pair(item.hourly_expected, item.hourly_max, hourly),
            figure_pair(item.monthly_expected, item.monthly_max, monthly),
        ]);
    }
    if rows.is_empty() {
        let _ = writeln!(out, "\nnothing in this template has a fixed charge kumo can price");
    } else {
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let _ = writeln!(out);
        let line = |cells: [&str; 6]| {
            let mut text = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                let pad = width - cell.chars().count();
                if i >= 4 {
                    // Figures are right-aligned.
                    let _ = write!(text, "  {}{cell}", " ".repeat(pad));
                } else {
                    let _ = write!(text, "{}{cell}{}", if i == 0 { "" } else { "  " }, " ".repeat(pad));
                }
            }
            text.trim_end().to_owned()
        };
        let _ = writeln!(out, "{}", line(header));
        for row in &rows {
            let _ = writeln!(out, "{}", line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]));
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "total expected  {}",
            total_line(&estimate.hourly, &estimate.monthly, Which::Expected)
        );
        let _ = writeln!(
            out,
            "total max       {}",
            total_line(&estimate.hourly, &estimate.monthly, Which::Max)
        );
        if estimate.hourly.expected.is_none() || estimate.hourly.max.is_none() {
            let _ = writeln!(
                out,
                "                (≥: the sum of the known figures; the parts below have none)"
            );
        }
    }

    let unknown: Vec<&Item> = estimate.unknown_items().collect();
    if !unknown.is_empty() {
        let _ = writeln!(out, "\nunknown figures:");
        for item in unknown {
            let _ = writeln!(
                out,
                "  {} ({}): {}",
                item.logical_id,
                item.part,
                item.unknown.as_deref().unwrap_or_default()
            );
        }
    }

    if !estimate.usage_prices.is_empty() {
        let _ = writeln!(out, "\nusage-based, not in the totals:");
        let width = estimate
            .usage_prices
            .iter()
            .map(|u| u.part.chars().count())
            .max()
            .unwrap_or(0);
        let prices: Vec<String> = estimate
            .usage_prices
            .iter()
            .map(|usage| match usage.unit_price {
                Some(usd) => format!(
                    "{}{}{}",
                    format_usd(usd),
                    unit_suffix(usage.price_unit),
                    cite(&usage.source)
                ),
                None => format!("unknown for {}", estimate.region),
            })
            .collect();
        let price_width = prices.iter().map(|p| p.chars().count()).max().unwrap_or(0);
        for (usage, price) in estimate.usage_prices.iter().zip(&prices) {
            let _ = writeln!(
                out,
                "  {}{}  {price}{}  {}",
                usage.part,
                " ".repeat(width - usage.part.chars().count()),
                " ".repeat(price_width - price.chars().count()),
                applies_to(&usage.applies_to)
            );
        }
    }

    if !estimate.not_priced.is_empty() {
        let _ = writeln!(out, "\nnot priced:");
        for n in &estimate.not_priced {
            let _ = writeln!(out, "  {} ({}): {}", n.logical_id, n.resource_type, n.reason);
        }
    }

    let free: usize = estimate.no_charge.iter().map(|n| n.count).sum();
    if free > 0 {
        let _ = writeln!(
            out,
            "\nno charge of their own: {free} resources ({})",
            estimate
                .no_charge
                .iter()
                .map(|n| format!("{} {}", n.count, n.resource_type))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let notes: Vec<(&str, &str)> = estimate
        .items
        .iter()
        .flat_map(|i| i.notes.iter().map(move |n| (i.logical_id.as_str(), n.as_str())))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\nnotes:");
        for (id, note) in notes {
            let _ = writeln!(out, "  {id}: {note}");
        }
    }

    if !sources.is_empty() {
        let _ = writeln!(out, "\nsources:");
        for (i, source) in sources.iter().enumerate() {
            let _ = writeln!(out, "  [{}] {source}", i + 1);
        }
    }
    let any_unknown =
        estimate.items.iter().any(|i| i.unknown.is_some()) || estimate.usage_prices.iter().any(|u| u.unknown.is_some());
    if any_unknown {
        let _ = writeln!(
            out,
            "\nunknown prices: ask AWS now with `kumo cost --live` (needs AWS credentials), or regenerate the table \
             with `cargo xtask prices`"
        );
    }
    out
}

/// `? – 0.2720` when only the maximum is known, one figure when both agree.
fn figure_pair(expected: Option<f64>, max: Option<f64>, format: fn(f64) -> String) -> String {
    match (expected, max) {
        (Some(e), Some(m)) if (e - m).abs() < 1e-9 => format(m),
        (None, None) => "?".to_owned(),
        (e, m) => format!(
            "{} – {}",
            e.map_or("?".to_owned(), format),
            m.map_or("?".to_owned(), format)
        ),
    }
}

fn unit_suffix(unit: &str) -> &'static str {
    match unit {
        "hour" => "/h",
        "month" => "/month",
        "GB" => "/GB",
        "GB-month" => "/GB-month",
        "million requests" => "/million requests",
        "minute" => "/min",
        _ => "",
    }
}

fn plural(unit: &str, quantity: f64) -> String {
    match unit {
        _ if quantity == 1.0 || unit == "GB" => unit.to_owned(),
        "address" => "addresses".to_owned(),
        other => format!("{other}s"),
    }
}

fn trim_number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

fn applies_to(ids: &[String]) -> String {
    match ids {
        [] => String::new(),
        [one] => one.clone(),
        [first, second] => format!("{first}, {second}"),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    }
}
