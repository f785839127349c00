//! `enseal seal`, `open`, `reseal` and `audit verify`, run as processes.
//! Keys are generated per test; most tests use plaintext key files (the
//! scrypt of an age file costs about a second per read), the rotation drill
//! uses passphrase-encrypted ones as an operator would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Dir, fails_with as fails, ok, stderr, stdout};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use enseal::{KeyPair, Keyring, Opener};
use sha2::{Digest, Sha256};

const TEMPLATE: &str = "patients/{id}{pointer}";

impl Dir {
    /// A plaintext private key `name` and its public JWK `name.pub`; the kid.
    fn plain_key(&self, suite: &str, name: &str) -> String {
        let o = self.run(&[
            "key",
            "generate",
            "--suite",
            suite,
            "--out",
            name,
            "--public-out",
            &format!("{name}.pub"),
            "--insecure-plaintext-key",
        ]);
        ok(&o).trim().to_owned()
    }

    /// A keyset `out` whose primary is the public key file `public`.
    fn keyset(&self, public: &str, out: &str) {
        ok(&self.run(&["keyset", "init", "--key", public, "--out", out]));
    }

    /// The opener of plaintext key file `name`, through the library.
    fn opener(&self, name: &str) -> Opener {
        let key = KeyPair::from_jwk(&self.text(name)).unwrap();
        Opener::new(std::iter::once(key).collect::<Keyring>())
    }
}

/// The summary line: the last line of stderr.
fn summary(o: &Output) -> String {
    stderr(o).trim_end().lines().last().unwrap_or("").to_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(json).collect()
}

const NDJSON: &str = concat!(
    r#"{"id":8812,"ssn":"123-45-6789","dob":"1970-01-01","visits":[{"code":"A1","note":"flu"},{"code":"B2","note":"cold, mild"}]}"#,
    "\n",
    r#"{"id":"88/13","ssn":"987-65-4321","dob":null,"visits":[]}"#,
    "\n",
    r#"{"id":8814,"ssn":"555","dob":true,"visits":[{"code":"C3","note":"é ✓ \"quoted\""}],"extra":{"kept":"clear"}}"#,
    "\n",
);

const CSV: &str = "id,ssn,name,note\n8812,123-45-6789,\"Doe, Jane\",\"said \"\"hi\"\"\"\n8813,987-65-4321,Roe,\n8814,,x,y\n";

