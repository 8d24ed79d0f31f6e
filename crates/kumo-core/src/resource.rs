//! Resources as the stack sees them: the [`Resource`] trait implemented by every generated L1 type,
//! [`Props`] (a resource's or property type's properties), typed [`Handle`]s returned when a resource is
//! added, and [`RawResource`] for types kumo has no generated code for.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use crate::expr::Expr;
use crate::spec::ResourceSpec;
use crate::value::{Str, Typed};

/// Properties of a resource or a property type. Keys are sorted, so the synthesized template does not
/// depend on the order setters were called in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Props(BTreeMap<Cow<'static, str>, Expr>);

impl Props {
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets (or replaces) a property.
    pub fn set(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Expr>) {
        self.0.insert(name.into(), value.into());
    }
    /// Removes a property, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Expr> {
        self.0.remove(name)
    }
    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.0.get(name)
    }
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Expr> {
        self.0.get_mut(name)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Expr)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        self.0.values_mut()
    }
    /// These properties as a literal object expression.
    pub fn into_expr(self) -> Expr {
        Expr::Object(self.0.into_iter().map(|(k, v)| (k.into_owned(), v)).collect())
    }
}

impl serde::Serialize for Props {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter())
    }
}

/// A logical id: the key of a resource in the template. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogicalId(Arc<str>);

impl LogicalId {
    pub fn new(id: impl Into<Arc<str>>) -> Self {
        LogicalId(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LogicalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for LogicalId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for LogicalId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A resource type that can be added to a stack. Implemented by every generated L1 struct and by
/// [`RawResource`].
pub trait Resource {
    /// Typed `Fn::GetAtt` accessors for this type (generated: `attr_arn()`, `attr_endpoint()`, ...).
    type Attributes: Attributes;
    /// `AWS::Service::Resource`.
    fn type_name(&self) -> Cow<'static, str>;
    /// The type's schema-derived description, when kumo has one.
    fn spec(&self) -> Option<&'static ResourceSpec>;
    /// The properties to write under `Properties`.
    fn into_props(self) -> Props;
}

/// The attribute accessors of one resource in a stack; built from its logical id.
pub trait Attributes {
    fn from_logical_id(id: LogicalId) -> Self;
}

/// A resource added to a stack. `reference()` is its `Ref`; the type's attribute accessors
/// (`attr_*`) are reachable through `Deref`. Using them in another resource's properties records the
/// dependency (CloudFormation orders creation by it), so explicit `DependsOn` is rarely needed.
pub struct Handle<R: Resource> {
    id: LogicalId,
    /// The logical id as written into expressions: marked with the owning stack (see [`owned_id`]), so a
    /// handle used in another stack of an [`App`](crate::app::App) is recognised there.
    expr_id: LogicalId,
    attributes: R::Attributes,
    resource: PhantomData<fn() -> R>,
}

/// Separates a logical id from the id of the stack that owns it inside expressions built from a handle.
/// It cannot occur in a logical id (alphanumeric), and `Stack::synth` removes it: templates never show it.
pub(crate) const OWNER_MARK: char = '\u{1f}';

/// `id` as expressions built from a handle of stack `owner` carry it (`owner` 0: unmarked).
pub(crate) fn owned_id(id: &str, owner: u64) -> String {
    if owner == 0 {
        id.to_owned()
    } else {
        format!("{id}{OWNER_MARK}{owner}")
    }
}

/// Splits a marked id into the logical id and its owning stack (`None`: not marked).
pub(crate) fn split_owner(name: &str) -> (&str, Option<u64>) {
    match name.split_once(OWNER_MARK) {
        Some((id, owner)) => (id, owner.parse().ok()),
        None => (name, None),
    }
}

/// `text` without owner marks (in `Fn::Sub` templates written from a handle's expression).
pub(crate) fn strip_owner_marks(text: &str) -> Cow<'_, str> {
    if !text.contains(OWNER_MARK) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == OWNER_MARK {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

impl<R: Resource> Handle<R> {
    pub(crate) fn new(id: LogicalId, owner: u64) -> Self {
        let expr_id = LogicalId::new(owned_id(id.as_str(), owner));
        Handle {
            attributes: R::Attributes::from_logical_id(expr_id.clone()),
            expr_id,
            id,
            resource: PhantomData,
        }
    }
    /// The resource's logical id in the template.
    pub fn logical_id(&self) -> &LogicalId {
        &self.id
    }
    /// `{"Ref": logical_id}`. What it yields depends on the type (an id, a name or an ARN; see the
    /// type's documentation).
    pub fn reference(&self) -> Str {
        Str::from_expr(Expr::Ref(self.expr_id.as_str().to_owned()))
    }
    /// `Fn::GetAtt` by attribute name, for attributes without a typed accessor. Validated at synth time
    /// against the type's attribute list.
    pub fn get_att<T: Typed>(&self, attribute: &str) -> T {
        T::from_expr(Expr::GetAtt {
            logical_id: self.expr_id.as_str().to_owned(),
            attribute: attribute.to_owned(),
        })
    }
}

impl<R: Resource> Clone for Handle<R>
where
    R::Attributes: Clone,
{
    fn clone(&self) -> Self {
        Handle {
            id: self.id.clone(),
            expr_id: self.expr_id.clone(),
            attributes: self.attributes.clone(),
            resource: PhantomData,
        }
    }
}

impl<R: Resource> std::fmt::Debug for Handle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handle({})", self.id)
    }
}

impl<R: Resource> Deref for Handle<R> {
    type Target = R::Attributes;
    fn deref(&self) -> &R::Attributes {
        &self.attributes
    }
}

impl<R: Resource> From<&Handle<R>> for Str {
    fn from(handle: &Handle<R>) -> Str {
        handle.reference()
    }
}

impl<R: Resource> From<&Handle<R>> for Expr {
    fn from(handle: &Handle<R>) -> Expr {
        handle.reference().into()
    }
}

/// A resource of any type, with untyped properties: for types kumo has no generated code for (or whose
/// feature is off). If the type's spec is known, pass it with [`RawResource::with_spec`] to get the same
/// validation as a generated type.
#[derive(Clone, Debug)]
pub struct RawResource {
    type_name: String,
    props: Props,
    spec: Option<&'static ResourceSpec>,
}

impl PartialEq for RawResource {
    fn eq(&self, other: &Self) -> bool {
        self.type_name == other.type_name
            && self.props == other.props
            && self.spec.map(|s| s.type_name) == other.spec.map(|s| s.type_name)
    }
}

impl RawResource {
    pub fn new(type_name: impl Into<String>) -> Self {
        RawResource {
            type_name: type_name.into(),
            props: Props::new(),
            spec: None,
        }
    }
    /// Validates against `spec` at synth time.
    pub fn with_spec(mut self, spec: &'static ResourceSpec) -> Self {
        self.spec = Some(spec);
        self
    }
    /// Sets a property.
    pub fn set(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Expr>) -> Self {
        self.props.set(name, value);
        self
    }
}

/// Attributes of a [`RawResource`]: any name, checked at synth time only if a spec was given.
#[derive(Clone, Debug)]
pub struct RawAttributes(LogicalId);

impl RawAttributes {
    /// `Fn::GetAtt` of `attribute`.
    pub fn attr<T: Typed>(&self, attribute: &str) -> T {
        T::from_expr(Expr::GetAtt {
            logical_id: self.0.as_str().to_owned(),
            attribute: attribute.to_owned(),
        })
    }
}

impl Attributes for RawAttributes {
    fn from_logical_id(id: LogicalId) -> Self {
        RawAttributes(id)
    }
}

impl Resource for RawResource {
    type Attributes = RawAttributes;
    fn type_name(&self) -> Cow<'static, str> {
        Cow::Owned(self.type_name.clone())
    }
    fn spec(&self) -> Option<&'static ResourceSpec> {
        self.spec
    }
    fn into_props(self) -> Props {
        self.props
    }
}

