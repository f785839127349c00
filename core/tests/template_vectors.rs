//! The shared context-template vectors (tests/vectors/context-templates.json),
//! which every binding also renders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::ContextTemplate;

#[test]
fn every_case_renders_as_the_vectors_say() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/context-templates.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 18);
    for case in cases {
        let record = case["record"].as_str().unwrap();
        let pointer = case["pointer"].as_str().unwrap();
        let got = ContextTemplate::parse(case["template"].as_str().unwrap())
            .and_then(|t| t.render_json(record, pointer));
        match (case.get("context"), case.get("error")) {
            (Some(want), None) => {
                let got = got.unwrap_or_else(|e| panic!("{case}: {e}"));
                assert_eq!(got.as_bytes(), want.as_str().unwrap().as_bytes(), "{case}");
            }
            (None, Some(code)) => {
                let error = got.expect_err(&case.to_string());
                assert_eq!(error.code().name(), code.as_str().unwrap(), "{case}");
            }
            _ => panic!("a case has either context or error: {case}"),
        }
    }
}