#[test]
fn every_record_command_has_help_with_an_example() {
    let d = Dir::new();
    for cmd in [
        &["seal"][..],
        &["open"],
        &["reseal"],
        &["audit"],
        &["audit", "verify"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = ok(&d.run(&args));
        assert!(help.contains("Example"), "{cmd:?}: {help}");
    }
}

#[test]
fn ndjson_round_trip_with_pointers_and_stars() {
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    d.write("in.ndjson", NDJSON);
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--field",
        "/dob",
        "--field",
        "/visits/*/note",
        "--context",
        TEMPLATE,
        "--out",
        "sealed.ndjson",
    ]);
    ok(&o);
    assert!(stdout(&o).is_empty());
    let s = summary(&o);
    assert!(
        s.starts_with("enseal: sealed 3 records, 9 values in "),
        "{s}"
    );
    assert!(s.ends_with(" records/s"), "{s}");
    let sealed = d.text("sealed.ndjson");
    // (Needles base64url cannot hold by chance: quotes, commas, spaces.)
    for secret in [
        "123-45-6789",
        "987-65-4321",
        "\"flu\"",
        "cold, mild",
        "1970-01-01",
    ] {
        assert!(!sealed.contains(secret), "{secret} left in the clear");
    }
    // What was not named stays in the clear.
    assert!(sealed.contains(r#""code":"A1""#) && sealed.contains(r#""kept":"clear""#));
    let rows = lines(&sealed);
    assert_eq!(rows.len(), 3);
    assert!(rows[1]["dob"].as_str().unwrap().starts_with("enseal1."));

    // open by pointer, and open every sealed string: the input back.
    for how in [
        &[
            "--field",
            "/ssn",
            "--field",
            "/dob",
            "--field",
            "/visits/*/note",
        ][..],
        &["--all"],
    ] {
        let mut args = vec![
            "open",
            "sealed.ndjson",
            "--key",
            "k.jwk",
            "--insecure-plaintext-key",
            "--context",
            TEMPLATE,
        ];
        args.extend_from_slice(how);
        let o = d.run(&args);
        assert_eq!(ok(&o), NDJSON, "{how:?}");
        assert!(
            summary(&o).starts_with("enseal: opened 3 records, 9 values in "),
            "{}",
            summary(&o)
        );
    }
    // Standard input to standard output; --quiet prints nothing on stderr.
    let o = d.run_stdin(
        &[
            "open",
            "-",
            "--format",
            "ndjson",
            "--key",
            "k.jwk",
            "--insecure-plaintext-key",
            "--all",
            "--context",
            TEMPLATE,
            "--quiet",
        ],
        sealed.as_bytes(),
    );
    assert_eq!(ok(&o), NDJSON);
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    // Opening only /ssn leaves the others sealed.
    let o = d.run(&[
        "open",
        "sealed.ndjson",
        "--key",
        "k.jwk",
        "--insecure-plaintext-key",
        "--column",
        "ssn",
        "--context",
        TEMPLATE,
    ]);
    let rows = lines(&ok(&o));
    assert_eq!(rows[0]["ssn"], "123-45-6789");
    assert!(rows[0]["dob"].as_str().unwrap().starts_with("enseal1."));
    d.no_temp_files();
}

#[test]
fn csv_round_trip_and_the_same_contexts_as_json() {
    let d = Dir::new();
    d.plain_key("p256", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    d.write("in.csv", CSV);
    let o = d.run(&[
        "seal",
        "in.csv",
        "--keyset",
        "ks.json",
        "--column",
        "ssn",
        "--column",
        "note",
        "--context",
        TEMPLATE,
        "--out",
        "sealed.csv",
    ]);
    ok(&o);
    assert!(
        summary(&o).starts_with("enseal: sealed 3 records, 6 values"),
        "{}",
        summary(&o)
    );
    let sealed = d.text("sealed.csv");
    // (Needles base64url cannot hold by chance: quotes, commas, spaces.)
    assert!(!sealed.contains("123-45-6789") && !sealed.contains("said \"\"hi"));
    assert!(
        sealed.starts_with("id,ssn,name,note\n8812,enseal1."),
        "{sealed}"
    );
    assert!(sealed.contains("\"Doe, Jane\""), "{sealed}");

    let o = d.run(&[
        "open",
        "sealed.csv",
        "--key",
        "k.jwk",
        "--insecure-plaintext-key",
        "--all",
        "--context",
        TEMPLATE,
    ]);
    assert_eq!(ok(&o), CSV);

    // The same row as JSON: each sealed CSV cell opens through the NDJSON
    // path, the row converted to an object of its strings.
    let mut reader = csv_rows(&sealed);
    let header = reader.remove(0);
    let mut ndjson = String::new();
    for row in &reader {
        let object: serde_json::Map<String, serde_json::Value> = header
            .iter()
            .cloned()
            .zip(row.iter().map(|c| serde_json::Value::String(c.clone())))
            .collect();
        ndjson.push_str(&serde_json::Value::Object(object).to_string());
        ndjson.push('\n');
    }
    d.write("converted.ndjson", &ndjson);
    let o = d.run(&[
        "open",
        "converted.ndjson",
        "--key",
        "k.jwk",
        "--insecure-plaintext-key",
        "--field",
        "/ssn",
        "--field",
        "/note",
        "--context",
        TEMPLATE,
    ]);
    let rows = lines(&ok(&o));
    assert_eq!(rows[0]["ssn"], "123-45-6789");
    assert_eq!(rows[0]["note"], "said \"hi\"");
    assert_eq!(rows[1]["note"], "");
    assert_eq!(rows[2]["ssn"], "");

    // And through the library with the context computed by hand.
    let opener = d.opener("k.jwk");
    let cell = &reader[0][1];
    let plain = opener
        .open_string(cell.as_str(), "patients/8812/ssn")
        .unwrap();
    assert_eq!(plain.trim_end(), "\"123-45-6789\"");
    assert!(opener.open(cell.as_str(), "patients/8812/note").is_err());

    // Sealed from NDJSON, opened from CSV: the same again the other way.
    d.write("row.ndjson", "{\"id\":\"8812\",\"ssn\":\"123-45-6789\"}\n");
    let o = d.run(&[
        "seal",
        "row.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "-q",
    ]);
    let value = json(&ok(&o))["ssn"].as_str().unwrap().to_owned();
    d.write("row.csv", format!("id,ssn\n8812,{value}\n"));
    let o = d.run(&[
        "open",
        "row.csv",
        "--key",
        "k.jwk",
        "--insecure-plaintext-key",
        "--column",
        "ssn",
        "--context",
        TEMPLATE,
        "-q",
    ]);
    assert_eq!(ok(&o), "id,ssn\n8812,123-45-6789\n");
}

/// A minimal CSV reader for the test (quotes, doubled quotes, commas).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[test]
fn json_documents_and_arrays_round_trip() {
    let d = Dir::new();
    d.plain_key("xwing", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    let array = "[\n  {\"id\": 1, \"ssn\": \"a\", \"visits\": [{\"note\": \"n1\"}]},\n  {\"id\": 2, \"ssn\": \"b\", \"visits\": []}\n]\n";
    let single = "{\"id\": 7, \"ssn\": \"s\", \"visits\": [{\"note\": \"x\"}, {\"note\": \"y\"}]}";
    for (name, text, records, values) in [
        ("array.json", array, 2, 3),
        ("one.json", single, 1, 3),
        ("empty.json", " [ ] ", 0, 0),
    ] {
        d.write(name, text);
        let o = d.run(&[
            "seal",
            name,
            "--keyset",
            "ks.json",
            "--field",
            "/ssn",
            "--field",
            "/visits/*/note",
            "--context",
            TEMPLATE,
            "--out",
            "sealed.json",
            "--force",
        ]);
        ok(&o);
        assert!(
            summary(&o).contains(&format!("sealed {records} records, {values} values")),
            "{name}: {}",
            summary(&o)
        );
        let sealed = d.text("sealed.json");
        // The output is one JSON document of the same shape.
        let doc = json(&sealed);
        assert_eq!(doc.is_array(), name != "one.json", "{sealed}");
        let o = d.run(&[
            "open",
            "sealed.json",
            "--key",
            "k.jwk",
            "--insecure-plaintext-key",
            "--all",
            "--context",
            TEMPLATE,
        ]);
        assert_eq!(json(&ok(&o)), json(text), "{name}");
    }
}

#[test]
fn every_shared_template_vector_renders_the_same_context() {
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    let opener = d.opener("k.jwk");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/context-templates.json"
    );
    let vectors = json(&std::fs::read_to_string(path).unwrap());
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 18);
    for case in cases {
        let template = case["template"].as_str().unwrap();
        let record = case["record"].as_str().unwrap();
        let pointer = case["pointer"].as_str().unwrap();
        // The record, with a value "v" added at the pointer (record text kept
        // as written, so numbers keep their text).
        let line = with_value_at(record, pointer);
        d.write("case.ndjson", format!("{line}\n"));
        let o = d.run(&[
            "seal",
            "case.ndjson",
            "--keyset",
            "ks.json",
            "--field",
            pointer,
            "--context",
            template,
            "-q",
        ]);
        match (case.get("context"), case.get("error")) {
            (Some(context), None) => {
                let out = json(&ok(&o));
                let value = out.pointer(pointer).and_then(|v| v.as_str()).unwrap();
                let plain = opener.open_string(value, context.as_str().unwrap());
                assert_eq!(
                    plain.map(|p| p.trim_end().to_owned()).ok().as_deref(),
                    Some("\"v\""),
                    "{case}"
                );
            }
            (None, Some(code)) => {
                let code = code.as_str().unwrap();
                let err = fails(&o, &[code]);
                assert!(
                    err.contains("case.ndjson:1: ") || err.contains("--context"),
                    "{err}"
                );
            }
            _ => panic!("bad case {case}"),
        }
    }
}

/// `record` (an object's text) with `"v"` at `pointer`, nested as needed.
fn with_value_at(record: &str, pointer: &str) -> String {
    let tokens: Vec<String> = pointer[1..]
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut value = "\"v\"".to_owned();
    for token in tokens[1..].iter().rev() {
        value = if token.bytes().all(|b| b.is_ascii_digit()) {
            format!("[{value}]")
        } else {
            format!("{{{}:{value}}}", serde_json::Value::String(token.clone()))
        };
    }
    let member = format!("{}:{value}", serde_json::Value::String(tokens[0].clone()));
    let body = record.trim().strip_suffix('}').unwrap();
    if body.trim() == "{" {
        format!("{{{member}}}")
    } else {
        format!("{body},{member}}}")
    }
}

#[test]
fn malformed_inputs_give_one_line_and_leave_the_output_untouched() {
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.plain_key("x25519", "other.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    d.write("in.ndjson", NDJSON);
    let seal = |input: &str, extra: &[&str]| {
        let mut args = vec!["seal", input, "--keyset", "ks.json", "--context", TEMPLATE];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", "out.txt", "--force"]);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--out",
        "sealed.ndjson",
    ]);
    ok(&o);
    let sealed = d.text("sealed.ndjson");
    let open = |input: &str, key: &str, extra: &[&str]| {
        let mut args = vec![
            "open",
            input,
            "--key",
            key,
            "--insecure-plaintext-key",
            "--context",
            TEMPLATE,
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", "out.txt", "--force"]);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };

    // A value altered in the middle of its ciphertext (line 2).
    let mut rows: Vec<String> = sealed.lines().map(str::to_owned).collect();
    let value = json(&rows[1])["ssn"].as_str().unwrap().to_owned();
    let at = value.len() - 12;
    let flipped = if &value[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{flipped}{}", &value[..at], &value[at + 1..]);
    rows[1] = rows[1].replace(&value, &tampered);
    d.write("tampered.ndjson", rows.join("\n") + "\n");

    d.write(
        "badline.ndjson",
        "{\"id\":1,\"ssn\":\"x\"}\n{\"id\":2,\"ssn\":\"y\"\n",
    );
    d.write("badrow.csv", "id,ssn\n1,x\n2,y,z\n");
    // A quote never closed would swallow every later row into one value.
    d.write("openquote.csv", "id,ssn\n1,111\n2,\"222\n3,333\n4,444\n");
    // An earlier record's failure (line 2) is reported before a later unreadable line (3).
    d.write(
        "twofaults.ndjson",
        b"{\"id\":1,\"ssn\":\"x\"}\n{\"id\":2}\n{\"id\":3,\"ssn\":\"\xff\"}\n".as_slice(),
    );
    d.write(
        "noid.ndjson",
        "{\"id\":1,\"ssn\":\"x\"}\n{\"ssn\":\"secret-zzz\"}\n",
    );
    d.write("badarray.json", "[{\"id\":1,\"ssn\":\"x\"}, 3]");
    d.write(
        "notsealed.ndjson",
        "{\"id\":1,\"ssn\":\"plain-value-qqq\"}\n",
    );
    d.write("empty.json", "");
    d.write(
        "longrow.csv",
        format!("id,ssn\n1,x\n2,{}\n3,z\n", "y".repeat(200_000)),
    );

    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        (
            seal("badline.ndjson", &["--field", "/ssn"]),
            vec!["badline.ndjson:2: ", "INVALID_JSON"],
        ),
        (
            seal("badrow.csv", &["--column", "ssn"]),
            vec!["badrow.csv:3: ", "3 fields, the header has 2"],
        ),
        (
            seal("openquote.csv", &["--column", "ssn"]),
            vec!["openquote.csv:", "a quoted field is never closed"],
        ),
        (
            seal("twofaults.ndjson", &["--field", "/ssn"]),
            vec!["twofaults.ndjson:2: /ssn: PATH_NOT_FOUND"],
        ),
        (
            seal("noid.ndjson", &["--field", "/ssn"]),
            vec!["noid.ndjson:2: ", "INVALID_TEMPLATE", "no field {id}"],
        ),
        (
            seal("in.ndjson", &["--field", "/nope"]),
            vec!["in.ndjson:1: /nope: PATH_NOT_FOUND"],
        ),
        (
            seal("badarray.json", &["--field", "/ssn"]),
            vec!["badarray.json: record 2: ", "not a JSON object"],
        ),
        (
            seal("empty.json", &["--field", "/ssn"]),
            vec!["empty.json: record 1: ", "empty"],
        ),
        (
            seal(
                "longrow.csv",
                &["--column", "ssn", "--max-record-bytes", "1000"],
            ),
            vec!["longrow.csv:3: ", "larger than 1000 bytes"],
        ),
        (
            seal("in.ndjson", &["--field", "ssn"]),
            vec!["INVALID_POINTER"],
        ),
        (
            open("notsealed.ndjson", "k.jwk", &["--field", "/ssn"]),
            vec!["notsealed.ndjson:1: /ssn: NOT_SEALED"],
        ),
        (
            open("sealed.ndjson", "other.jwk", &["--field", "/ssn"]),
            vec!["sealed.ndjson:1: /ssn: UNKNOWN_KEY"],
        ),
        (
            open("tampered.ndjson", "k.jwk", &["--all"]),
            vec!["tampered.ndjson:2: /ssn: DECRYPT_FAILED"],
        ),
        (
            {
                let mut args = open("sealed.ndjson", "k.jwk", &["--field", "/ssn"]);
                args[6] = "p/{id".into();
                args
            },
            vec!["--context \"p/{id\"", "INVALID_TEMPLATE", "never closed"],
        ),
    ];
    d.write("out.txt", "a pre-existing output\n");
    for (args, needles) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = fails(&d.run(&args), &needles);
        for secret in [
            "123-45-6789",
            "secret-zzz",
            "plain-value-qqq",
            "987-65-4321",
        ] {
            assert!(!err.contains(secret), "{err}");
        }
        assert_eq!(d.read("out.txt"), b"a pre-existing output\n", "{args:?}");
        d.no_temp_files();
    }
    // A wrong context is a failure to decrypt, with the pointer named.
    let mut args = open("sealed.ndjson", "k.jwk", &["--all"]);
    args[6] = "patients/{dob}{pointer}".into();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    fails(&d.run(&args), &["sealed.ndjson:1: /ssn: DECRYPT_FAILED"]);
    assert_eq!(d.text("out.txt"), "a pre-existing output\n");

    // Without --force an existing output is refused before anything is read.
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--out",
        "out.txt",
    ]);
    fails(&o, &["out.txt: already exists"]);
    // An expired primary is refused.
    ok(&d.run(&[
        "keyset",
        "init",
        "--key",
        "k.jwk.pub",
        "--created",
        "1000000000",
        "--not-after",
        "1500000000",
        "--out",
        "old.json",
    ]));
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "old.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--out",
        "out.txt",
        "--force",
    ]);
    fails(&o, &["old.json: KEY_EXPIRED"]);
    assert_eq!(d.text("out.txt"), "a pre-existing output\n");
    // No values named, --all with --field: usage errors.
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--context",
        TEMPLATE,
    ]);
    fails(&o, &["--field"]);
    let o = d.run(&[
        "open",
        "in.ndjson",
        "--key",
        "k.jwk",
        "--all",
        "--field",
        "/ssn",
        "--context",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_error_names_the_pointer_of_the_value_that_failed() {
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.plain_key("x25519", "other.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    d.keyset("other.jwk.pub", "other.json");
    d.write(
        "in.ndjson",
        "{\"id\":1,\"a\":\"x\",\"v\":[{\"n\":\"1\"},{\"n\":\"2\"},{\"n\":\"3\"}]}\n",
    );
    let sealed = |keyset: &str| {
        let o = d.run(&[
            "seal",
            "in.ndjson",
            "--keyset",
            keyset,
            "--field",
            "/a",
            "--field",
            "/v/*/n",
            "--context",
            TEMPLATE,
            "-q",
        ]);
        json(&ok(&o))
    };
    // /v/2/n sealed to another key: found among the four values.
    let mut mixed = sealed("ks.json");
    mixed["v"][2]["n"] = sealed("other.json")["v"][2]["n"].clone();
    d.write("mixed.ndjson", format!("{mixed}\n"));
    for how in [&["--all"][..], &["--field", "/a", "--field", "/v/*/n"]] {
        let mut args = vec![
            "open",
            "mixed.ndjson",
            "--key",
            "k.jwk",
            "--insecure-plaintext-key",
            "--context",
            TEMPLATE,
        ];
        args.extend_from_slice(how);
        fails(&d.run(&args), &["mixed.ndjson:1: /v/2/n: UNKNOWN_KEY"]);
    }
}

#[test]
fn reseal_keeps_or_stops_on_a_failed_record() {
    let d = Dir::new();
    let a = d.plain_key("x25519", "a.jwk");
    let b = d.plain_key("x25519", "b.jwk");
    d.plain_key("x25519", "c.jwk");
    d.keyset("a.jwk.pub", "ks.json");
    d.keyset("c.jwk.pub", "c.json");
    let rows: String = (1..=4)
        .map(|i| format!("{{\"id\":{i},\"ssn\":\"s{i}\",\"dob\":\"d{i}\"}}\n"))
        .collect();
    d.write("in.ndjson", &rows);
    let seal = |keyset: &str| {
        let o = d.run(&[
            "seal",
            "in.ndjson",
            "--keyset",
            keyset,
            "--field",
            "/ssn",
            "--field",
            "/dob",
            "--context",
            TEMPLATE,
            "-q",
        ]);
        ok(&o)
    };
    let on_a = seal("ks.json");
    let on_c = seal("c.json");
    // Line 3 is on key c, which nobody gives: it cannot be re-sealed.
    let mut mixed: Vec<&str> = on_a.lines().collect();
    mixed[2] = on_c.lines().nth(2).unwrap();
    d.write("mixed.ndjson", mixed.join("\n") + "\n");
    ok(&d.run(&["keyset", "add", "--keyset", "ks.json", "--key", "b.jwk.pub"]));
    ok(&d.run(&["keyset", "promote", &b, "--keyset", "ks.json"]));
    let reseal = |on_error: &str| {
        d.run(&[
            "reseal",
            "--audit",
            "audit.log",
            "--actor",
            "rotator",
            "mixed.ndjson",
            "--key",
            "a.jwk",
            "--key",
            "b.jwk",
            "--insecure-plaintext-key",
            "--keyset",
            "ks.json",
            "--all",
            "--context",
            TEMPLATE,
            "--on-error",
            on_error,
            "--out",
            "out.ndjson",
            "--force",
        ])
    };
    d.write("out.ndjson", "before\n");
    // stop: nothing written.
    let o = reseal("stop");
    fails(&o, &["mixed.ndjson:3: ", "UNKNOWN_KEY"]);
    assert_eq!(d.text("out.ndjson"), "before\n");
    d.no_temp_files();

    // keep (the default): every record written, the failed one unchanged.
    let o = reseal("keep");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let err_lines: Vec<&str> = err.trim_end().lines().collect();
    assert_eq!(err_lines.len(), 3, "{err}");
    assert!(
        err_lines[0].starts_with("enseal: mixed.ndjson:3: /")
            && err_lines[0].contains("UNKNOWN_KEY")
            && err_lines[0].ends_with("(record written unchanged)"),
        "{err}"
    );
    assert!(
        err_lines[1].starts_with(
            "enseal: re-sealed 4 records: 6 values re-sealed, 0 already current, 1 records failed (UNKNOWN_KEY 1)"
        ),
        "{err}"
    );
    assert!(
        err_lines[2].starts_with("enseal: error: 1 record(s)"),
        "{err}"
    );
    let out = d.text("out.ndjson");
    let out_lines: Vec<&str> = out.lines().collect();
    assert_eq!(out_lines.len(), 4);
    assert_eq!(
        out_lines[2], mixed[2],
        "the failed record is written as it was"
    );
    // The opens of both runs are audited, the failed ones too.
    let audit = ok(&d.run(&["audit", "verify", "audit.log"]));
    let first = audit.lines().next().unwrap().to_owned();
    assert!(
        first.starts_with("events ") && !first.contains("(0 failed)"),
        "{audit}"
    );
    assert!(audit.lines().any(|l| l.starts_with("rotator ")), "{audit}");
    let inspect = ok(&d.run(&["inspect", "--file", "out.ndjson"]));
    assert!(inspect.contains(&b) && !inspect.contains(&a), "{inspect}");

    // Again over the output: nothing left to re-seal but the failed record;
    // the current values are recognised without key a.
    d.write("out2.ndjson", "");
    let o = d.run(&[
        "reseal",
        "out.ndjson",
        "--key",
        "b.jwk",
        "--insecure-plaintext-key",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--field",
        "/dob",
        "--context",
        TEMPLATE,
        "--out",
        "out2.ndjson",
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("0 values re-sealed, 6 already current, 1 records failed"),
        "{}",
        stderr(&o)
    );
    assert_eq!(d.text("out2.ndjson"), out);
}

#[test]
fn audit_log_of_open_verifies_and_catches_tampering() {
    let d = Dir::new();
    let kid = d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    d.write("in.ndjson", NDJSON);
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--field",
        "/visits/*/note",
        "--context",
        TEMPLATE,
        "--out",
        "sealed.ndjson",
    ]);
    ok(&o);
    let open = |actor: &str, template: &str| {
        d.run(&[
            "open",
            "sealed.ndjson",
            "--key",
            "k.jwk",
            "--insecure-plaintext-key",
            "--all",
            "--context",
            template,
            "--audit",
            "audit.log",
            "--actor",
            actor,
            "-q",
            // One thread: exact event counts (each worker thread decapsulates
            // a session it has not seen yet, so more threads may add one).
            "--threads",
            "1",
        ])
    };
    assert_eq!(ok(&open("alice", TEMPLATE)), NDJSON);
    ok(&open("bob", TEMPLATE));
    // A failed open is an event too (the wrong context: the first value fails).
    fails(&open("mallory", "other/{id}{pointer}"), &["DECRYPT_FAILED"]);
    let log = d.text("audit.log");
    assert!(!log.contains("123-45-6789") && !log.contains("cold, mild"));

    let report = ok(&d.run(&["audit", "verify", "audit.log"]));
    // 6 values and one decapsulation per run; the failed run: one failed
    // open (and its decapsulation).
    let events = log.lines().count();
    assert!(
        report.starts_with(&format!("events {events} (")),
        "{report}"
    );
    assert!(!report.contains("(0 failed)"), "{report}");
    let count = |who: &str| {
        report
            .lines()
            .find(|l| l.starts_with(who))
            .unwrap_or_else(|| panic!("{who}: {report}"))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(count("alice"), 6 + 1);
    assert_eq!(count("bob"), 6 + 1);
    assert!(count("mallory") >= 1);
    assert_eq!(count(&kid), events as u64);
    assert!(report.trim_end().ends_with("intact"), "{report}");

    let good: Vec<&str> = log.lines().collect();
    let deleted = [&good[..3], &good[4..]].concat();
    let mut edited: Vec<String> = good.iter().map(|l| l.to_string()).collect();
    edited[4] = edited[4].replace("\"alice\"", "\"alicf\"");
    assert_ne!(edited[4], good[4]);
    let mut reordered = good.clone();
    reordered.swap(5, 6);
    for (name, lines, needle) in [
        ("deleted.log", deleted.join("\n"), "line 4: "),
        ("edited.log", edited.join("\n"), "line 5: "),
        ("reordered.log", reordered.join("\n"), "line 6: "),
    ] {
        d.write(name, lines + "\n");
        let o = d.run(&["audit", "verify", name]);
        let err = fails(&o, &[name, needle, "the chain is broken"]);
        assert!(stdout(&o).contains("before the first bad line"), "{err}");
    }
    // Appending to a broken log is refused: no open without its audit.
    std::fs::copy(d.path("edited.log"), d.path("audit.log")).unwrap();
    let o = open("alice", TEMPLATE);
    fails(&o, &["audit.log: cannot open the audit log", "line 5"]);
    assert!(o.stdout.is_empty());

    // --audit needs --actor (and the reverse).
    for args in [&["--audit", "x.log"][..], &["--actor", "alice"]] {
        let mut all = vec![
            "open",
            "sealed.ndjson",
            "--key",
            "k.jwk",
            "--insecure-plaintext-key",
            "--all",
            "--context",
            TEMPLATE,
        ];
        all.extend_from_slice(args);
        let o = d.run(&all);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(!d.path("x.log").exists());
    }
    fails(
        &d.run(&["audit", "verify", "missing.log"]),
        &["missing.log"],
    );
}

/// A process capped with prlimit(1) (util-linux) at `bytes` of data
/// (RLIMIT_DATA: heap and private mappings).
fn capped(d: &Dir, bytes: u64, args: &[&str]) -> Output {
    let mut all = vec![format!("--data={bytes}"), "--".into()];
    all.push(env!("CARGO_BIN_EXE_enseal").into());
    all.extend(args.iter().map(|s| s.to_string()));
    Command::new("prlimit")
        .args(&all)
        .current_dir(d.tmp.path())
        .stdin(Stdio::null())
        .output()
        .expect("prlimit (util-linux) is needed")
}

#[test]
fn sealing_streams_in_constant_memory() {
    const CAP: u64 = 8 << 20;
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    // 64 MiB of NDJSON, eight times the cap: 640 records of 100 KiB.
    let blob = "x".repeat(100 * 1024);
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(d.path("big.ndjson")).unwrap());
        for i in 0..640 {
            writeln!(
                f,
                "{{\"id\":{i},\"ssn\":\"123-45-{i:04}\",\"blob\":\"{blob}\"}}"
            )
            .unwrap();
        }
    }
    let size = std::fs::metadata(d.path("big.ndjson")).unwrap().len();
    assert!(size > 7 * CAP, "{size}");
    let args = [
        "seal",
        "big.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--out",
        "sealed.ndjson",
    ];
    let o = capped(&d, CAP, &args);
    let s = summary(&o);
    ok(&o);
    assert!(
        s.starts_with("enseal: sealed 640 records, 640 values"),
        "{s}"
    );
    let sealed = std::fs::File::open(d.path("sealed.ndjson")).unwrap();
    let mut count = 0;
    for line in std::io::BufRead::lines(std::io::BufReader::new(sealed)) {
        let line = line.unwrap();
        assert!(line.contains("\"ssn\":\"enseal1.") && line.len() > 100 * 1024);
        count += 1;
    }
    assert_eq!(count, 640);

    // The cap bites: a deliberately too small one fails the same run...
    let o = capped(
        &d,
        1 << 20,
        &[&args[..9], &["--out", "small.ndjson"]].concat(),
    );
    assert!(!o.status.success(), "a 1 MiB cap did not bite");
    assert!(!d.path("small.ndjson").exists());
    // ...and so does holding a file-sized record under the same cap: one JSON
    // document of 24 MiB (a record must be held whole) fails where the 64 MiB
    // stream passed.
    {
        let mut f = std::fs::File::create(d.path("one.json")).unwrap();
        write!(f, "{{\"id\":1,\"ssn\":\"x\",\"blob\":\"").unwrap();
        let chunk = "y".repeat(1 << 20);
        for _ in 0..24 {
            f.write_all(chunk.as_bytes()).unwrap();
        }
        write!(f, "\"}}").unwrap();
    }
    let one = [
        "seal",
        "one.json",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--max-record-bytes",
        "100000000",
        "--out",
        "one.sealed.json",
    ];
    let o = capped(&d, CAP, &one);
    assert!(!o.status.success(), "a 24 MiB record fit in {CAP} bytes?");
    assert!(!d.path("one.sealed.json").exists());
    // Uncapped it works (so the failure above was the cap's)...
    ok(&d.run(&one));
    // ...and the record bound refuses it cleanly, before it is held whole.
    let o = capped(
        &d,
        CAP,
        &[
            &one[..8],
            &["--max-record-bytes", "1000000", "--out", "two.json"],
        ]
        .concat(),
    );
    fails(&o, &["one.json: record 1: ", "larger than 1000000 bytes"]);
    assert!(!d.path("two.json").exists());
}

/// 10,000 records, 3 sealed fields each, rotated from key A to key B
/// through the CLI only: every value ends on B, A can be dropped, and what
/// opens afterwards is exactly what opened before.
#[test]
fn rotation_drill() {
    let started = Instant::now();
    let d = Dir::new();
    d.passphrase("pass.txt");
    let gen_key = |name: &str| {
        let o = d.run(&[
            "key",
            "generate",
            "--suite",
            "x25519",
            "--out",
            name,
            "--public-out",
            &format!("{name}.pub"),
            "--passphrase-file",
            "pass.txt",
        ]);
        ok(&o).trim().to_owned()
    };
    let a = gen_key("a.age");
    ok(&d.run(&["keyset", "init", "--key", "a.age.pub", "--out", "ks.json"]));

    let mut input = String::new();
    for i in 0..10_000 {
        input.push_str(&format!(
            "{{\"id\":{i},\"ssn\":\"{:03}-{:02}-{:04}\",\"dob\":\"19{:02}-0{}-1{}\",\"address\":{{\"street\":\"{i} Main St\",\"city\":\"North\"}},\"visits\":{}}}\n",
            i % 1000,
            i % 100,
            i,
            i % 100,
            i % 9 + 1,
            i % 10,
            i % 7
        ));
    }
    d.write("records.ndjson", &input);
    let fields = [
        "--field",
        "/ssn",
        "--field",
        "/dob",
        "--field",
        "/address/street",
    ];
    let keys_a = ["--key", "a.age", "--passphrase-file", "pass.txt"];
    let o = d.run(
        &[
            &[
                "seal",
                "records.ndjson",
                "--keyset",
                "ks.json",
                "--context",
                TEMPLATE,
            ][..],
            &fields,
            &["--out", "sealed.ndjson"],
        ]
        .concat(),
    );
    ok(&o);
    assert!(summary(&o).starts_with("enseal: sealed 10000 records, 30000 values"));
    let before = inspect_counts(&d, "sealed.ndjson");
    assert_eq!(before, vec![(a.clone(), 30000, "primary".to_owned())]);

    // What opens before the rotation.
    let o = d.run(
        &[
            &["open", "sealed.ndjson", "--context", TEMPLATE, "--all"][..],
            &keys_a,
            &["--out", "opened-before.ndjson"],
        ]
        .concat(),
    );
    ok(&o);
    let opened_before = d.text("opened-before.ndjson");
    assert_eq!(opened_before, input);
    let digests_before = digests(&opened_before);
    assert_eq!(digests_before.len(), 10_000);

    // Key B, added and promoted.
    let b = gen_key("b.age");
    ok(&d.run(&["keyset", "add", "--keyset", "ks.json", "--key", "b.age.pub"]));
    ok(&d.run(&["keyset", "promote", &b, "--keyset", "ks.json"]));

    // Re-seal with A and B.
    let o = d.run(&[
        "reseal",
        "sealed.ndjson",
        "--key",
        "a.age",
        "--key",
        "b.age",
        "--passphrase-file",
        "pass.txt",
        "--keyset",
        "ks.json",
        "--all",
        "--context",
        TEMPLATE,
        "--out",
        "resealed.ndjson",
    ]);
    ok(&o);
    assert!(
        summary(&o).starts_with(
            "enseal: re-sealed 10000 records: 30000 values re-sealed, 0 already current, 0 records failed"
        ),
        "{}",
        summary(&o)
    );
    let after = inspect_counts(&d, "resealed.ndjson");
    assert_eq!(after, vec![(b.clone(), 30000, "primary".to_owned())]);

    // A leaves the keyset and the keys given to open.
    ok(&d.run(&["keyset", "retire", &a, "--keyset", "ks.json"]));
    let show = ok(&d.run(&["keyset", "show", "--keyset", "ks.json"]));
    assert!(!show.contains(&a) && show.contains(&b), "{show}");
    let keys_b = ["--key", "b.age", "--passphrase-file", "pass.txt"];
    let o = d.run(
        &[
            &["open", "resealed.ndjson", "--context", TEMPLATE, "--all"][..],
            &keys_b,
            &["--out", "opened-after.ndjson"],
        ]
        .concat(),
    );
    ok(&o);
    assert!(summary(&o).starts_with("enseal: opened 10000 records, 30000 values"));
    let opened_after = d.text("opened-after.ndjson");
    assert_eq!(digests(&opened_after), digests_before);

    // A value still on A, once A is dropped, fails with UNKNOWN_KEY, never silently.
    let resealed = d.text("resealed.ndjson");
    let old = d.text("sealed.ndjson");
    let mut partial: Vec<&str> = resealed.lines().collect();
    partial[6123] = old.lines().nth(6123).unwrap();
    d.write("partial.ndjson", partial.join("\n") + "\n");
    d.write("opened-partial.ndjson", "untouched\n");
    let o = d.run(
        &[
            &["open", "partial.ndjson", "--context", TEMPLATE, "--all"][..],
            &keys_b,
            &["--out", "opened-partial.ndjson", "--force"],
        ]
        .concat(),
    );
    fails(&o, &["partial.ndjson:6124: /ssn: UNKNOWN_KEY", &a]);
    assert_eq!(d.text("opened-partial.ndjson"), "untouched\n");
    eprintln!("rotation drill: {:.1} s", started.elapsed().as_secs_f64());
}

/// `inspect --file F --keyset ks.json`: (kid, count, status) per row.
fn inspect_counts(d: &Dir, file: &str) -> Vec<(String, u64, String)> {
    let out = ok(&d.run(&["inspect", "--file", file, "--keyset", "ks.json"]));
    assert!(out.contains("malformed 0"), "{out}");
    out.lines()
        .skip(2)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (
                cols[0].to_owned(),
                cols[2].parse().unwrap(),
                cols[3].to_owned(),
            )
        })
        .collect()
}