/// Implementation shared by every generated L1 resource struct (`pub struct Name(Props)`): `new`,
/// `set_raw`, `props`, the [`Resource`] impl and the attributes struct. Used by kumo-cfn; it expects a
/// `SPEC` static in scope.
#[doc(hidden)]
#[macro_export]
macro_rules! l1_resource {
    ($name:ident, $attributes:ident, $type_name:literal) => {
        impl $name {
            #[doc = concat!("`", $type_name, "`")]
            pub const TYPE_NAME: &'static str = $type_name;

            /// A resource with no properties set yet.
            pub fn new() -> Self {
                <Self as Default>::default()
            }

            /// Sets a property by name (for properties newer than the pinned schemas, or intrinsics where a
            /// typed value is expected). Validated against the schema at synth time.
            pub fn set_raw(
                mut self,
                name: impl Into<::std::borrow::Cow<'static, str>>,
                value: impl Into<$crate::Expr>,
            ) -> Self {
                self.0.set(name, value);
                self
            }

            /// The properties set so far.
            pub fn props(&self) -> &$crate::Props {
                &self.0
            }
        }

        impl $crate::Resource for $name {
            type Attributes = $attributes;
            fn type_name(&self) -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed($type_name)
            }
            fn spec(&self) -> Option<&'static $crate::ResourceSpec> {
                Some(&SPEC)
            }
            fn into_props(self) -> $crate::Props {
                self.0
            }
        }

        #[doc = concat!("`Fn::GetAtt` accessors of `", $type_name, "`, reached through `Handle<", stringify!($name), ">`.")]
        #[derive(Clone, Debug)]
        pub struct $attributes($crate::LogicalId);

        impl $crate::Attributes for $attributes {
            fn from_logical_id(id: $crate::LogicalId) -> Self {
                Self(id)
            }
        }

        impl $attributes {
            /// The logical id these attributes belong to.
            pub fn id(&self) -> &$crate::LogicalId {
                &self.0
            }
            #[allow(dead_code)]
            fn att<T: $crate::Typed>(&self, attribute: &str) -> T {
                $crate::fns::get_att(self.0.as_str(), attribute)
            }
        }
    };
}

/// Implementation shared by every generated L1 property type (`pub struct Name(Props)`).
#[doc(hidden)]
#[macro_export]
macro_rules! l1_property_type {
    ($name:ident) => {
        impl $name {
            /// An empty value; set fields with the methods below.
            pub fn new() -> Self {
                <Self as Default>::default()
            }

            /// Sets a field by name (for fields newer than the pinned schemas, or intrinsics where a typed
            /// value is expected). Validated against the schema at synth time.
            pub fn set_raw(
                mut self,
                name: impl Into<::std::borrow::Cow<'static, str>>,
                value: impl Into<$crate::Expr>,
            ) -> Self {
                self.0.set(name, value);
                self
            }

            /// The fields set so far.
            pub fn props(&self) -> &$crate::Props {
                &self.0
            }
        }

        impl From<$name> for $crate::Expr {
            fn from(value: $name) -> $crate::Expr {
                value.0.into_expr()
            }
        }
    };
}
