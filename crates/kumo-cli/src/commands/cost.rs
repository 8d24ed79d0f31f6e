//! `kumo cost`: what the project's stack (or any template) costs per hour and per month, offline from
//! the committed price table, or from the AWS Price List with `--live`.

use std::process::ExitCode;

use aws_config::Region;
use aws_config::meta::region::ProvideRegion;
use kumo_blueprint::{Config, Profile};
use kumo_cost::{Estimate, PriceTable, Which};
use kumo_deploy::TemplateDoc;
use kumo_deploy::params::parse_pairs;

use crate::aws_env;
use crate::cli::CostArgs;
use crate::error::CliError;
use crate::output::{errln, out, outln};
use crate::project::{self, ProjectOptions};
use crate::render_error::deploy_error;

/// Used when nothing names a region: the estimate must not need any AWS setup.
const FALLBACK_REGION: &str = "us-east-1";

pub fn run(config: &ProjectOptions, args: &CostArgs) -> Result<ExitCode, CliError> {
    let parameters = parse_pairs("--parameter", &args.parameters).map_err(deploy_error)?;
    // What is priced: a template file (the project is not read), or the project synthesized.
    let (title, template, project_region, cheap) = match &args.template {
        Some(path) => {
            let doc = TemplateDoc::from_file(path).map_err(|e| deploy_error(e.into()))?;
            (path.display().to_string(), doc.value().clone(), None, None)
        }
        None if project::project(config)? != project::Project::Blueprint => {
            return app_cost(config, args, &parameters);
        }
        None => {
            let source = project::config_source(config.config.as_deref())?;
            let loaded = project::with_env(project::load_config_from(&source)?, config.env.as_deref())?;
            let template = synthesize(&loaded)?;
            let cheap = (loaded.profile == Profile::Standard).then(|| cheap_variant(&source));
            // The environment's stack is `<name>-<env>`, as deploy names it.
            let stack_name =
                kumo_blueprint::environment::Names::new(loaded.stack.env.as_deref()).regional(&loaded.stack.name);
            (stack_name, template, loaded.stack.region.clone(), cheap)
        }
    };
    let region = match args.aws.region.clone().or(project_region) {
        Some(region) => region,
        None => region_from_environment(args.aws.profile.as_deref())?,
    };
    kumo_cost::check_region(&region)
        .map_err(|e| CliError::new(format!("--region: {e}")).hint("pass --region REGION, e.g. --region us-east-1"))?;

    let live_table;
    let table = if args.live {
        live_table = live_prices(args, &template, &parameters, &region)?;
        &live_table
    } else {
        PriceTable::embedded()
    };
    let estimate = Estimate::of_template(&template, &parameters, &region, table).map_err(cost_error)?;
    for warning in &estimate.warnings {
        errln!("warning: {warning}");
    }
    let cheap = match cheap {
        Some(Ok(cheap_template)) => Some(
            Estimate::of_template(&cheap_template, &parameters, &region, table)
                .map_err(cost_error)
                .map_err(|e| e.message),
        ),
        Some(Err(problem)) => Some(Err(problem)),
        None => None,
    };

    if args.json {
        let mut value = serde_json::to_value(&estimate).expect("an estimate serializes");
        if let Some(cheap) = &cheap {
            value["cheap_profile"] = match cheap {
                Ok(c) => serde_json::json!({"hourly": c.hourly, "monthly": c.monthly}),
                Err(problem) => serde_json::json!({"error": problem}),
            };
        }
        outln!(
            "{}",
            serde_json::to_string_pretty(&value).expect("an estimate serializes")
        );
    } else {
        out!("{}", kumo_cost::render(&estimate, &title));
        if let Some(cheap) = &cheap {
            outln!();
            outln!("{}", cheap_line(&estimate, cheap));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A user's app: each stack priced on its own (their logical ids may repeat), text one after the other or
/// a JSON array.
fn app_cost(config: &ProjectOptions, args: &CostArgs, parameters: &[(String, String)]) -> Result<ExitCode, CliError> {
    let app = crate::app_target::resolve(config, None, std::path::Path::new(crate::app_target::APP_OUT_DIR))?;
    let region = match args.aws.region.clone().or(app.region.clone()) {
        Some(region) => region,
        None => region_from_environment(args.aws.profile.as_deref())?,
    };
    kumo_cost::check_region(&region)
        .map_err(|e| CliError::new(format!("--region: {e}")).hint("pass --region REGION, e.g. --region us-east-1"))?;
    let mut json = Vec::new();
    for (i, stack) in app.stacks.iter().enumerate() {
        let template = stack.template.value();
        let live_table;
        let table = if args.live {
            live_table = live_prices(args, template, parameters, &region)?;
            &live_table
        } else {
            PriceTable::embedded()
        };
        let estimate = Estimate::of_template(template, parameters, &region, table).map_err(cost_error)?;
        for warning in &estimate.warnings {
            errln!("warning: {}: {warning}", stack.stack_name);
        }
        if args.json {
            let mut value = serde_json::to_value(&estimate).unwrap_or_default();
            value["stack"] = stack.stack_name.clone().into();
            json.push(value);
        } else {
            if i > 0 {
                outln!();
            }
            out!("{}", kumo_cost::render(&estimate, &stack.stack_name));
        }
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
    }
    Ok(ExitCode::SUCCESS)
}

/// The project's stacks as one template to price: the main stack's resources and the DNS stack's zone.
fn synthesize(config: &Config) -> Result<serde_json::Value, CliError> {
    kumo_blueprint::synth_environment(config).map_err(|e| CliError::new(e.to_string()))
}

/// The same configuration with `profile = "cheap"`: the file as written (its explicit values still
/// win), or the built-in cheap profile when there is no file. `Err`: why it would not load.
fn cheap_variant(source: &project::ConfigSource) -> Result<serde_json::Value, String> {
    let config = match &source.file {
        None => Config::cheap(),
        Some(_) => {
            let mut table: toml::Table = toml::from_str(&source.text).map_err(|e| e.to_string())?;
            table.insert(
                "profile".to_owned(),
                toml::Value::String(Profile::Cheap.as_str().to_owned()),
            );
            let text = toml::to_string(&table).map_err(|e| e.to_string())?;
            Config::from_toml(&text, &source.origin)
                .map(|loaded| loaded.config)
                .map_err(|e| e.to_string())?
        }
    };
    synthesize(&config).map_err(|e| e.message)
}

/// One line: what `profile = "cheap"` would cost, next to this configuration. Totals with unknown parts
/// are lower bounds over different parts, so the line says when they cannot be compared.
fn cheap_line(current: &Estimate, cheap: &Result<Estimate, String>) -> String {
    match cheap {
        Ok(c) => {
            let mut line = format!(
                "with profile = \"cheap\" (one line in kumo.toml): max {} instead of {}",
                kumo_cost::total_line(&c.hourly, &c.monthly, Which::Max),
                kumo_cost::total_line(&current.hourly, &current.monthly, Which::Max),
            );
            let (here, there) = (unpriced_kinds(current), unpriced_kinds(c));
            if here == there && !here.is_empty() {
                line.push_str(&format!(" (both without {})", join(&here)));
            } else if here != there {
                line.push_str(&format!(
                    " — not comparable as they stand: without a price here: {}; with the cheap profile: {}",
                    join(&here),
                    join(&there)
                ));
            }
            line
        }
        Err(problem) => format!("with profile = \"cheap\" this kumo.toml would not load: {problem}"),
    }
}

/// The kinds of parts whose maximum is unknown (`EKS node root volumes`, `Aurora DB instance`).
fn unpriced_kinds(estimate: &Estimate) -> std::collections::BTreeSet<String> {
    estimate
        .items
        .iter()
        .filter(|i| i.hourly_max.is_none())
        .map(|i| i.part.split([',', '(']).next().unwrap_or_default().trim().to_owned())
        .collect()
}

fn join(kinds: &std::collections::BTreeSet<String>) -> String {
    if kinds.is_empty() {
        "none".to_owned()
    } else {
        kinds.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's region in `~/.aws/config`, then us-east-1
/// (with a note): pricing never needs credentials, so a missing region is not an error.
fn region_from_environment(profile: Option<&str>) -> Result<String, CliError> {
    for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Ok(region) = std::env::var(variable)
            && !region.is_empty()
        {
            return Ok(region);
        }
    }
    let mut provider = aws_config::profile::ProfileFileRegionProvider::builder();
    if let Some(name) = profile.map(str::to_owned).or_else(|| std::env::var("AWS_PROFILE").ok()) {
        provider = provider.profile_name(name);
    }
    let provider = provider.build();
    let from_profile = aws_env::runtime()?.block_on(async { provider.region().await });
    Ok(match from_profile {
        Some(region) => region.to_string(),
        None => {
            errln!(
                "note: no region set (--region, [stack] region in kumo.toml, AWS_REGION or the profile's region): \
                 pricing {FALLBACK_REGION}"
            );
            FALLBACK_REGION.to_owned()
        }
    })
}

/// `--live`: the exact prices the template needs, from the AWS Price List (us-east-1 endpoint).
fn live_prices(
    args: &CostArgs,
    template: &serde_json::Value,
    parameters: &[(String, String)],
    region: &str,
) -> Result<PriceTable, CliError> {
    let skus = kumo_cost::required_skus(template, parameters, region).map_err(cost_error)?;
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, Some(region)).await?;
        let pricing_config = aws_sdk_pricing::config::Builder::from(&session.config)
            .region(Region::new(kumo_cost::live::PRICING_API_REGION))
            .interceptor(aws_env::RunControl::new(&session))
            .build();
        let client = aws_sdk_pricing::Client::from_conf(pricing_config);
        let (table, errors) = kumo_cost::live::fetch(&client, region, &skus, &kumo_cost::live::today()).await;
        if errors.is_empty() {
            return Ok(table);
        }
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Err(CliError::new(format!(
            "the AWS Price List did not give exactly one price for {} of {} look-ups:\n  {}",
            errors.len(),
            skus.len(),
            list.join("\n  ")
        ))
        .hint("without --live, kumo uses its committed price table (unknown prices are shown as unknown)"))
    })
}

fn cost_error(error: kumo_cost::CostError) -> CliError {
    match error {
        kumo_cost::CostError::BadRegion(_) => {
            CliError::new(format!("--region: {error}")).hint("pass --region REGION, e.g. --region us-east-1")
        }
        kumo_cost::CostError::NotATemplate(_) => CliError::new(error.to_string())
            .hint("pass a CloudFormation template (JSON, or YAML with !Ref-style tags) with --template"),
    }
}