/// SHA-256 of every record (line), in order.
fn digests(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| hex::encode(Sha256::digest(l.as_bytes())))
        .collect()
}

#[test]
fn a_progress_bar_only_on_a_terminal() {
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    let input: String = (0..3000)
        .map(|i| format!("{{\"id\":{i},\"ssn\":\"{i:09}\"}}\n"))
        .collect();
    d.write("in.ndjson", &input);
    let seal = format!(
        "{} seal in.ndjson --keyset ks.json --field /ssn --context 'p/{{id}}{{pointer}}' --out s.ndjson --force",
        env!("CARGO_BIN_EXE_enseal")
    );
    // On a terminal (a pty from script(1)): the bar, with bytes, records/s and an ETA.
    let on_pty = |extra: &str| {
        let o = Command::new("script")
            .args(["-qec", &format!("{seal} {extra}"), "/dev/null"])
            .current_dir(d.tmp.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stdout(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let shown = on_pty("");
    assert!(
        shown.contains("ETA") && shown.contains("records/s"),
        "{shown:?}"
    );
    assert!(shown.contains("enseal: sealed 3000 records, 3000 values"));
    let quiet = on_pty("--quiet");
    assert!(
        !quiet.contains("ETA") && !quiet.contains("records"),
        "{quiet:?}"
    );
    // In a pipe: the summary line only.
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        "p/{id}{pointer}",
        "--out",
        "s.ndjson",
        "--force",
    ]);
    ok(&o);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("ETA") && err.starts_with("enseal: sealed 3000 records"));
}

