//! An app: several stacks deployed together, in order, some receiving values from others — the
//! cloud assembly's model. `kumo synth` writes it as `manifest.json` (version 2) beside the templates;
//! every other verb reads that contract, whoever made it (the built-in blueprint, a user's program).
//!
//! A stack receives another's value as a **parameter filled at deploy time** from that stack's resource
//! (`ParameterSource::ResourceRef`: the resource's physical id, which is its `Ref` for most types)
//! rather than through `Fn::ImportValue`: an export ties the two stacks together in CloudFormation
//! (the exporting stack cannot be changed or deleted while imported), while a kept stack such as the
//! blueprint's DNS zone must outlive the stacks that use it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Stack;

/// Version of the `manifest.json` format written by this crate. Version 1 (one stack, no dependencies)
/// is still read.
pub const MANIFEST_VERSION: u32 = 2;

/// Tag on every stack of an app with an environment: `kumo list` groups by it.
pub const ENV_TAG: &str = "kumo:env";
/// Tag on a stack kept on destroy, naming the stack it serves (`kumo list`: "DNS zone kept").
pub const KEPT_FOR_TAG: &str = "kumo:kept-for";
/// Tag on a time-to-live's reaper stack (`<stack>-ttl`), naming the stack it removes (`kumo list`
/// shows its expiry on that stack's line, not a line of its own).
pub const REAPER_FOR_TAG: &str = "kumo:ttl-for";

/// Where a parameter's value comes from at deploy time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParameterSource {
    /// The physical id of a resource of a stack deployed before this one.
    ResourceRef {
        #[serde(rename = "fromStack")]
        stack: String,
        #[serde(rename = "resource")]
        logical_id: String,
    },
    /// A literal value.
    Value(String),
}

/// One stack of an app and how it is deployed.
#[derive(Debug)]
pub struct AppStack {
    pub stack: Stack,
    /// Stacks (by name) deployed before this one and destroyed after it.
    pub depends_on: Vec<String>,
    pub parameters: BTreeMap<String, ParameterSource>,
    /// Stack tags (CloudFormation propagates them to the resources that support tags).
    pub tags: BTreeMap<String, String>,
    pub termination_protection: bool,
    /// `kumo destroy` keeps this stack unless asked (`--include-dns`): what must survive a rebuild.
    pub keep_on_destroy: bool,
}

impl AppStack {
    pub fn new(stack: Stack) -> AppStack {
        AppStack {
            stack,
            depends_on: Vec::new(),
            parameters: BTreeMap::new(),
            tags: BTreeMap::new(),
            termination_protection: false,
            keep_on_destroy: false,
        }
    }
}

/// Stacks in deploy order: each after the stacks it depends on.
#[derive(Debug, Default)]
pub struct App {
    pub stacks: Vec<AppStack>,
}

impl App {
    /// The stack the app is named after: the last one deployed (the one the others serve).
    pub fn main(&self) -> Option<&AppStack> {
        self.stacks.last()
    }
}

/// Orders stacks so each comes after its dependencies; `Err` names a dependency that is not in the list
/// or a cycle.
pub fn deploy_order<'a>(stacks: &[(&'a str, Vec<&'a str>)]) -> Result<Vec<&'a str>, String> {
    let mut done: Vec<&str> = Vec::new();
    while done.len() < stacks.len() {
        let before = done.len();
        for (name, deps) in stacks {
            if done.contains(name) {
                continue;
            }
            if let Some(missing) = deps.iter().find(|d| !stacks.iter().any(|(n, _)| n == *d)) {
                return Err(format!("stack {name} depends on {missing}, which is not in the app"));
            }
            if deps.iter().all(|d| done.contains(d)) {
                done.push(name);
            }
        }
        if done.len() == before {
            let stuck: Vec<&str> = stacks.iter().map(|(n, _)| *n).filter(|n| !done.contains(n)).collect();
            return Err(format!("the dependencies of {} form a cycle", stuck.join(", ")));
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_come_first_and_cycles_are_named() {
        let order = deploy_order(&[("main", vec!["dns"]), ("dns", vec![])]).unwrap();
        assert_eq!(order, ["dns", "main"]);
        let cycle = deploy_order(&[("a", vec!["b"]), ("b", vec!["a"])]).unwrap_err();
        assert_eq!(cycle, "the dependencies of a, b form a cycle");
        let missing = deploy_order(&[("a", vec!["x"])]).unwrap_err();
        assert_eq!(missing, "stack a depends on x, which is not in the app");
    }

    #[test]
    fn parameter_sources_read_and_write_as_the_manifest_spells_them() {
        let by_ref: ParameterSource = serde_json::from_str(r#"{"fromStack":"S-dns","resource":"Zone"}"#).unwrap();
        assert_eq!(
            by_ref,
            ParameterSource::ResourceRef {
                stack: "S-dns".into(),
                logical_id: "Zone".into()
            }
        );
        let value: ParameterSource = serde_json::from_str(r#""x""#).unwrap();
        assert_eq!(value, ParameterSource::Value("x".into()));
    }
}
