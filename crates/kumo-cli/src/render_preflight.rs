//! The preflight checklist as text: one line per check with ✓ / ⚠ / ✗, a `fix:` line under each ✗ (and
//! under warnings that have one), and a summary with the time it took.

use console::Style;
use kumo_preflight::{Checklist, Status};

use crate::output::out;

pub fn render_checklist(stack: &str, region: &str, checklist: &Checklist) -> String {
    let style = |status: Status| match status {
        Status::Pass => Style::new().green(),
        Status::Warn => Style::new().yellow(),
        Status::Fail => Style::new().red().bold(),
    };
    let mut out = format!("preflight of {stack} in {region}\n");
    for item in &checklist.items {
        out.push_str(&format!(
            "  {} {}: {}\n",
            style(item.status).apply_to(item.status.mark()),
            item.title,
            item.detail
        ));
        if let Some(fix) = &item.fix {
            out.push_str(&format!("      fix: {fix}\n"));
        }
    }
    out.push_str(&format!(
        "preflight: {} checks in {:.1} s: {} ✓, {} ⚠, {} ✗\n",
        checklist.items.len(),
        checklist.elapsed.as_secs_f64(),
        checklist.count(Status::Pass),
        checklist.count(Status::Warn),
        checklist.count(Status::Fail)
    ));
    out
}

pub fn print_checklist(stack: &str, region: &str, checklist: &Checklist) {
    out!("{}", render_checklist(stack, region, checklist));
}
