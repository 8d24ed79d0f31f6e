//! The project the CLI works on: the blueprint configured by `kumo.toml` (or its embedded default),
//! synthesized into a template, and written to the output directory with a manifest.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use kumo_blueprint::{Config, DeploySettings};
use kumo_core::Template;

use crate::cli::TemplateFormat;
use crate::error::CliError;
use crate::output::errln;

/// The conventional config file name, used when `--config` is not given and the file exists.
pub const DEFAULT_CONFIG_FILE: &str = "kumo.toml";

/// A synthesized stack, ready to be written or deployed.
pub struct Synthesized {
    pub stack_name: String,
    pub template: Template,
    /// The minified JSON body: what is sent to CloudFormation and hashed in the manifest.
    pub minified: String,
    pub minified_bytes: usize,
    pub resource_count: usize,
    pub output_count: usize,
    /// Stack-level settings from the configuration (region, tags, termination protection, ...).
    pub deploy: DeploySettings,
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

/// Reads the configuration (see [`config_source`]). Warnings go to stderr.
pub fn load_config(explicit: Option<&Path>) -> Result<Config, CliError> {
    load_config_from(&config_source(explicit)?)
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

/// Loads the configuration and synthesizes the blueprint stack.
pub fn synthesize(config_path: Option<&Path>) -> Result<Synthesized, CliError> {
    let config = load_config(config_path)?;
    let stack = kumo_blueprint::build(&config);
    let template = stack.synth().map_err(|e| {
        CliError::new(e.to_string()).hint(
            "the configuration passed its checks but the stack it builds does not validate: change the values \
             named above in kumo.toml, and please report it (kumo should have caught it in the configuration)",
        )
    })?;
    let minified = template.to_json_minified();
    Ok(Synthesized {
        stack_name: stack.name().to_owned(),
        minified_bytes: minified.len(),
        resource_count: template.resources.len(),
        output_count: template.outputs.len(),
        minified,
        template,
        deploy: config.deploy_settings(),
    })
}

/// Writes the template and `manifest.json` into `out` (created if missing; its parent must exist).
/// Returns the template's path.
pub fn write_out(s: &Synthesized, out: &Path, format: TemplateFormat) -> Result<PathBuf, CliError> {
    prepare_out_dir(out)?;
    let (extension, body) = match format {
        TemplateFormat::Json => ("json", s.template.to_json()),
        TemplateFormat::Yaml => ("yaml", s.template.to_yaml()),
    };
    let file_name = format!("{}.template.{extension}", s.stack_name);
    let template_path = out.join(&file_name);
    write_atomically(&template_path, body.as_bytes())?;
    let manifest = serde_json::json!({
        "version": 1,
        "kumo": env!("CARGO_PKG_VERSION"),
        "schemaDate": kumo_cfn::SCHEMA_DATE,
        "stacks": [{
            "stackName": s.stack_name,
            "templateFile": file_name,
            "format": extension,
            "templateSha256": kumo_core::template::sha256_hex(s.minified.as_bytes()),
            "resourceCount": s.resource_count,
            "outputCount": s.output_count,
            "minifiedBytes": s.minified_bytes,
        }]
    });
    let mut manifest_text = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
    manifest_text.push('\n');
    write_atomically(&out.join("manifest.json"), manifest_text.as_bytes())?;
    Ok(template_path)
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
