//! Cost figures outside `kumo cost`: the line `kumo diff` and `kumo deploy` show before approval
//! (current → new), and the figure for a deployed stack's template (the hook for a `kumo list` cost
//! column and the destroy plan, which do not exist yet).

use kumo_cost::{Estimate, PriceTable, Which};
use serde_json::Value;

/// What the plan's cost line needs besides the templates.
#[derive(Clone, Debug)]
pub struct CostContext {
    pub region: String,
    pub parameters: Vec<(String, String)>,
}

/// `cost (max, us-east-1, prices of 2026-11-30): $0.1020/h ($74.46/month) → ≥ $0.5780/h (≥ $421.92/month)`.
/// The maximum is shown: spot nodes have no expected figure without a dated discount. `deployed` is the
/// template the stack runs now (`None`: nothing deployed, nothing paid).
pub fn plan_cost_line(context: &CostContext, deployed: Option<&Value>, proposed: &Value) -> String {
    let table = PriceTable::embedded();
    let figure = |template: &Value, parameters: &[(String, String)]| {
        Estimate::of_template(template, parameters, &context.region, table).map(|e| {
            (
                kumo_cost::total_line(&e.hourly, &e.monthly, Which::Max),
                e.items.iter().filter(|i| i.hourly_max.is_none()).count(),
            )
        })
    };
    let now = match deployed {
        None => Ok(("$0.0000/h ($0.00/month)".to_owned(), 0)),
        // The deployed stack's parameter values are not known here: its template's defaults apply.
        Some(template) => figure(template, &[]),
    };
    let new = figure(proposed, &context.parameters);
    match (now, new) {
        (Ok((now, unknown_now)), Ok((new, unknown_new))) => {
            let caveat = if unknown_now + unknown_new > 0 {
                " (≥: parts without a price left out)"
            } else {
                ""
            };
            format!(
                "cost (max, {}, prices of {}): {now} → {new}{caveat}; `kumo cost` lists the parts",
                context.region, table.date
            )
        }
        (Err(e), _) | (_, Err(e)) => format!("cost: not estimated ({e})"),
    }
}

/// The maximum cost of a deployed stack's template, for a cost column (`≥ $0.5780/h (≥ $421.92/month)`),
/// or why there is none. For `kumo list` and the destroy plan once they exist.
#[allow(dead_code)]
pub fn stack_cost_column(template: &Value, region: &str) -> String {
    match Estimate::of_template(template, &[], region, PriceTable::embedded()) {
        Ok(e) => kumo_cost::total_line(&e.hourly, &e.monthly, Which::Max),
        Err(e) => format!("unknown ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kumo_blueprint::{Config, build};

    fn context() -> CostContext {
        CostContext {
            region: "us-east-1".to_owned(),
            parameters: Vec::new(),
        }
    }

    #[test]
    fn switching_to_the_cheap_profile_shows_the_saving() {
        let standard = build(&Config::default()).synth().unwrap().to_value();
        let cheap = build(&Config::cheap()).synth().unwrap().to_value();
        let line = plan_cost_line(&context(), Some(&standard), &cheap);
        assert_eq!(
            line,
            format!(
                "cost (max, us-east-1, prices of 2026-11-30): {} → {} (≥: parts without a price left out); `kumo cost` \
                 lists the parts",
                stack_cost_column(&standard, "us-east-1"),
                stack_cost_column(&cheap, "us-east-1")
            )
        );
        assert!(
            line.contains("≥ $0.5780/h (≥ $421.92/month) → ≥ $0.2886/h (≥ $210.66/month)"),
            "{line}"
        );
    }

    #[test]
    fn a_new_stack_costs_nothing_now() {
        let template = serde_json::json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}});
        assert_eq!(
            plan_cost_line(&context(), None, &template),
            "cost (max, us-east-1, prices of 2026-11-30): $0.0000/h ($0.00/month) → $0.0014/h ($1.00/month); \
             `kumo cost` lists the parts"
        );
    }
}
