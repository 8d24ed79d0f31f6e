//! Stack outputs (`kumo outputs`), and the outputs file `deploy` writes: `<dir>/<Stack>.outputs.json`, shaped like
//! `cdk deploy --outputs-file` (`{"<Stack>": {"<Key>": "<Value>"}}`, keys sorted) so tools that read
//! CDK's file read kumo's.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::engine::Engine;
use crate::error::DeployError;
use crate::params;
use crate::stack::{StackInfo, StackOutput};
use crate::stack_state::StackState;

/// The outputs file's content.
pub fn outputs_json(stack: &str, outputs: &[StackOutput]) -> Value {
    let mut sorted: Vec<&StackOutput> = outputs.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let values: Map<String, Value> = sorted
        .into_iter()
        .map(|o| (o.key.clone(), Value::String(o.value.clone())))
        .collect();
    let mut root = Map::new();
    root.insert(stack.to_owned(), Value::Object(values));
    Value::Object(root)
}

pub fn outputs_file_name(stack: &str) -> String {
    format!("{stack}.outputs.json")
}

/// Writes `<dir>/<Stack>.outputs.json` through a temporary file and a rename, so readers never see a
/// half-written file. `dir` must exist.
pub fn write_outputs_file(dir: &Path, stack: &str, outputs: &[StackOutput]) -> std::io::Result<PathBuf> {
    let path = dir.join(outputs_file_name(stack));
    let temporary = dir.join(format!(".{}.tmp", outputs_file_name(stack)));
    let mut text = serde_json::to_string_pretty(&outputs_json(stack, outputs)).map_err(std::io::Error::other)?;
    text.push('\n');
    let result = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(text.as_bytes()).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, &path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map(|()| path)
}

/// The stack's outputs. `None`: no such stack.
pub async fn outputs(engine: &Engine, stack_name: &str) -> Result<Option<StackInfo>, DeployError> {
    params::check_stack_name(stack_name)?;
    Ok(engine
        .describe(stack_name)
        .await?
        .filter(|s| s.state() != StackState::Absent))
}
