//! Shared by the integration tests: the project's known-answer vector file.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{KeyPair, Keyring, Suite};
use serde_json::Value;
use std::path::PathBuf;

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

pub const KAT_FILE: &str = "enseal-v1.json";

pub fn load_kat() -> Value {
    let text = std::fs::read_to_string(vectors_dir().join(KAT_FILE))
        .expect("tests/vectors/enseal-v1.json");
    serde_json::from_str(&text).unwrap()
}

pub fn hexf(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(
        v[field]
            .as_str()
            .unwrap_or_else(|| panic!("missing {field}")),
    )
    .unwrap()
}

/// The keyring the vector file says every case is opened with.
pub fn kat_keyring(kat: &Value) -> Keyring {
    let mut ring = Keyring::new();
    for s in kat["suites"].as_array().unwrap() {
        let suite = Suite::from_name(s["suite"].as_str().unwrap()).unwrap();
        ring.add(KeyPair::from_private_bytes(suite, &hexf(s, "private_key")).unwrap());
    }
    ring
}
