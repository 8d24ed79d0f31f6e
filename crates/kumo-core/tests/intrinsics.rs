//! Every intrinsic function round-trips through serialization: `Expr -> JSON -> Expr` is the identity,
//! and each serializes to the exact form CloudFormation documents.

use indexmap::IndexMap;
use kumo_core::expr::{Expr, INTRINSIC_KEYS, Reference};
use kumo_core::{Int, List, Str, Typed, fns, pseudo};
use proptest::prelude::*;
use serde_json::json;

fn round_trip(expr: &Expr) {
    let json = expr.to_json();
    let back = Expr::from_json(&json);
    assert_eq!(&back, expr, "round trip of {json}");
    // Text form too, through the deterministic serializer.
    let text = serde_json::to_string(expr).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(Expr::from_json(&parsed), *expr);
}

#[test]
fn each_intrinsic_has_its_documented_json_form() {
    let cases: Vec<(Expr, serde_json::Value)> = vec![
        (fns::ref_("MyVpc").into(), json!({"Ref": "MyVpc"})),
        (
            fns::get_att::<Str>("Db", "Endpoint.Address").into(),
            json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ),
        (
            fns::sub("arn:${AWS::Partition}:s3:::b").into(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}),
        ),
        (
            fns::sub_with("${A}-${B}", [("A", Expr::from("x")), ("B", fns::ref_("P").into())]).into(),
            json!({"Fn::Sub": ["${A}-${B}", {"A": "x", "B": {"Ref": "P"}}]}),
        ),
        (
            fns::join(",", List::from(["a", "b"])).into(),
            json!({"Fn::Join": [",", ["a", "b"]]}),
        ),
        (
            fns::select::<Str>(1, fns::get_azs()).into(),
            json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]}),
        ),
        (fns::split(",", "a,b").into(), json!({"Fn::Split": [",", "a,b"]})),
        (
            fns::get_azs_in(pseudo::region()).into(),
            json!({"Fn::GetAZs": {"Ref": "AWS::Region"}}),
        ),
        (
            fns::if_::<Str>(&kumo_core::Condition::named("IsProd"), "big", "small").into(),
            json!({"Fn::If": ["IsProd", "big", "small"]}),
        ),
        (
            fns::equals(fns::ref_("Env"), "prod").into(),
            json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ),
        (
            fns::and([fns::equals("a", "a"), kumo_core::Condition::named("C").expr()]).into(),
            json!({"Fn::And": [{"Fn::Equals": ["a", "a"]}, {"Condition": "C"}]}),
        ),
        (
            fns::or([fns::equals("a", "b"), fns::not(fns::equals("c", "d"))]).into(),
            json!({"Fn::Or": [{"Fn::Equals": ["a", "b"]}, {"Fn::Not": [{"Fn::Equals": ["c", "d"]}]}]}),
        ),
        (
            fns::not(fns::equals("a", "b")).into(),
            json!({"Fn::Not": [{"Fn::Equals": ["a", "b"]}]}),
        ),
        (
            kumo_core::Condition::named("IsProd").expr().into(),
            json!({"Condition": "IsProd"}),
        ),
        (
            fns::import_value("shared-vpc-id").into(),
            json!({"Fn::ImportValue": "shared-vpc-id"}),
        ),
        (fns::base64("#!/bin/sh").into(), json!({"Fn::Base64": "#!/bin/sh"})),
        (
            fns::cidr("10.0.0.0/16", 6, 8).into(),
            json!({"Fn::Cidr": ["10.0.0.0/16", 6, 8]}),
        ),
        (
            fns::find_in_map::<Str>("RegionMap", pseudo::region(), "Ami").into(),
            json!({"Fn::FindInMap": ["RegionMap", {"Ref": "AWS::Region"}, "Ami"]}),
        ),
        (fns::no_value::<Str>().into(), json!({"Ref": "AWS::NoValue"})),
        (pseudo::account_id().into(), json!({"Ref": "AWS::AccountId"})),
        (pseudo::partition().into(), json!({"Ref": "AWS::Partition"})),
        (pseudo::stack_name().into(), json!({"Ref": "AWS::StackName"})),
        (pseudo::stack_id().into(), json!({"Ref": "AWS::StackId"})),
        (pseudo::url_suffix().into(), json!({"Ref": "AWS::URLSuffix"})),
        (
            pseudo::notification_arns().into(),
            json!({"Ref": "AWS::NotificationARNs"}),
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (expr, expected) in cases {
        assert_eq!(expr.to_json(), expected);
        round_trip(&expr);
        if let Some(key) = expected.as_object().and_then(|o| o.keys().next()) {
            seen.insert(key.clone());
        }
    }
    for key in INTRINSIC_KEYS {
        assert!(seen.contains(*key), "no table case for {key}");
    }
}

