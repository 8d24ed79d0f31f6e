//! A read-only view of a CloudFormation template for pricing: resources in template order, and the
//! literal value of a property where it has one (a literal, a `Ref` to a parameter with a value or a
//! default, or `AWS::Region`). Anything else is "not a literal", and the part that needed it is shown
//! as unknown rather than guessed.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::CostError;

/// A value kumo could not reduce to a literal, described for the reader (`Fn::If expression`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotLiteral(pub String);

pub struct TemplateView<'a> {
    resources: Vec<(&'a str, &'a Map<String, Value>)>,
    /// Parameter values: given ones, else the template's defaults. Absent: no value known.
    parameters: BTreeMap<&'a str, Value>,
    region: &'a str,
}

impl<'a> TemplateView<'a> {
    /// `parameters` are `KEY=VALUE` pairs as given to a deploy (they win over defaults).
    pub fn new(
        template: &'a Value,
        parameters: &'a [(String, String)],
        region: &'a str,
    ) -> Result<TemplateView<'a>, CostError> {
        let resources = template
            .get("Resources")
            .and_then(Value::as_object)
            .ok_or_else(|| CostError::NotATemplate("it has no Resources section (an object of resources)".into()))?;
        let mut list = Vec::with_capacity(resources.len());
        for (id, resource) in resources {
            let body = resource
                .as_object()
                .ok_or_else(|| CostError::NotATemplate(format!("resource {id} is not an object with a Type")))?;
            if !body.get("Type").is_some_and(Value::is_string) {
                return Err(CostError::NotATemplate(format!("resource {id} has no Type")));
            }
            list.push((id.as_str(), body));
        }
        let mut values = BTreeMap::new();
        if let Some(declared) = template.get("Parameters").and_then(Value::as_object) {
            for (name, declaration) in declared {
                if let Some(default) = declaration.get("Default") {
                    values.insert(name.as_str(), default.clone());
                }
            }
        }
        for (name, value) in parameters {
            values.insert(name.as_str(), Value::String(value.clone()));
        }
        Ok(TemplateView {
            resources: list,
            parameters: values,
            region,
        })
    }

    /// `(logical id, type, properties)` in template order.
    pub fn resources(&self) -> impl Iterator<Item = (&'a str, &'a str, Option<&'a Map<String, Value>>)> + '_ {
        self.resources.iter().map(|(id, body)| {
            (
                *id,
                body.get("Type").and_then(Value::as_str).unwrap_or_default(),
                body.get("Properties").and_then(Value::as_object),
            )
        })
    }

    /// The resource with this logical id: its type and properties.
    pub fn resource(&self, id: &str) -> Option<(&'a str, Option<&'a Map<String, Value>>)> {
        self.resources.iter().find(|(rid, _)| *rid == id).map(|(_, body)| {
            (
                body.get("Type").and_then(Value::as_str).unwrap_or_default(),
                body.get("Properties").and_then(Value::as_object),
            )
        })
    }

    /// The `Condition` a resource is created under, if any.
    pub fn condition(&self, id: &str) -> Option<&'a str> {
        self.resources
            .iter()
            .find(|(rid, _)| *rid == id)
            .and_then(|(_, body)| body.get("Condition").and_then(Value::as_str))
    }

    /// The logical id a value refers to with `Ref` or `Fn::GetAtt`, when it names a resource.
    pub fn referenced_resource(&self, value: Option<&Value>) -> Option<&'a str> {
        let object = value?.as_object()?;
        let target = match (object.get("Ref"), object.get("Fn::GetAtt")) {
            (Some(Value::String(id)), _) => id.as_str(),
            (_, Some(Value::Array(parts))) => parts.first()?.as_str()?,
            (_, Some(Value::String(dotted))) => dotted.split('.').next()?,
            _ => return None,
        };
        self.resources.iter().find(|(id, _)| *id == target).map(|(id, _)| *id)
    }

    /// A literal string (numbers and booleans as written); `Ok(None)` when the property is absent.
    pub fn string(&self, value: Option<&Value>) -> Result<Option<String>, NotLiteral> {
        let Some(value) = value else { return Ok(None) };
        match self.resolve(value)? {
            Value::String(s) => Ok(Some(s)),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(b.to_string())),
            other => Err(NotLiteral(format!("{} where a string belongs", describe(&other)))),
        }
    }

    /// A literal number (CloudFormation also accepts numbers written as strings).
    pub fn number(&self, value: Option<&Value>) -> Result<Option<f64>, NotLiteral> {
        let Some(value) = value else { return Ok(None) };
        match self.resolve(value)? {
            Value::Number(n) => Ok(n.as_f64()),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| NotLiteral(format!("{s:?} is not a number"))),
            other => Err(NotLiteral(format!("{} where a number belongs", describe(&other)))),
        }
    }

    /// A literal boolean (`true`, `"true"`).
    pub fn boolean(&self, value: Option<&Value>) -> Result<Option<bool>, NotLiteral> {
        Ok(self.string(value)?.map(|text| text.eq_ignore_ascii_case("true")))
    }

    /// A list of literal strings: a JSON list, or a `Ref` to a list parameter (comma-separated).
    pub fn strings(&self, value: Option<&Value>) -> Result<Option<Vec<String>>, NotLiteral> {
        let Some(value) = value else { return Ok(None) };
        match self.resolve(value)? {
            Value::Array(items) => items
                .iter()
                .map(|item| self.string(Some(item)).map(Option::unwrap_or_default))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Value::String(joined) => Ok(Some(split_list(&joined))),
            other => Err(NotLiteral(format!("{} where a list belongs", describe(&other)))),
        }
    }

    /// How many items a list has, whatever the items are (subnet ids are usually `Ref`s).
    pub fn list_len(&self, value: Option<&Value>) -> Result<Option<usize>, NotLiteral> {
        let Some(value) = value else { return Ok(None) };
        match value {
            Value::Array(items) => Ok(Some(items.len())),
            _ => match self.resolve(value)? {
                Value::Array(items) => Ok(Some(items.len())),
                Value::String(joined) => Ok(Some(split_list(&joined).len())),
                other => Err(NotLiteral(format!("{} where a list belongs", describe(&other)))),
            },
        }
    }

    /// Reduces `Ref` to a parameter (or `AWS::Region`) to its value; other intrinsics are not literals.
    fn resolve(&self, value: &Value) -> Result<Value, NotLiteral> {
        let Some(object) = value.as_object() else {
            return Ok(value.clone());
        };
        if object.len() == 1
            && let Some(Value::String(name)) = object.get("Ref")
        {
            if name == "AWS::Region" {
                return Ok(Value::String(self.region.to_owned()));
            }
            if let Some(v) = self.parameters.get(name.as_str()) {
                return Ok(v.clone());
            }
            if self.resources.iter().any(|(id, _)| id == name) {
                return Err(NotLiteral(format!("a reference to resource {name}")));
            }
            return Err(NotLiteral(format!("parameter {name}, which has no value or default")));
        }
        Err(NotLiteral(describe(value)))
    }
}

