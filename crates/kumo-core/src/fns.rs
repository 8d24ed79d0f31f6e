//! Intrinsic functions and pseudo parameters, with typed results.
//!
//! ```
//! use kumo_core::{fns, pseudo, Str, List};
//!
//! let first_az: Str = fns::select(0, fns::get_azs());
//! let arn: Str = fns::sub("arn:${AWS::Partition}:s3:::my-bucket");
//! let name: Str = fns::join("-", List::from([pseudo::stack_name(), Str::from("logs")]));
//! # let _ = (first_az, arn, name);
//! ```

use indexmap::IndexMap;

use crate::expr::Expr;
use crate::value::{Bool, Int, List, Str, Typed};

/// A condition expression (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, or a reference to a named
/// condition). Named conditions are declared with [`crate::Stack::add_condition`].
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionExpr(pub(crate) Expr);

impl std::ops::Not for ConditionExpr {
    type Output = ConditionExpr;
    /// `{"Fn::Not": [self]}`.
    fn not(self) -> ConditionExpr {
        ConditionExpr(Expr::Not(Box::new(self.0)))
    }
}

impl ConditionExpr {
    /// The underlying expression.
    pub fn as_expr(&self) -> &Expr {
        &self.0
    }
}

impl From<ConditionExpr> for Expr {
    fn from(value: ConditionExpr) -> Expr {
        value.0
    }
}

/// A named condition of the template; use it in [`if_`] or as a resource's / output's `Condition`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition(pub(crate) String);

impl Condition {
    /// A reference to a condition declared elsewhere (validated at synth time).
    pub fn named(name: impl Into<String>) -> Self {
        Condition(name.into())
    }
    /// The condition's name.
    pub fn name(&self) -> &str {
        &self.0
    }
    /// `{"Condition": name}`, for use inside other condition expressions.
    pub fn expr(&self) -> ConditionExpr {
        ConditionExpr(Expr::Condition(self.0.clone()))
    }
}

/// `{"Ref": name}` to a parameter, resource or pseudo parameter by name (checked at synth time).
/// Prefer a resource handle's `reference()` or a parameter's `value()`, which cannot dangle.
pub fn ref_(name: impl Into<String>) -> Str {
    Str::from_expr(Expr::Ref(name.into()))
}

/// `{"Fn::GetAtt": [logical_id, attribute]}` by name (checked at synth time). Prefer the typed
/// `attr_*` accessors of a resource handle.
pub fn get_att<T: Typed>(logical_id: impl Into<String>, attribute: impl Into<String>) -> T {
    T::from_expr(Expr::GetAtt {
        logical_id: logical_id.into(),
        attribute: attribute.into(),
    })
}

/// `{"Fn::Sub": template}`: `${Name}`, `${Name.Attr}` and `${AWS::Region}` placeholders are resolved by
/// CloudFormation; `${!Literal}` writes `${Literal}`.
pub fn sub(template: impl Into<String>) -> Str {
    Str::from_expr(Expr::Sub {
        template: template.into(),
        variables: IndexMap::new(),
    })
}

/// `{"Fn::Sub": [template, {variables}]}`.
pub fn sub_with<K: Into<String>, V: Into<Expr>>(
    template: impl Into<String>,
    variables: impl IntoIterator<Item = (K, V)>,
) -> Str {
    Str::from_expr(Expr::Sub {
        template: template.into(),
        variables: variables.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
    })
}

/// `{"Fn::Join": [delimiter, values]}`.
pub fn join(delimiter: impl Into<String>, values: impl Into<List<Str>>) -> Str {
    Str::from_expr(Expr::Join {
        delimiter: delimiter.into(),
        values: Box::new(values.into().into()),
    })
}

/// `{"Fn::Select": [index, list]}`.
pub fn select<T: Typed>(index: impl Into<Int>, list: impl Into<List<T>>) -> T {
    T::from_expr(Expr::Select {
        index: Box::new(index.into().into()),
        list: Box::new(list.into().into()),
    })
}

/// `{"Fn::Split": [delimiter, source]}`.
pub fn split(delimiter: impl Into<String>, source: impl Into<Str>) -> List<Str> {
    List::from_expr(Expr::Split {
        delimiter: delimiter.into(),
        source: Box::new(source.into().into()),
    })
}

/// `{"Fn::GetAZs": ""}`: the availability zones of the stack's region. Keeps templates
/// environment-agnostic: no lookup at synth time.
pub fn get_azs() -> List<Str> {
    List::from_expr(Expr::GetAzs(Box::new(Expr::String(String::new()))))
}

/// `{"Fn::GetAZs": region}`.
pub fn get_azs_in(region: impl Into<Str>) -> List<Str> {
    List::from_expr(Expr::GetAzs(Box::new(region.into().into())))
}

/// `{"Fn::If": [condition, then, otherwise]}`.
pub fn if_<T: Typed>(condition: &Condition, then: impl Into<T>, otherwise: impl Into<T>) -> T {
    T::from_expr(Expr::If {
        condition: condition.0.clone(),
        then: Box::new(then.into().into()),
        otherwise: Box::new(otherwise.into().into()),
    })
}

