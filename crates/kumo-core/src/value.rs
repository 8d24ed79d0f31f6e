//! Typed values: thin wrappers around [`Expr`] that say what kind of value a property takes.
//!
//! A `Str` is a literal string *or* any intrinsic that yields a string (`Ref`, `Fn::Sub`, `Fn::GetAtt`
//! of a string attribute, ...). The wrappers exist so that the generated L1 setters reject a number where a
//! string is expected at compile time, while intrinsics flow through unchanged. They add no runtime cost.
//!
//! Intrinsic constructors live in [`crate::fns`] and return the typed wrapper of their result, e.g.
//! `fns::join("", ..) -> Str`, `fns::get_azs() -> List<Str>`, `fns::select(0, list) -> Str`.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::expr::Expr;

/// A value that wraps an [`Expr`] of a known kind. Implemented by every typed wrapper and by `Expr`.
pub trait Typed: Into<Expr> {
    /// Wraps an expression without checking its kind (the synth-time validation still checks literals).
    fn from_expr(expr: Expr) -> Self;
    /// The wrapped expression.
    fn as_expr(&self) -> &Expr;
}

impl Typed for Expr {
    fn from_expr(expr: Expr) -> Self {
        expr
    }
    fn as_expr(&self) -> &Expr {
        self
    }
}

macro_rules! scalar {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name(Expr);

        impl Typed for $name {
            fn from_expr(expr: Expr) -> Self {
                Self(expr)
            }
            fn as_expr(&self) -> &Expr {
                &self.0
            }
        }
        impl From<$name> for Expr {
            fn from(value: $name) -> Expr {
                value.0
            }
        }
        impl From<&$name> for $name {
            fn from(value: &$name) -> $name {
                value.clone()
            }
        }
    };
}

scalar!(
    /// A string: a literal or a string-valued intrinsic.
    Str
);
scalar!(
    /// An integer: a literal or an intrinsic (CloudFormation also accepts numeric strings).
    Int
);
scalar!(
    /// A number (integer or floating point): a literal or an intrinsic.
    Num
);
scalar!(
    /// A boolean: a literal or an intrinsic.
    Bool
);

impl Str {
    /// The literal text, when this is a literal string.
    pub fn as_literal(&self) -> Option<&str> {
        match &self.0 {
            Expr::String(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Str {
    fn from(value: &str) -> Self {
        Str(Expr::String(value.to_owned()))
    }
}
impl From<String> for Str {
    fn from(value: String) -> Self {
        Str(Expr::String(value))
    }
}
impl From<&String> for Str {
    fn from(value: &String) -> Self {
        Str(Expr::String(value.clone()))
    }
}
impl From<bool> for Bool {
    fn from(value: bool) -> Self {
        Bool(Expr::Bool(value))
    }
}
macro_rules! int_literals {
    ($($t:ty),*) => {$(
        impl From<$t> for Int {
            fn from(value: $t) -> Self {
                Int(Expr::Number(value.into()))
            }
        }
        impl From<$t> for Num {
            fn from(value: $t) -> Self {
                Num(Expr::Number(value.into()))
            }
        }
    )*};
}
int_literals!(i8, i16, i32, i64, u8, u16, u32, u64, usize);
impl From<f64> for Num {
    fn from(value: f64) -> Self {
        Num(Expr::from(value))
    }
}
impl From<Int> for Num {
    fn from(value: Int) -> Self {
        Num(value.0)
    }
}

/// A list: a literal list of `T`, or a list-valued intrinsic (`Fn::GetAZs`, `Fn::Split`, `Fn::Cidr`, a
/// `Ref` to a list parameter, `Fn::GetAtt` of a list attribute).
pub struct List<T> {
    expr: Expr,
    item: PhantomData<fn() -> T>,
}

/// A string-keyed map of `T` (for example EKS node group labels, or tags in map form).
pub struct Map<T> {
    expr: Expr,
    item: PhantomData<fn() -> T>,
}

macro_rules! container {
    ($name:ident) => {
        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                Self {
                    expr: self.expr.clone(),
                    item: PhantomData,
                }
            }
        }
        impl<T> std::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.expr.fmt(f)
            }
        }
        impl<T> PartialEq for $name<T> {
            fn eq(&self, other: &Self) -> bool {
                self.expr == other.expr
            }
        }
        impl<T> Typed for $name<T> {
            fn from_expr(expr: Expr) -> Self {
                Self {
                    expr,
                    item: PhantomData,
                }
            }
            fn as_expr(&self) -> &Expr {
                &self.expr
            }
        }
        impl<T> From<$name<T>> for Expr {
            fn from(value: $name<T>) -> Expr {
                value.expr
            }
        }
    };
}
container!(List);
container!(Map);

impl<T: Into<Expr>> List<T> {
    /// An empty literal list.
    pub fn empty() -> Self {
        Self::from_expr(Expr::List(Vec::new()))
    }
}

impl<T: Into<Expr>, U: Into<T>> From<Vec<U>> for List<T> {
    fn from(values: Vec<U>) -> Self {
        List::from_expr(Expr::List(values.into_iter().map(|v| v.into().into()).collect()))
    }
}
impl<T: Into<Expr>, U: Into<T>, const N: usize> From<[U; N]> for List<T> {
    fn from(values: [U; N]) -> Self {
        List::from_expr(Expr::List(values.into_iter().map(|v| v.into().into()).collect()))
    }
}
impl<T: Into<Expr>, U: Into<T> + Clone> From<&[U]> for List<T> {
    fn from(values: &[U]) -> Self {
        List::from_expr(Expr::List(values.iter().cloned().map(|v| v.into().into()).collect()))
    }
}
impl<T: Into<Expr>> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        List::from_expr(Expr::List(iter.into_iter().map(Into::into).collect()))
    }
}

fn map_of<T: Into<Expr>, K: Into<String>, V: Into<T>>(entries: impl IntoIterator<Item = (K, V)>) -> Expr {
    Expr::Object(entries.into_iter().map(|(k, v)| (k.into(), v.into().into())).collect())
}
impl<T: Into<Expr>, K: Into<String>, V: Into<T>> From<Vec<(K, V)>> for Map<T> {
    fn from(entries: Vec<(K, V)>) -> Self {
        Map::from_expr(map_of::<T, K, V>(entries))
    }
}
impl<T: Into<Expr>, K: Into<String>, V: Into<T>, const N: usize> From<[(K, V); N]> for Map<T> {
    fn from(entries: [(K, V); N]) -> Self {
        Map::from_expr(map_of::<T, K, V>(entries))
    }
}
impl<T: Into<Expr>, K: Into<String>, V: Into<T>> From<BTreeMap<K, V>> for Map<T> {
    fn from(entries: BTreeMap<K, V>) -> Self {
        Map::from_expr(map_of::<T, K, V>(entries))
    }
}
impl<T: Into<Expr>, K: Into<String>, V: Into<T>> From<IndexMap<K, V>> for Map<T> {
    fn from(entries: IndexMap<K, V>) -> Self {
        Map::from_expr(map_of::<T, K, V>(entries))
    }
}