/// `Fn::If expression`, `a list`, ... for messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Object(o) => match o.keys().next() {
            Some(k) if o.len() == 1 && (k.starts_with("Fn::") || k == "Ref") => format!("a {k} expression"),
            _ => "an object".to_owned(),
        },
        Value::Array(_) => "a list".to_owned(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn split_list(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literals_come_from_values_parameters_and_the_region() {
        let template = json!({
            "Parameters": {
                "Size": {"Type": "Number", "Default": 3},
                "Types": {"Type": "CommaDelimitedList", "Default": "m5.large, m5a.large"},
                "NoDefault": {"Type": "String"}
            },
            "Resources": {"A": {"Type": "AWS::S3::Bucket"}}
        });
        let given = vec![("Size".to_owned(), "4".to_owned())];
        let view = TemplateView::new(&template, &given, "ap-northeast-1").unwrap();
        assert_eq!(view.number(Some(&json!({"Ref": "Size"}))), Ok(Some(4.0)));
        assert_eq!(view.number(Some(&json!("2"))), Ok(Some(2.0)));
        assert_eq!(
            view.strings(Some(&json!({"Ref": "Types"}))),
            Ok(Some(vec!["m5.large".to_owned(), "m5a.large".to_owned()]))
        );
        assert_eq!(
            view.string(Some(&json!({"Ref": "AWS::Region"}))),
            Ok(Some("ap-northeast-1".to_owned()))
        );
        assert_eq!(view.string(None), Ok(None));
        assert_eq!(
            view.string(Some(&json!({"Ref": "NoDefault"}))),
            Err(NotLiteral("parameter NoDefault, which has no value or default".into()))
        );
        assert_eq!(
            view.number(Some(&json!({"Fn::If": ["C", 1, 2]}))),
            Err(NotLiteral("a Fn::If expression".into()))
        );
        assert_eq!(view.list_len(Some(&json!([{"Ref": "A"}, {"Ref": "B"}]))), Ok(Some(2)));
    }

    #[test]
    fn a_document_without_resources_is_refused() {
        let error = TemplateView::new(&json!({"Outputs": {}}), &[], "us-east-1")
            .err()
            .unwrap();
        assert_eq!(
            error.to_string(),
            "not a CloudFormation template kumo can price: it has no Resources section (an object of resources)"
        );
    }
}
