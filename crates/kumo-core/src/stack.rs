//! The stack builder: add resources through [`Scope`]s, get typed [`Handle`]s back, then [`Stack::synth`].

use std::borrow::Cow;

use indexmap::IndexMap;

use crate::expr::Expr;
use crate::fns::{Condition, ConditionExpr};
use crate::logical_id;
use crate::resource::{Handle, LogicalId, Props, Resource};
use crate::security::{self, Rule, Waiver};
use crate::spec::ResourceSpec;
use crate::template::{DeletionPolicy, FORMAT_VERSION, Output, Parameter, Template, TemplateResource};
use crate::validate::{self, Diagnostic, DiagnosticKind, SynthError};
use crate::value::{Str, Typed};

/// A CloudFormation stack under construction.
///
/// ```
/// use kumo_core::{Stack, RawResource, Output};
///
/// let mut stack = Stack::new("Demo");
/// let bucket = stack.add("Logs", RawResource::new("AWS::Logs::LogGroup").set("RetentionInDays", 7));
/// stack.add_output("LogGroupName", Output::new(bucket.reference()));
/// let template = stack.synth().unwrap();
/// assert!(template.to_json().contains("\"Type\": \"AWS::Logs::LogGroup\""));
/// ```
#[derive(Debug, Default)]
pub struct Stack {
    name: String,
    /// Process-unique id written into the expressions of this stack's handles, so a handle used in another
    /// stack is recognised (0 for `Stack::default()`: unmarked). Never part of a template.
    pub(crate) uid: u64,
    description: Option<String>,
    metadata: Option<Expr>,
    parameters: IndexMap<String, Parameter>,
    mappings: IndexMap<String, IndexMap<String, IndexMap<String, Expr>>>,
    conditions: IndexMap<String, Expr>,
    resources: IndexMap<LogicalId, Entry>,
    outputs: IndexMap<String, Output>,
    tags: Vec<ScopedTag>,
    /// Problems found while building (duplicate ids, bad names), reported by `synth`.
    build_errors: Vec<Diagnostic>,
}

/// A resource as recorded in the stack.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) type_name: Cow<'static, str>,
    pub(crate) props: Props,
    pub(crate) spec: Option<&'static ResourceSpec>,
    pub(crate) options: ResourceOptions,
    pub(crate) path: Vec<String>,
}

#[derive(Clone, Debug)]
struct ScopedTag {
    /// Applies to resources whose construct path starts with this prefix.
    prefix: Vec<String>,
    key: String,
    value: String,
}

/// Resource attributes besides `Properties`: `DependsOn`, `Condition`, `DeletionPolicy`,
/// `UpdateReplacePolicy`, `Metadata`, and tags for this one resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceOptions {
    pub depends_on: Vec<LogicalId>,
    pub condition: Option<Condition>,
    pub deletion_policy: Option<DeletionPolicy>,
    pub update_replace_policy: Option<DeletionPolicy>,
    pub metadata: Option<Expr>,
    pub tags: Vec<(String, String)>,
    /// Security rules deliberately not met by this resource, each with its reason
    /// ([`ResourceOptions::waive`]).
    pub waivers: Vec<Waiver>,
}

impl ResourceOptions {
    pub fn new() -> Self {
        Self::default()
    }
    /// Explicit `DependsOn`. Only needed where no reference exists: references already order creation.
    pub fn depends_on<R: Resource>(mut self, other: &Handle<R>) -> Self {
        self.depends_on.push(other.logical_id().clone());
        self
    }
    /// Creates the resource only when `condition` is true.
    pub fn condition(mut self, condition: &Condition) -> Self {
        self.condition = Some(condition.clone());
        self
    }
    pub fn deletion_policy(mut self, policy: DeletionPolicy) -> Self {
        self.deletion_policy = Some(policy);
        self
    }
    pub fn update_replace_policy(mut self, policy: DeletionPolicy) -> Self {
        self.update_replace_policy = Some(policy);
        self
    }
    /// Sets both `DeletionPolicy` and `UpdateReplacePolicy` (what cfn-lint asks for data-holding types).
    pub fn removal_policy(self, policy: DeletionPolicy) -> Self {
        self.deletion_policy(policy).update_replace_policy(policy)
    }
    pub fn metadata(mut self, metadata: impl Into<Expr>) -> Self {
        self.metadata = Some(metadata.into());
        self
    }
    /// A tag on this resource only (if its type is taggable).
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }
    /// Waives security `rule` for this resource, saying why: the finding is then reported as waived with
    /// the reason, in the template's metadata and in `kumo synth`'s manifest. The reason is mandatory: an
    /// empty one fails `synth`.
    pub fn waive(mut self, rule: Rule, reason: impl Into<String>) -> Self {
        self.waivers.push(Waiver {
            rule,
            reason: reason.into(),
        });
        self
    }
}