#[test]
fn short_getatt_form_is_read() {
    assert_eq!(
        Expr::from_json(&json!({"Fn::GetAtt": "Db.Endpoint.Address"})),
        Expr::GetAtt {
            logical_id: "Db".into(),
            attribute: "Endpoint.Address".into()
        }
    );
}

#[test]
fn malformed_intrinsics_stay_literal_objects_and_keep_their_json() {
    for value in [
        json!({"Fn::Join": "not-a-list"}),
        json!({"Fn::If": ["only", "two"]}),
        json!({"Ref": 5}),
        json!({"Fn::Sub": ["${X}", {}]}),
        json!({"Fn::Bogus": "x"}),
        json!({"Ref": "A", "Extra": 1}),
    ] {
        let expr = Expr::from_json(&value);
        assert!(!expr.is_intrinsic(), "{value}");
        assert_eq!(expr.to_json(), value);
    }
}

#[test]
fn sub_placeholders_are_references_except_variables_and_escapes() {
    let expr: Expr = fns::sub_with(
        "${Vpc}:${Db.Endpoint.Address}:${Local}:${!Literal}:${AWS::Region}",
        [("Local", Expr::from("x"))],
    )
    .into();
    let mut found = Vec::new();
    expr.visit_references(&mut |r| found.push(format!("{r:?}")));
    assert_eq!(
        found,
        vec![
            format!("{:?}", Reference::Ref("Vpc")),
            format!("{:?}", Reference::GetAtt("Db", "Endpoint.Address")),
            format!("{:?}", Reference::Ref("AWS::Region")),
        ]
    );
}

#[test]
fn typed_values_convert_literals() {
    let s: Str = "x".into();
    assert_eq!(s.as_literal(), Some("x"));
    let i: Int = 5u16.into();
    assert_eq!(Expr::from(i), Expr::Number(5.into()));
    let list: List<Str> = vec!["a", "b"].into();
    assert_eq!(list.as_expr().to_json(), json!(["a", "b"]));
}

/// Arbitrary expression trees: literals and every intrinsic, nested.
fn arb_expr() -> impl Strategy<Value = Expr> {
    let name = "[A-Za-z][A-Za-z0-9]{0,8}";
    let leaf = prop_oneof![
        Just(Expr::Null),
        any::<bool>().prop_map(Expr::Bool),
        any::<i64>().prop_map(|n| Expr::Number(n.into())),
        (-1.0e9f64..1.0e9).prop_map(Expr::from),
        ".{0,12}".prop_map(Expr::String),
        name.prop_map(Expr::Ref),
        (name, "[A-Za-z][A-Za-z0-9.]{0,10}").prop_map(|(logical_id, attribute)| Expr::GetAtt { logical_id, attribute }),
        ".{0,20}".prop_map(|template| Expr::Sub {
            template,
            variables: IndexMap::new()
        }),
        name.prop_map(Expr::Condition),
    ];
    leaf.prop_recursive(4, 48, 4, move |inner| {
        let boxed = inner.clone().prop_map(Box::new);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::List),
            // Objects with at least two keys, so they never look like an intrinsic.
            prop::collection::vec(("[a-z]{1,6}", inner.clone()), 2..4).prop_map(|entries| {
                let mut map: IndexMap<String, Expr> = entries.into_iter().collect();
                if map.len() < 2 {
                    map.insert("zzzzzzz".into(), Expr::Null);
                }
                Expr::Object(map)
            }),
            (".{0,12}", prop::collection::vec(("[A-Za-z]{1,6}", inner.clone()), 1..3)).prop_map(|(template, vars)| {
                Expr::Sub {
                    template,
                    variables: vars.into_iter().collect(),
                }
            }),
            (".{0,3}", boxed.clone()).prop_map(|(delimiter, values)| Expr::Join { delimiter, values }),
            (boxed.clone(), boxed.clone()).prop_map(|(index, list)| Expr::Select { index, list }),
            (".{0,3}", boxed.clone()).prop_map(|(delimiter, source)| Expr::Split { delimiter, source }),
            boxed.clone().prop_map(Expr::GetAzs),
            ("[A-Za-z]{1,8}", boxed.clone(), boxed.clone()).prop_map(|(condition, then, otherwise)| Expr::If {
                condition,
                then,
                otherwise
            }),
            (boxed.clone(), boxed.clone()).prop_map(|(a, b)| Expr::Equals(a, b)),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::Or),
            boxed.clone().prop_map(Expr::Not),
            boxed.clone().prop_map(Expr::ImportValue),
            boxed.clone().prop_map(Expr::Base64),
            (boxed.clone(), boxed.clone(), boxed.clone()).prop_map(|(ip_block, count, cidr_bits)| Expr::Cidr {
                ip_block,
                count,
                cidr_bits
            }),
            (boxed.clone(), boxed.clone(), boxed).prop_map(|(map, top_key, second_key)| Expr::FindInMap {
                map,
                top_key,
                second_key
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_expression_round_trips(expr in arb_expr()) {
        round_trip(&expr);
    }
}
