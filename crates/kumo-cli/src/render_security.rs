//! Security findings for people and for the manifest: `kumo synth` prints the unwaived ones as
//! warnings, `kumo check` lists them, `manifest.json` records findings and waivers.

use kumo_core::security::{Report, Rule};

/// One line per finding, waiver problem and stale waiver, each starting with `prefix`.
pub fn lines(report: &Report, prefix: &str) -> Vec<String> {
    let mut lines: Vec<String> = report.findings.iter().map(|f| format!("{prefix}{f}")).collect();
    for invalid in &report.invalid_waivers {
        lines.push(format!("{prefix}waiver ignored: {invalid}"));
    }
    for (resource, waiver) in &report.unused_waivers {
        lines.push(format!(
            "{prefix}waiver of {} on {resource} matches no finding (remove it, or move it to the resource the rule flags)",
            waiver.rule
        ));
    }
    lines
}

/// `N findings (E errors, W warnings), M waived`.
pub fn summary(report: &Report) -> String {
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity() == kumo_core::security::Severity::Error)
        .count();
    let warnings = report.findings.len() - errors;
    let findings = match report.findings.len() {
        0 => "no security finding".to_owned(),
        1 => "1 security finding".to_owned(),
        n => format!("{n} security findings"),
    };
    let detail = if report.findings.is_empty() {
        String::new()
    } else {
        format!(
            " ({errors} error{}, {warnings} warning{})",
            plural(errors),
            plural(warnings)
        )
    };
    format!("{findings}{detail}, {} waived", report.waived.len())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The rule table for `kumo check --rules`.
pub fn rule_table() -> String {
    let mut text = String::new();
    for rule in Rule::ALL {
        text.push_str(&format!(
            "{:<28} {:<8} {}\n{:<37} fix: {}\n",
            rule.id(),
            rule.severity().as_str(),
            rule.title(),
            "",
            rule.fix()
        ));
    }
    text
}
