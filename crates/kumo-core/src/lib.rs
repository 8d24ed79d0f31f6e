//! kumo-core: the pure heart of kumo.
//!
//! * [`Expr`] and the typed values ([`Str`], [`Int`], [`List`], ...) model template values and every
//!   intrinsic function ([`fns`], [`pseudo`]).
//! * [`Stack`] / [`Scope`] build a template; adding a resource returns a typed [`Handle`] whose
//!   attributes are expressions.
//! * [`Stack::synth`] validates (references, cycles, schema rules, limits) and returns a [`Template`],
//!   which renders to byte-for-byte deterministic JSON or YAML.
//! * `assertions` (cargo feature `assertions`, for `[dev-dependencies]`) checks templates in tests,
//!   CDK-style.
//!
//! No I/O, no async, no AWS SDK: synthesis is a function of code and configuration.

#[cfg(feature = "assertions")]
pub mod assertions;
pub mod expr;
pub mod fns;
pub mod logical_id;
pub mod names;
pub mod resource;
pub mod spec;
pub mod stack;
pub mod template;
pub mod text;
pub mod validate;
pub mod value;
pub mod yaml;

pub use expr::Expr;
pub use fns::{Condition, ConditionExpr, pseudo};
pub use resource::{Attributes, Handle, LogicalId, Props, RawAttributes, RawResource, Resource};
pub use spec::{ResourceSpec, TagFormat};
pub use stack::{MappingRef, ParameterRef, ResourceOptions, Scope, Stack};
pub use template::{DeletionPolicy, Format, Output, Parameter, Template};
pub use validate::{Diagnostic, DiagnosticKind, SynthError};
pub use value::{Bool, Int, List, Map, Num, Str, Typed};