/// A handle to a template parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParameterRef(String);

impl ParameterRef {
    pub fn name(&self) -> &str {
        &self.0
    }
    /// `{"Ref": parameter}` as a string.
    pub fn value(&self) -> Str {
        Str::from_expr(Expr::Ref(self.0.clone()))
    }
    /// `{"Ref": parameter}` typed as `T` (for `Number` or list parameters).
    pub fn value_as<T: Typed>(&self) -> T {
        T::from_expr(Expr::Ref(self.0.clone()))
    }
}

/// A handle to a mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingRef(String);

impl MappingRef {
    pub fn name(&self) -> &str {
        &self.0
    }
    /// `Fn::FindInMap` in this mapping.
    pub fn find<T: Typed>(&self, top_key: impl Into<Str>, second_key: impl Into<Str>) -> T {
        crate::fns::find_in_map(self.0.clone(), top_key, second_key)
    }
}

impl Stack {
    /// A new, empty stack. `name` is the CloudFormation stack name used at deploy time.
    pub fn new(name: impl Into<String>) -> Self {
        static NEXT_UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Stack {
            name: name.into(),
            uid: NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            ..Default::default()
        }
    }

    /// Calls `replace` on every `Ref` / `Fn::GetAtt` in the stack's resources, outputs, conditions and
    /// metadata (see [`Expr::rewrite_references`]).
    pub(crate) fn rewrite_references(&mut self, replace: &mut dyn FnMut(&str, Option<&str>) -> Option<Expr>) {
        for entry in self.resources.values_mut() {
            entry.props.values_mut().for_each(|e| e.rewrite_references(replace));
            if let Some(metadata) = &mut entry.options.metadata {
                metadata.rewrite_references(replace);
            }
        }
        for output in self.outputs.values_mut() {
            output.value.rewrite_references(replace);
        }
        self.conditions.values_mut().for_each(|e| e.rewrite_references(replace));
        if let Some(metadata) = &mut self.metadata {
            metadata.rewrite_references(replace);
        }
    }

    /// Whether an output of this name exists.
    pub(crate) fn has_output(&self, name: &str) -> bool {
        self.outputs.contains_key(name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn set_description(&mut self, description: impl Into<String>) {
        self.description = Some(description.into());
    }

    /// Template-level `Metadata`. kumo writes none unless asked.
    pub fn set_metadata(&mut self, metadata: impl Into<Expr>) {
        self.metadata = Some(metadata.into());
    }

    /// The root scope: resources added here get their id as their logical id.
    pub fn root(&mut self) -> Scope<'_> {
        Scope {
            stack: self,
            path: Vec::new(),
        }
    }

    /// A child scope of the root, e.g. one per blueprint module.
    pub fn scope(&mut self, id: impl Into<String>) -> Scope<'_> {
        Scope {
            stack: self,
            path: vec![id.into()],
        }
    }

    /// Adds a resource at the root (see [`Scope::add`]).
    pub fn add<R: Resource>(&mut self, id: impl Into<String>, resource: R) -> Handle<R> {
        self.root().add(id, resource)
    }