#[test]
fn a_fifo_or_device_output_is_written_in_place_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    d.write("in.ndjson", NDJSON);
    let fifo = d.path("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    // No --force needed: nothing is replaced.
    let o = d.run(&[
        "seal",
        "in.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--out",
        "pipe",
        "-q",
    ]);
    ok(&o);
    let got = reader.join().unwrap();
    assert_eq!(got.lines().count(), 3);
    assert!(got.contains("\"ssn\":\"enseal1."));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    d.no_temp_files();
}

#[test]
fn threads_keep_records_in_order_and_fail_on_the_first_bad_one() {
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    // Several batches (512 records each), a blank line kept in place.
    let mut input = String::new();
    for i in 0..1300 {
        input.push_str(&format!("{{\"id\":{i},\"ssn\":\"123-45-{i:04}\"}}\n"));
        if i == 700 {
            input.push('\n');
        }
    }
    d.write("in.ndjson", &input);
    let run = |cmd: &str, file: &str, out: &str, threads: &str| {
        let key = if cmd == "seal" { "--keyset" } else { "--key" };
        let keyfile = if cmd == "seal" { "ks.json" } else { "k.jwk" };
        let mut args = vec![
            cmd,
            file,
            key,
            keyfile,
            "--field",
            "/ssn",
            "--context",
            TEMPLATE,
            "--out",
            out,
            "--threads",
            threads,
            "-q",
        ];
        if cmd != "seal" {
            args.push("--insecure-plaintext-key");
        }
        d.run(&args)
    };
    ok(&run("seal", "in.ndjson", "sealed.ndjson", "4"));
    let sealed = d.text("sealed.ndjson");
    assert_eq!(sealed.lines().count(), 1301);
    assert!(!sealed.contains("123-45-"));
    ok(&run("open", "sealed.ndjson", "one.ndjson", "1"));
    ok(&run("open", "sealed.ndjson", "four.ndjson", "4"));
    assert_eq!(d.text("one.ndjson"), input);
    assert_eq!(d.text("four.ndjson"), input);

    // A damaged record in the second batch: the run names that line, and
    // --out is left as it was.
    let mut lines: Vec<String> = sealed.lines().map(str::to_owned).collect();
    lines[600] = lines[600].replace("\"ssn\":\"enseal1.", "\"ssn\":\"enseal1.A");
    d.write("bad.ndjson", &(lines.join("\n") + "\n"));
    d.write("kept.ndjson", "before\n");
    let o = d.run(&[
        "open",
        "bad.ndjson",
        "--key",
        "k.jwk",
        "--insecure-plaintext-key",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--out",
        "kept.ndjson",
        "--force",
        "--threads",
        "4",
        "-q",
    ]);
    fails(&o, &["bad.ndjson:601: /ssn: "]);
    assert_eq!(d.text("kept.ndjson"), "before\n");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_record() {
    let d = Dir::new();
    d.plain_key("x25519", "k.jwk");
    d.keyset("k.jwk.pub", "ks.json");
    d.write(
        "bom.ndjson",
        b"\xEF\xBB\xBF{\"id\":1,\"ssn\":\"x\"}\n".as_slice(),
    );
    let seal = d.run(&[
        "seal",
        "bom.ndjson",
        "--keyset",
        "ks.json",
        "--field",
        "/ssn",
        "--context",
        TEMPLATE,
        "--out",
        "sealed.ndjson",
        "-q",
    ]);
    ok(&seal);
    let open = d.run(&[
        "open",
        "sealed.ndjson",
        "--key",
        "k.jwk",
        "--insecure-plaintext-key",
        "--all",
        "--context",
        TEMPLATE,
        "-q",
    ]);
    assert_eq!(ok(&open), "{\"id\":1,\"ssn\":\"x\"}\n");
}