/// `{"Fn::Equals": [a, b]}`.
pub fn equals(a: impl Into<Expr>, b: impl Into<Expr>) -> ConditionExpr {
    ConditionExpr(Expr::Equals(Box::new(a.into()), Box::new(b.into())))
}

/// `{"Fn::And": [..]}` (CloudFormation requires 2 to 10 conditions; validated at synth time).
pub fn and(conditions: impl IntoIterator<Item = ConditionExpr>) -> ConditionExpr {
    ConditionExpr(Expr::And(conditions.into_iter().map(|c| c.0).collect()))
}

/// `{"Fn::Or": [..]}` (CloudFormation requires 2 to 10 conditions; validated at synth time).
pub fn or(conditions: impl IntoIterator<Item = ConditionExpr>) -> ConditionExpr {
    ConditionExpr(Expr::Or(conditions.into_iter().map(|c| c.0).collect()))
}

/// `{"Fn::Not": [condition]}`.
pub fn not(condition: ConditionExpr) -> ConditionExpr {
    !condition
}

/// `{"Fn::ImportValue": name}`: a value exported by another stack.
pub fn import_value(export_name: impl Into<Str>) -> Str {
    Str::from_expr(Expr::ImportValue(Box::new(export_name.into().into())))
}

/// `{"Fn::Base64": value}`.
pub fn base64(value: impl Into<Str>) -> Str {
    Str::from_expr(Expr::Base64(Box::new(value.into().into())))
}

/// `{"Fn::Cidr": [ip_block, count, cidr_bits]}`: `count` CIDR blocks of `32 - cidr_bits` prefix length.
pub fn cidr(ip_block: impl Into<Str>, count: impl Into<Int>, cidr_bits: impl Into<Int>) -> List<Str> {
    List::from_expr(Expr::Cidr {
        ip_block: Box::new(ip_block.into().into()),
        count: Box::new(count.into().into()),
        cidr_bits: Box::new(cidr_bits.into().into()),
    })
}

/// `{"Fn::FindInMap": [map, top_level_key, second_level_key]}`.
pub fn find_in_map<T: Typed>(map: impl Into<String>, top_key: impl Into<Str>, second_key: impl Into<Str>) -> T {
    T::from_expr(Expr::FindInMap {
        map: Box::new(Expr::String(map.into())),
        top_key: Box::new(top_key.into().into()),
        second_key: Box::new(second_key.into().into()),
    })
}

/// `{"Ref": "AWS::NoValue"}`: removes the property it is assigned to (typically inside [`if_`]).
pub fn no_value<T: Typed>() -> T {
    T::from_expr(Expr::Ref(pseudo::NO_VALUE.to_owned()))
}

/// Literal boolean helper for condition-free code paths.
pub fn bool_(value: bool) -> Bool {
    Bool::from(value)
}

/// Pseudo parameters: values CloudFormation knows at deploy time.
pub mod pseudo {
    use crate::expr::Expr;
    use crate::value::{List, Str, Typed};

    pub const ACCOUNT_ID: &str = "AWS::AccountId";
    pub const REGION: &str = "AWS::Region";
    pub const PARTITION: &str = "AWS::Partition";
    pub const STACK_NAME: &str = "AWS::StackName";
    pub const STACK_ID: &str = "AWS::StackId";
    pub const URL_SUFFIX: &str = "AWS::URLSuffix";
    pub const NOTIFICATION_ARNS: &str = "AWS::NotificationARNs";
    pub const NO_VALUE: &str = "AWS::NoValue";

    /// Every pseudo parameter name; a `Ref` to one of them is never dangling.
    pub const ALL: &[&str] = &[
        ACCOUNT_ID,
        REGION,
        PARTITION,
        STACK_NAME,
        STACK_ID,
        URL_SUFFIX,
        NOTIFICATION_ARNS,
        NO_VALUE,
    ];

    fn pseudo(name: &str) -> Str {
        Str::from_expr(Expr::Ref(name.to_owned()))
    }
    /// `AWS::AccountId`.
    pub fn account_id() -> Str {
        pseudo(ACCOUNT_ID)
    }
    /// `AWS::Region`.
    pub fn region() -> Str {
        pseudo(REGION)
    }
    /// `AWS::Partition` (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn partition() -> Str {
        pseudo(PARTITION)
    }
    /// `AWS::StackName`.
    pub fn stack_name() -> Str {
        pseudo(STACK_NAME)
    }
    /// `AWS::StackId`.
    pub fn stack_id() -> Str {
        pseudo(STACK_ID)
    }
    /// `AWS::URLSuffix` (`amazonaws.com`, or `amazonaws.com.cn` in China).
    pub fn url_suffix() -> Str {
        pseudo(URL_SUFFIX)
    }
    /// `AWS::NotificationARNs`.
    pub fn notification_arns() -> List<Str> {
        List::from_expr(Expr::Ref(NOTIFICATION_ARNS.to_owned()))
    }
}