    /// Adds a resource at the root with options (see [`Scope::add_with`]).
    pub fn add_with<R: Resource>(&mut self, id: impl Into<String>, resource: R, options: ResourceOptions) -> Handle<R> {
        self.root().add_with(id, resource, options)
    }

    /// A tag on every taggable resource of the stack (resource and scope tags override it).
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.tags.push(ScopedTag {
            prefix: Vec::new(),
            key: key.into(),
            value: value.into(),
        });
    }

    /// The stack-wide tags, in the order they were added (for stack-level tags at deploy time).
    pub fn tags(&self) -> Vec<(String, String)> {
        self.tags
            .iter()
            .filter(|t| t.prefix.is_empty())
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect()
    }

    pub fn add_parameter(&mut self, name: impl Into<String>, parameter: Parameter) -> ParameterRef {
        let name = name.into();
        if self.parameters.insert(name.clone(), parameter).is_some() {
            self.build_errors.push(Diagnostic::new(
                DiagnosticKind::DuplicateLogicalId,
                Some(&name),
                None,
                "a parameter with this name was already added",
            ));
        }
        ParameterRef(name)
    }

    pub fn add_mapping<K1, K2, V>(
        &mut self,
        name: impl Into<String>,
        entries: impl IntoIterator<Item = (K1, Vec<(K2, V)>)>,
    ) -> MappingRef
    where
        K1: Into<String>,
        K2: Into<String>,
        V: Into<Expr>,
    {
        let name = name.into();
        let table = entries
            .into_iter()
            .map(|(k, row)| (k.into(), row.into_iter().map(|(k2, v)| (k2.into(), v.into())).collect()))
            .collect();
        self.mappings.insert(name.clone(), table);
        MappingRef(name)
    }

    /// Declares a named condition.
    pub fn add_condition(&mut self, name: impl Into<String>, condition: ConditionExpr) -> Condition {
        let name = name.into();
        self.conditions.insert(name.clone(), condition.0);
        Condition(name)
    }

    pub fn add_output(&mut self, name: impl Into<String>, output: Output) {
        let name = name.into();
        if self.outputs.insert(name.clone(), output).is_some() {
            self.build_errors.push(Diagnostic::new(
                DiagnosticKind::DuplicateLogicalId,
                Some(&name),
                None,
                "an output with this name was already added",
            ));
        }
    }

    /// Number of resources added so far.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// The properties of a resource already in the stack: the escape hatch to adjust what an L2 construct
    /// generated (like the CDK's `addPropertyOverride`). `None` when the handle is not of this stack (it
    /// came from another one).
    pub fn props_mut<R: Resource>(&mut self, handle: &Handle<R>) -> Option<&mut Props> {
        self.resources
            .get_mut(handle.logical_id())
            .map(|entry| &mut entry.props)
    }

    /// The options of a resource already in the stack; `None` when the handle is not of this stack.
    pub fn options_mut<R: Resource>(&mut self, handle: &Handle<R>) -> Option<&mut ResourceOptions> {
        self.resources
            .get_mut(handle.logical_id())
            .map(|entry| &mut entry.options)
    }

    /// Waives security `rule` for a resource already in the stack (one an L2 construct made), saying why;
    /// see [`ResourceOptions::waive`]. A handle of another stack is reported by `synth`.
    pub fn waive<R: Resource>(&mut self, handle: &Handle<R>, rule: Rule, reason: impl Into<String>) {
        let waiver = Waiver {
            rule,
            reason: reason.into(),
        };
        match self.resources.get_mut(handle.logical_id()) {
            Some(entry) => entry.options.waivers.push(waiver),
            None => self.build_errors.push(Diagnostic::new(
                DiagnosticKind::InvalidWaiver,
                Some(handle.logical_id().as_str()),
                None,
                &format!(
                    "waiver of {rule}: the resource is not in stack {} (it came from another stack)",
                    self.name
                ),
            )),
        }
    }

    /// Records a problem found while building: typically an L2 construct given props it cannot honour
    /// ([`Diagnostic::invalid_props`], or [`Scope::report_invalid_props`] from inside the construct).
    /// Building carries on, and [`Stack::synth`] returns it with every other problem, so a caller sees
    /// them all at once instead of a panic at the first.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.build_errors.push(diagnostic);
    }

    /// Builds the template and validates it. All problems are reported at once, each naming the
    /// logical id and the property path.
    pub fn synth(&self) -> Result<Template, SynthError> {
        let mut resources = IndexMap::with_capacity(self.resources.len());
        let mut waiver_errors = Vec::new();
        for (id, entry) in &self.resources {
            let mut properties = entry.props.clone();
            self.apply_tags(entry, &mut properties);
            let metadata = with_waivers(id.as_str(), &entry.options, &mut waiver_errors);
            resources.insert(
                id.as_str().to_owned(),
                TemplateResource {
                    type_name: entry.type_name.to_string(),
                    properties,
                    depends_on: entry.options.depends_on.iter().map(|d| d.as_str().to_owned()).collect(),
                    condition: entry.options.condition.as_ref().map(|c| c.0.clone()),
                    deletion_policy: entry.options.deletion_policy,
                    update_replace_policy: entry.options.update_replace_policy,
                    metadata,
                },
            );
        }
        let mut template = Template {
            format_version: FORMAT_VERSION,
            description: self.description.clone(),
            metadata: self.metadata.clone(),
            parameters: self.parameters.clone(),
            mappings: self.mappings.clone(),
            conditions: self.conditions.clone(),
            resources,
            outputs: self.outputs.clone(),
        };
        let foreign = self.unmark_references(&mut template);
        let specs = |id: &str| self.resources.get(id).and_then(|entry| entry.spec);
        let mut diagnostics = self.build_errors.clone();
        diagnostics.extend(waiver_errors);
        diagnostics.extend(foreign);
        diagnostics.extend(validate::validate(&template, &specs));
        // The schemas already catch some of these (`maxItems`, a lowercase `aws:` pattern): one
        // diagnostic per problem.
        for tag_problem in validate::resource_tags(&template) {
            let already = diagnostics.iter().any(|d| {
                d.kind == tag_problem.kind
                    && d.logical_id == tag_problem.logical_id
                    && d.path.as_deref().is_some_and(|p| p.starts_with("Properties.Tags"))
            });
            if !already {
                diagnostics.push(tag_problem);
            }
        }
        if diagnostics.is_empty() {
            Ok(template)
        } else {
            Err(SynthError {
                stack: self.name.clone(),
                diagnostics,
            })
        }
    }

    /// Removes the owner marks of handles from the template's expressions. A handle of another stack left
    /// here (an [`App`](crate::app::App) turns those into imports before synth) is a diagnostic.
    fn unmark_references(&self, template: &mut Template) -> Vec<Diagnostic> {
        let mut foreign: Vec<String> = Vec::new();
        let mut unmark = |name: &str, attribute: Option<&str>| {
            let (id, owner) = crate::resource::split_owner(name);
            let owner = owner?;
            if owner != self.uid && !foreign.iter().any(|f| f == id) {
                foreign.push(id.to_owned());
            }
            Some(match attribute {
                None => Expr::Ref(id.to_owned()),
                Some(attribute) => Expr::GetAtt {
                    logical_id: id.to_owned(),
                    attribute: attribute.to_owned(),
                },
            })
        };
        for resource in template.resources.values_mut() {
            resource
                .properties
                .values_mut()
                .for_each(|e| e.rewrite_references(&mut unmark));
            if let Some(metadata) = &mut resource.metadata {
                metadata.rewrite_references(&mut unmark);
            }
        }
        for output in template.outputs.values_mut() {
            output.value.rewrite_references(&mut unmark);
        }
        template
            .conditions
            .values_mut()
            .for_each(|e| e.rewrite_references(&mut unmark));
        if let Some(metadata) = &mut template.metadata {
            metadata.rewrite_references(&mut unmark);
        }
        foreign
            .into_iter()
            .map(|id| {
                Diagnostic::new(
                    DiagnosticKind::CrossStackReference,
                    Some(&id),
                    None,
                    &format!(
                        "stack {} uses resource {id} of another stack; add both stacks to one kumo_core::app::App \
                         and synthesize the app: it exports the value there and imports it here",
                        self.name
                    ),
                )
            })
            .collect()
    }

    /// Merges the stack, scope and resource tags into a taggable resource's `Tags` property. Tags the
    /// resource sets itself win; the result is sorted by key so it does not depend on call order.
    fn apply_tags(&self, entry: &Entry, properties: &mut Props) {
        let format = match entry.spec {
            Some(spec) => spec.tags,
            None => return,
        };
        let mut inherited: IndexMap<&str, &str> = IndexMap::new();
        for tag in self.tags.iter().filter(|t| entry.path.starts_with(&t.prefix)) {
            inherited.insert(&tag.key, &tag.value);
        }
        for (key, value) in &entry.options.tags {
            inherited.insert(key, value);
        }
        if inherited.is_empty() {
            return;
        }
        inherited.sort_keys();
        match format {
            crate::spec::TagFormat::None => {}
            crate::spec::TagFormat::List => {
                let mut list = match properties.remove("Tags") {
                    Some(Expr::List(items)) => items,
                    Some(other) => {
                        // An intrinsic computes the tags; kumo cannot merge into it, so leave it alone.
                        properties.set("Tags", other);
                        return;
                    }
                    None => Vec::new(),
                };
                let own_keys: Vec<String> = validate::list_tag_keys(&list).into_iter().map(str::to_owned).collect();
                for (key, value) in inherited {
                    if !own_keys.iter().any(|own| own == key) {
                        list.push([("Key", key), ("Value", value)].into_iter().collect());
                    }
                }
                properties.set("Tags", Expr::List(list));
            }
            crate::spec::TagFormat::Map => {
                let mut map = match properties.remove("Tags") {
                    Some(Expr::Object(map)) => map,
                    Some(other) => {
                        properties.set("Tags", other);
                        return;
                    }
                    None => IndexMap::new(),
                };
                for (key, value) in inherited {
                    map.entry(key.to_owned())
                        .or_insert_with(|| Expr::String(value.to_owned()));
                }
                properties.set("Tags", Expr::Object(map));
            }
        }
    }
}

