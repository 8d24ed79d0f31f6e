//! The project the CLI works on: the blueprint configured by `kumo.toml` (or its embedded default),
//! synthesized into a template, and written to the output directory with a manifest.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use kumo_blueprint::{Config, DeploySettings};
use kumo_core::Template;
use kumo_core::app::ParameterSource;
use kumo_core::security::Report;

use crate::cli::TemplateFormat;
use crate::error::CliError;
use crate::output::errln;

/// The conventional config file name, used when `--config` is not given and the file exists.
pub const DEFAULT_CONFIG_FILE: &str = "kumo.toml";

/// What the project is: `--config` and `--env` (global flags).
#[derive(Clone, Debug, Default)]
pub struct ProjectOptions {
    pub config: Option<PathBuf>,
    pub env: Option<String>,
}

/// A synthesized stack, ready to be written or deployed.
pub struct Synthesized {
    pub stack_name: String,
    /// Stacks deployed before this one (and destroyed after it).
    pub depends_on: Vec<String>,
    /// Parameters filled at deploy time.
    pub parameters: BTreeMap<String, ParameterSource>,
    /// This stack's tags (the configuration's, plus `kumo:env` / `kumo:kept-for`).
    pub tags: BTreeMap<String, String>,
    /// `kumo destroy` keeps it unless `--include-dns`.
    pub keep_on_destroy: bool,
    pub template: Template,
    /// The minified JSON body: what is sent to CloudFormation and hashed in the manifest.
    pub minified: String,
    pub minified_bytes: usize,
    pub resource_count: usize,
    pub output_count: usize,
    /// Stack-level settings from the configuration (region, tags, termination protection, ...).
    pub deploy: DeploySettings,
    /// The security rules' verdict on the template, waivers applied.
    pub security: Report,
}

/// The configuration's text and where it came from.
pub struct ConfigSource {
    pub text: String,
    /// The name messages use (`kumo.toml`, `built-in default configuration`).
    pub origin: String,
    /// The file read, `None` for the embedded default.
    pub file: Option<PathBuf>,
}

/// Finds the configuration: `--config FILE` if given (it must be readable), else `./kumo.toml` if it
/// exists, else the blueprint's embedded default.
pub fn config_source(explicit: Option<&Path>) -> Result<ConfigSource, CliError> {
    let file = match explicit {
        Some(path) => Some(path.to_owned()),
        // Anything at ./kumo.toml — a directory, a dangling link, an unreadable file — is the user's
        // configuration and must load, or be reported: never silently replaced by the defaults.
        None if fs::symlink_metadata(DEFAULT_CONFIG_FILE).is_ok() => Some(PathBuf::from(DEFAULT_CONFIG_FILE)),
        None => None,
    };
    Ok(match file {
        Some(path) => ConfigSource {
            text: read_config(&path)?,
            origin: path.display().to_string(),
            file: Some(path),
        },
        None => ConfigSource {
            text: kumo_blueprint::DEFAULT_CONFIG_TOML.to_owned(),
            origin: "built-in default configuration".to_owned(),
            file: None,
        },
    })
}

/// Reads the configuration (see [`config_source`]) and applies `--env`. Warnings go to stderr.
pub fn load_config(opts: &ProjectOptions) -> Result<Config, CliError> {
    let config = load_config_from(&config_source(opts.config.as_deref())?)?;
    with_env(config, opts.env.as_deref())
}

/// `--env NAME` over `[stack] env`, checked with the configuration's own rules (the environment's
/// names must fit their resources' limits).
pub fn with_env(mut config: Config, env: Option<&str>) -> Result<Config, CliError> {
    let Some(env) = env else {
        return Ok(config);
    };
    kumo_core::names::environment(env).map_err(|reason| {
        CliError::new(format!("--env {env:?}: {reason}"))
            .hint(format!("allowed: {}", kumo_core::names::ENVIRONMENT_RULE))
    })?;
    config.stack.env = Some(env.to_owned());
    config.validate().map_err(|e| {
        CliError::new(format!("--env {env:?}: {e}")).hint("choose a shorter environment name with --env")
    })?;
    Ok(config)
}

/// Loads and checks a configuration's text. Warnings go to stderr.
pub fn load_config_from(source: &ConfigSource) -> Result<Config, CliError> {
    let loaded = Config::from_toml(&source.text, &source.origin).map_err(|e| {
        CliError::new(e.to_string()).hint("`kumo init` writes a commented kumo.toml with every key and its default")
    })?;
    for warning in &loaded.warnings {
        errln!("warning: {warning}");
    }
    Ok(loaded.config)
}

fn read_config(path: &Path) -> Result<String, CliError> {
    let hint = "pass an existing file with --config, or omit --config to use ./kumo.toml or the built-in defaults";
    let shown = path.display();
    if path.is_dir() {
        return Err(CliError::new(format!("config {shown} is a directory, not a file")).hint(hint));
    }
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) && !path.exists() {
        let target = fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        return Err(CliError::new(format!("config {shown} is a link to {target}, which does not exist")).hint(hint));
    }
    let bytes = fs::read(path).map_err(|e| CliError::new(format!("cannot read config {shown}: {e}")).hint(hint))?;
    kumo_core::text::decode_utf8(&bytes)
        .map(str::to_owned)
        .map_err(|problem| {
            CliError::new(format!("config {shown} {problem}")).hint("kumo.toml files are UTF-8 (TOML requires it)")
        })
}

