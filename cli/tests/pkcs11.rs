//! `--key pkcs11:…` and `--key wrapped:…`, `key generate --pkcs11` and
//! `key wrap`, run as processes against a real SoftHSM2 2.6.1 token that
//! each test initialises in its own directory (Debian's softhsm2, which
//! `cargo xtask test` installs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Dir, fails_with as fails, ok, random_hex, stderr};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const TEMPLATE: &str = "patients/{id}{pointer}";
const NDJSON: &str = concat!(
    r#"{"id":1,"ssn":"123-45-6789","note":"flu"}"#,
    "\n",
    r#"{"id":2,"ssn":"987-65-4321","note":"cold"}"#,
    "\n",
    r#"{"id":3,"ssn":"555-55-5555","note":"é ✓"}"#,
    "\n",
);
const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// A scratch directory with its own SoftHSM2 token `cli-test`.
struct Token {
    dir: Dir,
    conf: PathBuf,
    pin: String,
}

impl Token {
    fn new() -> Token {
        assert!(
            std::path::Path::new(MODULE).exists(),
            "{MODULE} is missing: apt-get install softhsm2 (cargo xtask test installs it)"
        );
        let dir = Dir::new();
        let tokens = dir.path("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let pin = random_hex(8);
        dir.write("pin.txt", format!("{pin}\n"));
        let o = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args(["--init-token", "--free", "--label", "cli-test"])
            .args(["--so-pin", &random_hex(8), "--pin", &pin])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        Token { dir, conf, pin }
    }

    /// The token's URI with the PIN file, `path` attributes appended.
    fn uri(&self, path: &str) -> String {
        let sep = if path.is_empty() { "" } else { ";" };
        format!(
            "pkcs11:token=cli-test{sep}{path}?pin-source=file:{}",
            self.dir.path("pin.txt").display()
        )
    }

    /// `enseal ARGS` with the token's configuration and module in the environment.
    fn run(&self, args: &[&str]) -> Output {
        let conf = self.conf.to_str().unwrap().to_string();
        self.dir.run_env(
            args,
            &[("SOFTHSM2_CONF", &conf), ("ENSEAL_PKCS11_MODULE", MODULE)],
        )
    }

    fn seal(&self, keyset: &str, out: &str) {
        self.dir.write("in.ndjson", NDJSON);
        ok(&self.run(&[
            "seal",
            "in.ndjson",
            "--keyset",
            keyset,
            "--field",
            "/ssn",
            "--field",
            "/note",
            "--context",
            TEMPLATE,
            "--out",
            out,
        ]));
        assert!(!self.dir.text(out).contains("123-45-6789"));
    }

    fn open(&self, file: &str, key: &str) -> Output {
        self.run(&["open", file, "--key", key, "--all", "--context", TEMPLATE])
    }
}

#[test]
fn a_key_generated_in_the_token_opens_and_reseals_records() {
    let t = Token::new();
    let o = t.run(&[
        "key",
        "generate",
        "--pkcs11",
        &t.uri(""),
        "--label",
        "k1",
        "--suite",
        "p256",
        "--public-out",
        "k1.pub",
    ]);
    let jwk = ok(&o);
    assert_eq!(jwk.trim(), t.dir.text("k1.pub").trim());
    let public = enseal::PublicKey::from_jwk(jwk.trim()).unwrap();
    assert!(stderr(&o).contains(&public.kid().to_string()));
    assert!(!stderr(&o).contains(&t.pin) && !jwk.contains(&t.pin));
    // The label is taken now.
    fails(
        &t.run(&[
            "key",
            "generate",
            "--pkcs11",
            &t.uri(""),
            "--label",
            "k1",
            "--suite",
            "p256",
        ]),
        &["exists already", "INVALID_ARGUMENT"],
    );
    // X25519: SoftHSM2 2.6.1 has no standard Montgomery key generation; said so.
    fails(
        &t.run(&[
            "key",
            "generate",
            "--pkcs11",
            &t.uri(""),
            "--label",
            "x",
            "--suite",
            "x25519",
        ]),
        &["cannot generate a X25519 key pair", "MechanismInvalid"],
    );

    ok(&t.run(&["keyset", "init", "--key", "k1.pub", "--out", "ks.json"]));
    t.seal("ks.json", "sealed.ndjson");
    let key = t.uri("object=k1;type=private");
    assert_eq!(ok(&t.open("sealed.ndjson", &key)), NDJSON);

    // Re-seal from the token key to a file key, then open with the file key.
    ok(&t.run(&[
        "key",
        "generate",
        "--suite",
        "x25519",
        "--out",
        "k2.jwk",
        "--public-out",
        "k2.pub",
        "--insecure-plaintext-key",
    ]));
    ok(&t.run(&["keyset", "init", "--key", "k2.pub", "--out", "ks2.json"]));
    ok(&t.run(&[
        "reseal",
        "sealed.ndjson",
        "--key",
        &key,
        "--keyset",
        "ks2.json",
        "--all",
        "--context",
        TEMPLATE,
        "--out",
        "resealed.ndjson",
    ]));
    let o = t.run(&[
        "open",
        "resealed.ndjson",
        "--key",
        "k2.jwk",
        "--insecure-plaintext-key",
        "--all",
        "--context",
        TEMPLATE,
    ]);
    assert_eq!(ok(&o), NDJSON);
}

#[test]
fn bad_locations_and_an_absent_token_fail_clearly_without_the_pin() {
    let t = Token::new();
    ok(&t.run(&[
        "key",
        "generate",
        "--pkcs11",
        &t.uri(""),
        "--label",
        "k",
        "--suite",
        "p256",
        "--public-out",
        "k.pub",
    ]));
    ok(&t.run(&["keyset", "init", "--key", "k.pub", "--out", "ks.json"]));
    t.seal("ks.json", "sealed.ndjson");
    let o = fails(
        &t.open("sealed.ndjson", &t.uri("object=nope;type=private")),
        &["no such object", "INVALID_ARGUMENT"],
    );
    assert!(!o.contains(&t.pin));
    let o = fails(
        &t.open(
            "sealed.ndjson",
            &format!("pkcs11:token=cli-test;object=k?pin-value={}&bogus=1", t.pin),
        ),
        // Named by position, not text: a query attribute could be part of a PIN.
        &["query attribute 2 is not supported", "INVALID_ARGUMENT"],
    );
    assert!(!o.contains(&t.pin), "{o}");
    // The token gone: KEY_UNAVAILABLE, the PIN nowhere.
    std::fs::rename(t.dir.path("tokens"), t.dir.path("tokens.away")).unwrap();
    std::fs::create_dir(t.dir.path("tokens")).unwrap();
    let o = fails(
        &t.open("sealed.ndjson", &t.uri("object=k;type=private")),
        &["token not present", "KEY_UNAVAILABLE"],
    );
    assert!(!o.contains(&t.pin));
    std::fs::remove_dir(t.dir.path("tokens")).unwrap();
    std::fs::rename(t.dir.path("tokens.away"), t.dir.path("tokens")).unwrap();
    assert_eq!(
        ok(&t.open("sealed.ndjson", &t.uri("object=k;type=private"))),
        NDJSON
    );
}

#[test]
fn a_wrapped_key_opens_records_and_a_tampered_file_is_refused() {
    let t = Token::new();
    ok(&t.run(&[
        "key",
        "generate",
        "--suite",
        "p256",
        "--out",
        "k.jwk",
        "--public-out",
        "k.pub",
        "--insecure-plaintext-key",
    ]));
    let wrapping = t.uri("object=wrap1;type=secret-key");
    let kid = ok(&t.run(&[
        "key",
        "wrap",
        "--key",
        "k.jwk",
        "--insecure-plaintext-key",
        "--wrapping-key",
        &wrapping,
        "--generate-wrapping-key",
        "--out",
        "k.wrapped.json",
    ]));
    let file = t.dir.text("k.wrapped.json");
    assert!(
        file.contains(kid.trim()) && !file.contains(&t.pin),
        "{file}"
    );
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(t.dir.path("k.wrapped.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the wrapped-key file is readable by its owner only"
        );
    }
    let private = serde_json::from_str::<serde_json::Value>(&t.dir.text("k.jwk")).unwrap();
    assert!(!file.contains(private["d"].as_str().unwrap()));

    ok(&t.run(&["keyset", "init", "--key", "k.pub", "--out", "ks.json"]));
    t.seal("ks.json", "sealed.ndjson");
    let location = format!(
        "wrapped:{}?pin-source=file:{}&max-sessions=2",
        t.dir.path("k.wrapped.json").display(),
        t.dir.path("pin.txt").display()
    );
    assert_eq!(ok(&t.open("sealed.ndjson", &location)), NDJSON);

    // One character of the ciphertext changed: refused, with what happened.
    let mut json: serde_json::Value = serde_json::from_str(&file).unwrap();
    let ct = json["ciphertext"].as_str().unwrap();
    let flipped = format!(
        "{}{}",
        if ct.starts_with('A') { "B" } else { "A" },
        &ct[1..]
    );
    json["ciphertext"] = flipped.into();
    t.dir.write("k.wrapped.json", json.to_string());
    fails(
        &t.open("sealed.ndjson", &location),
        &["does not authenticate", "INVALID_ARGUMENT"],
    );
}