/// The resource's metadata with its waivers under `kumo.waivers` (see [`crate::security`]). A waiver
/// without a reason, or metadata that is not an object to put them in, is a diagnostic.
fn with_waivers(id: &str, options: &ResourceOptions, errors: &mut Vec<Diagnostic>) -> Option<Expr> {
    if options.waivers.is_empty() {
        return options.metadata.clone();
    }
    for waiver in &options.waivers {
        if waiver.reason.trim().is_empty() {
            errors.push(Diagnostic::new(
                DiagnosticKind::InvalidWaiver,
                Some(id),
                Some(format!("Metadata.{}.waivers", security::METADATA_KEY)),
                &format!(
                    "the waiver of {} has no reason; say why the rule does not apply",
                    waiver.rule
                ),
            ));
        }
    }
    let entries = Expr::List(
        options
            .waivers
            .iter()
            .map(|waiver| Expr::from_json(&waiver.to_json()))
            .collect(),
    );
    let mut metadata = match &options.metadata {
        None => IndexMap::new(),
        Some(Expr::Object(map)) => map.clone(),
        Some(_) => {
            errors.push(Diagnostic::new(
                DiagnosticKind::InvalidWaiver,
                Some(id),
                Some("Metadata".to_owned()),
                "waivers go into the resource's metadata, which is computed here: make the metadata an object",
            ));
            return options.metadata.clone();
        }
    };
    let mut kumo = match metadata.shift_remove(security::METADATA_KEY) {
        Some(Expr::Object(map)) => map,
        _ => IndexMap::new(),
    };
    kumo.insert("waivers".to_owned(), entries);
    metadata.insert(security::METADATA_KEY.to_owned(), Expr::Object(kumo));
    Some(Expr::Object(metadata))
}

