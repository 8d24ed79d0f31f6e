//! Re-pins `schemas/` from the cfn-lint package of a Python venv.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The region whose schema set kumo generates from (the largest; cfn-lint's default).
const REGION_FILE: &str = "us-east-1.json";

/// Asks cfn-lint itself which attributes `Fn::GetAtt` accepts per type: its rules add properties to the
/// schemas' read-only list for some types, and kumo's synth-time check must agree with it.
const GETATTS_SCRIPT: &str = r#"
import json, sys
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
types = json.load(open(sys.argv[1]))
out = {}
for t in sorted(types):
    s = m.get_resource_schema("us-east-1", t)
    out[t] = {name: pointer for name, pointer in s.get_atts.items()}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
"#;

pub fn pin(root: &Path, venv: &Path) -> Result<String> {
    let python = venv.join("bin/python");
    if !python.is_file() {
        bail!(
            "{} not found; create the venv first (./scripts/test does)",
            python.display()
        );
    }
    let site = String::from_utf8(
        Command::new(&python)
            .args(["-c", "import cfnlint, os; print(os.path.dirname(cfnlint.__file__))"])
            .output()
            .context("running the venv's python")?
            .stdout,
    )?;
    let data = Path::new(site.trim()).join("data/schemas");
    let version = String::from_utf8(
        Command::new(&python)
            .args(["-c", "import cfnlint.version as v; print(v.__version__)"])
            .output()?
            .stdout,
    )?;
    let schema_date: Value = serde_json::from_str(&fs::read_to_string(data.join("version.json"))?)?;
    let schema_date = schema_date["schema_date"]
        .as_str()
        .context("version.json has schema_date")?;

    let providers: Value = serde_json::from_str(&fs::read_to_string(data.join("providers").join(REGION_FILE))?)?;
    let providers = providers.as_object().context("provider map is an object")?;
    let out = root.join("schemas/registry");
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    fs::create_dir_all(&out)?;
    for (type_name, hash) in providers {
        let hash = hash.as_str().context("hash is a string")?;
        let text = fs::read_to_string(data.join("resources").join(format!("{hash}.json")))
            .with_context(|| format!("schema of {type_name}"))?;
        fs::write(out.join(crate::codegen::schema_file_name(type_name)), text)?;
    }
    let types_file = root.join("target/xtask-types.json");
    fs::create_dir_all(root.join("target"))?;
    fs::write(
        &types_file,
        serde_json::to_string(&providers.keys().collect::<Vec<_>>())?,
    )?;
    let getatts = Command::new(&python)
        .args(["-c", GETATTS_SCRIPT])
        .arg(&types_file)
        .output()?;
    if !getatts.status.success() {
        bail!(
            "cfn-lint GetAtt dump failed: {}",
            String::from_utf8_lossy(&getatts.stderr)
        );
    }
    fs::write(root.join("schemas/getatts.json"), &getatts.stdout)?;
    let pin = serde_json::json!({
        "source": "cfn-lint",
        "cfnLintVersion": version.trim(),
        "schemaDate": schema_date,
        "region": "us-east-1",
        "types": providers.len(),
    });
    fs::write(
        root.join("schemas/pin.json"),
        serde_json::to_string_pretty(&pin)? + "\n",
    )?;
    Ok(format!(
        "pinned {} schemas from cfn-lint {} (schemas dated {schema_date})",
        providers.len(),
        version.trim()
    ))
}
