//! The parser and writer against serde_json: same values, same text, and
//! refusals only where enseal is stricter (duplicate member names).

use super::*;
use proptest::prelude::*;
use serde::de::{Deserializer as _, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;

/// serde_json's reading of `text`, and whether some object in it repeats a name.
fn serde_reading(text: &str) -> Option<(serde_json::Value, bool)> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    struct DupFinder;
    impl<'de> Visitor<'de> for DupFinder {
        type Value = bool;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E>(self, _: &str) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
            let mut dup = false;
            while let Some(d) = seq.next_element_seed(DupSeed)? {
                dup |= d;
            }
            Ok(dup)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut names = HashSet::new();
            let mut dup = false;
            while let Some(name) = map.next_key::<String>()? {
                dup |= !names.insert(name);
                dup |= map.next_value_seed(DupSeed)?;
            }
            Ok(dup)
        }
    }
    struct DupSeed;
    impl<'de> serde::de::DeserializeSeed<'de> for DupSeed {
        type Value = bool;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_any(DupFinder)
        }
    }
    let dup = serde_json::Deserializer::from_str(text)
        .deserialize_any(DupFinder)
        .ok()?;
    Some((value, dup))
}

/// enseal reads `text` as serde_json does, or refuses it for a duplicate name.
fn check_agrees(text: &str) {
    let ours = parse(text);
    match (ours, serde_reading(text)) {
        (Ok(value), Some((theirs, false))) => {
            let written = to_string(&value);
            let reread: serde_json::Value = serde_json::from_str(&written).unwrap();
            assert_eq!(reread, theirs, "{text:?}");
        }
        (Err(Invalid), Some((_, true))) | (Err(Invalid), None) => {}
        (Ok(_), Some((_, true))) => panic!("accepted a duplicate name: {text:?}"),
        // serde_json refuses numbers beyond f64; enseal keeps their text.
        (Ok(_), None) if out_of_f64_range(text) => {}
        (Ok(_), None) => panic!("accepted what serde_json refuses: {text:?}"),
        (Err(Invalid), Some((_, false))) => panic!("refused what serde_json reads: {text:?}"),
    }
}

fn out_of_f64_range(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_err_and(|e| e.to_string().starts_with("number out of range"))
}

#[test]
fn reads_what_serde_json_reads() {
    for text in [
        "null",
        " true ",
        "false",
        "0",
        "-0",
        "-0.0e-0",
        "12.5E+3",
        "123456789012345678901234567890",
        "1e400",
        r#""""#,
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u00e9\u0000\uD83D\uDE00 é 😀""#,
        "[]",
        "[ 1 , [2, [3]] ]",
        "{}",
        r#"{"a": {"b": [null, {"c": "d"}]}, "": 1}"#,
        "\t\r\n[\n]\n",
    ] {
        assert!(parse(text).is_ok(), "{text:?}");
        check_agrees(text);
    }
}

#[test]
fn refuses_what_serde_json_refuses() {
    for text in [
        "",
        " ",
        "nul",
        "nulls",
        "True",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x10",
        "NaN",
        "Infinity",
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "[1 2]",
        "\"abc",
        "\"a\u{1}b\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\uD800\"",
        "\"\\uDC00\"",
        "\"\\uD800\\u0041\"",
        "[1] [2]",
        "// comment\n1",
        "[",
        "{\"a\":",
    ] {
        assert_eq!(parse(text), Err(Invalid), "{text:?}");
        check_agrees(text);
    }
}

#[test]
fn refuses_duplicate_names_that_serde_json_would_merge() {
    for text in [
        r#"{"a": 1, "a": 2}"#,
        r#"{"ssn": "1", "x": 0, "ssn": "2"}"#,
        r#"[{"n": {"a": 1, "\u0061": 2}}]"#,
        r#"{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k3":9}"#,
    ] {
        assert_eq!(parse(text), Err(Invalid), "{text:?}");
        assert!(serde_reading(text).unwrap().1, "{text:?}");
    }
    let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
    assert!(parse(&format!("{{{}}}", many.join(","))).is_ok());
}

#[test]
fn nests_as_deep_as_serde_json() {
    for depth in [126, 127, 128, 129] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            check_agrees(&text);
        }
    }
    assert!(parse(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
    assert!(parse(&format!("{}{}", "[".repeat(128), "]".repeat(128))).is_err());
}

#[test]
fn keeps_numbers_as_written() {
    let text = r#"[12345678901234567890123,1E5,-0.10]"#;
    assert_eq!(to_string(&parse(text).unwrap()).as_str(), text);
    assert_eq!(
        parse("18446744073709551615").unwrap().as_u64(),
        Some(u64::MAX)
    );
    for not_whole in ["18446744073709551616", "-1", "1.0", "1e3", "\"1\""] {
        assert_eq!(parse(not_whole).unwrap().as_u64(), None, "{not_whole}");
    }
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value as J;
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<u64>().prop_map(J::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(J::from),
        any::<String>().prop_map(J::String),
        "[\\x00-\\x1f\"\\\\/ a-é😀]{0,8}".prop_map(J::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::vec(("[a-c\\x00\"é]{0,3}", inner), 0..6)
                .prop_map(|members| J::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn writes_what_serde_json_writes(value in any_json()) {
        let compact = serde_json::to_string(&value).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let ours = parse(&compact).unwrap();
        prop_assert_eq!(&*to_string(&ours), &compact);
        prop_assert_eq!(&*to_string_pretty(&ours), &pretty);
        prop_assert_eq!(&parse(&pretty).unwrap(), &ours);
    }

    #[test]
    fn never_disagrees_on_json_like_noise(text in "[\\[\\]{}\",:0-9eE+.\\- \\\\u/ntrfalsD8C\\x00\\x1f]{0,24}") {
        check_agrees(&text);
    }

    #[test]
    fn never_disagrees_on_mutated_documents(value in any_json(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut text = serde_json::to_string(&value).unwrap().into_bytes();
        if !text.is_empty() {
            let i = at.index(text.len());
            text[i] = byte;
        }
        if let Ok(text) = String::from_utf8(text) {
            check_agrees(&text);
        }
    }
}