/// Loads the configuration and synthesizes the blueprint's main stack (the last of [`synthesize_app`]).
pub fn synthesize(opts: &ProjectOptions) -> Result<Synthesized, CliError> {
    let mut stacks = synthesize_app(opts)?;
    stacks.pop().ok_or_else(|| CliError::new("the project has no stack"))
}

/// Loads the configuration and synthesizes every stack of the blueprint, in deploy order (the DNS
/// stack, then the main stack).
pub fn synthesize_app(opts: &ProjectOptions) -> Result<Vec<Synthesized>, CliError> {
    let config = load_config(opts)?;
    let deploy = config.deploy_settings();
    let app = kumo_blueprint::build_app(&config);
    let mut stacks = Vec::with_capacity(app.stacks.len());
    for part in app.stacks {
        let template = part.stack.synth().map_err(|e| {
            CliError::new(e.to_string()).hint(
                "the configuration passed its checks but the stack it builds does not validate: change the values \
                 named above in kumo.toml, and please report it (kumo should have caught it in the configuration)",
            )
        })?;
        let minified = template.to_json_minified();
        let security = template.security_report();
        stacks.push(Synthesized {
            security,
            stack_name: part.stack.name().to_owned(),
            depends_on: part.depends_on,
            parameters: part.parameters,
            tags: part.tags,
            keep_on_destroy: part.keep_on_destroy,
            minified_bytes: minified.len(),
            resource_count: template.resources.len(),
            output_count: template.outputs.len(),
            minified,
            template,
            deploy: DeploySettings {
                termination_protection: part.termination_protection,
                ..deploy.clone()
            },
        });
    }
    Ok(stacks)
}

/// Writes every stack's template and `manifest.json` (version 2: the stacks in deploy order with their
/// dependencies, parameters, tags, termination protection and whether destroy keeps them) into `out`
/// (created if missing; its parent must exist). Returns the templates' paths.
pub fn write_app(stacks: &[Synthesized], out: &Path, format: TemplateFormat) -> Result<Vec<PathBuf>, CliError> {
    prepare_out_dir(out)?;
    let mut paths = Vec::new();
    let mut entries = Vec::new();
    for s in stacks {
        let (extension, body) = match format {
            TemplateFormat::Json => ("json", s.template.to_json()),
            TemplateFormat::Yaml => ("yaml", s.template.to_yaml()),
        };
        let file_name = format!("{}.template.{extension}", s.stack_name);
        let template_path = out.join(&file_name);
        write_atomically(&template_path, body.as_bytes())?;
        paths.push(template_path);
        entries.push(serde_json::json!({
            "stackName": s.stack_name,
            "templateFile": file_name,
            "format": extension,
            "templateSha256": kumo_core::template::sha256_hex(s.minified.as_bytes()),
            "resourceCount": s.resource_count,
            "outputCount": s.output_count,
            "minifiedBytes": s.minified_bytes,
            "region": s.deploy.region,
            "dependsOn": s.depends_on,
            "parameters": s.parameters,
            "tags": s.tags,
            "terminationProtection": s.deploy.termination_protection,
            "keepOnDestroy": s.keep_on_destroy,
            "security": crate::render_security::manifest_entry(&s.security),
        }));
    }
    let manifest = serde_json::json!({
        "version": kumo_core::app::MANIFEST_VERSION,
        "kumo": env!("CARGO_PKG_VERSION"),
        "schemaDate": kumo_cfn::SCHEMA_DATE,
        "stacks": entries,
    });
    let mut manifest_text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    manifest_text.push('\n');
    write_atomically(&out.join("manifest.json"), manifest_text.as_bytes())?;
    Ok(paths)
}

/// Creates `out` if needed. A missing parent is an error rather than a silent `mkdir -p`, so a typo in
/// `--out` does not scatter directories.
pub fn prepare_out_dir(out: &Path) -> Result<(), CliError> {
    if out.is_dir() {
        return check_writable(out);
    }
    if out.exists() {
        return Err(
            CliError::new(format!("--out {}: exists and is not a directory", out.display()))
                .hint("choose a directory path for --out"),
        );
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(CliError::new(format!(
            "--out {}: parent directory {} does not exist",
            out.display(),
            parent.display()
        ))
        .hint("create the parent directory first, or choose another --out"));
    }
    fs::create_dir(out).map_err(|e| {
        CliError::new(format!("--out {}: cannot create directory: {e}", out.display()))
            .hint("choose a directory you can write with --out")
    })?;
    check_writable(out)
}

/// Proves `dir` takes a file, so a deploy does not find out only after the stack changed that its
/// outputs file cannot be written.
fn check_writable(dir: &Path) -> Result<(), CliError> {
    let probe = dir.join(format!(".kumo-write-check-{}", std::process::id()));
    fs::File::create(&probe)
        .and_then(|_| fs::remove_file(&probe))
        .map_err(|e| {
            CliError::new(format!("--out {}: cannot write files there: {e}", dir.display()))
                .hint("choose a writable directory with --out; nothing was sent to AWS")
        })
}

/// Writes through a temporary file and a rename, so an interrupted run never leaves a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let temporary = path.with_extension("tmp");
    let result = fs::File::create(&temporary)
        // No fsync: these files are regenerated by the next run (`kumo synth`, `kumo outputs`), so the
        // rename's atomicity (never a half-written file) is what matters, and an fsync per file would
        // cost `kumo synth` a third of its 10 ms budget.
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::rename(&temporary, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&temporary);
        CliError::new(format!("cannot write {}: {e}", path.display()))
            .hint("check the directory's permissions and free space, or choose another path")
    })
}