/// A place in the construct tree. Resources added through a scope get logical ids derived from the
/// scope's path plus their own id (see [`crate::logical_id`]).
#[derive(Debug)]
pub struct Scope<'a> {
    stack: &'a mut Stack,
    path: Vec<String>,
}

impl<'a> Scope<'a> {
    /// A child scope (an L2 construct typically opens one named after its id).
    pub fn scope(&mut self, id: impl Into<String>) -> Scope<'_> {
        let mut path = self.path.clone();
        path.push(id.into());
        Scope {
            stack: self.stack,
            path,
        }
    }

    /// The construct path of this scope.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// The stack this scope belongs to (for outputs, parameters, conditions).
    pub fn stack(&mut self) -> &mut Stack {
        self.stack
    }

    /// Adds a resource and returns its typed handle.
    pub fn add<R: Resource>(&mut self, id: impl Into<String>, resource: R) -> Handle<R> {
        self.add_with(id, resource, ResourceOptions::default())
    }

    /// Adds a resource with `DependsOn`, `Condition`, deletion policies, metadata or tags.
    pub fn add_with<R: Resource>(&mut self, id: impl Into<String>, resource: R, options: ResourceOptions) -> Handle<R> {
        let mut path = self.path.clone();
        path.push(id.into());
        let logical_id = logical_id::from_path(&path);
        if let Err(problem) = logical_id::check(&logical_id) {
            self.stack.build_errors.push(Diagnostic::new(
                DiagnosticKind::InvalidLogicalId,
                Some(&logical_id),
                None,
                &problem,
            ));
        }
        let id = LogicalId::new(logical_id);
        let entry = Entry {
            type_name: resource.type_name(),
            spec: resource.spec(),
            props: resource.into_props(),
            options,
            path,
        };
        if let Some(previous) = self.stack.resources.insert(id.clone(), entry) {
            let message = format!(
                "two resources have this logical id (construct paths {} and {}); give one of them another id",
                previous.path.join("/"),
                self.stack.resources[&id].path.join("/")
            );
            self.stack.build_errors.push(Diagnostic::new(
                DiagnosticKind::DuplicateLogicalId,
                Some(id.as_str()),
                None,
                &message,
            ));
        }
        Handle::new(id, self.stack.uid)
    }

    /// A tag on every taggable resource under this scope.
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let prefix = self.path.clone();
        self.stack.tags.push(ScopedTag {
            prefix,
            key: key.into(),
            value: value.into(),
        });
    }

    /// See [`Stack::props_mut`].
    pub fn props_mut<R: Resource>(&mut self, handle: &Handle<R>) -> Option<&mut Props> {
        self.stack.props_mut(handle)
    }

    /// See [`Stack::options_mut`].
    pub fn options_mut<R: Resource>(&mut self, handle: &Handle<R>) -> Option<&mut ResourceOptions> {
        self.stack.options_mut(handle)
    }

    /// Reports that the construct this scope belongs to was given a `prop` it cannot honour (see
    /// [`Stack::report`]): a constructor records the problem, carries on with a safe stand-in, and
    /// `synth` fails with the problem named by construct path and prop.
    ///
    /// ```
    /// use kumo_core::{DiagnosticKind, Stack};
    ///
    /// let mut stack = Stack::new("Demo");
    /// let mut scope = stack.scope("Network");
    /// scope.report_invalid_props("max_azs", "must be at least 1, got 0");
    /// let error = stack.synth().unwrap_err();
    /// assert_eq!(error.diagnostics[0].kind, DiagnosticKind::InvalidProps);
    /// assert_eq!(error.diagnostics[0].to_string(), "Network: max_azs: must be at least 1, got 0");
    /// ```
    pub fn report_invalid_props(&mut self, prop: &str, message: impl Into<String>) {
        let construct = self.path.join("/");
        self.stack.report(Diagnostic::invalid_props(construct, prop, message));
    }

    /// See [`Stack::add_output`].
    pub fn add_output(&mut self, name: impl Into<String>, output: Output) {
        self.stack.add_output(name, output)
    }
}
