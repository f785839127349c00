//! `enseal signer ...` and `enseal keyset sign|verify`, run as a process.
//! Signer keys and passphrases are generated per test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{Dir, fails_with, ok};
use enseal::{KeyPair, Keyring, Keyset, Opener, Sealer, SignerPins, SigningKey, Suite};

/// A keyset file `keyset.json` with one fresh X25519 key; returns the key.
fn keyset_file(d: &Dir) -> KeyPair {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let keyset = Keyset::from_public_key(key.public_key(), None, None).unwrap();
    d.write("keyset.json", keyset.to_json());
    key
}

/// `signer generate --out name` with `pass.txt`, its pin set in `name.pins.json`; returns the kid.
fn signer(d: &Dir, name: &str) -> String {
    let kid = ok(&d.run(&[
        "signer",
        "generate",
        "--out",
        name,
        "--passphrase-file",
        "pass.txt",
    ]))
    .trim()
    .to_owned();
    ok(&d.run(&[
        "signer",
        "public",
        name,
        "--set",
        "--out",
        &format!("{name}.pins.json"),
        "--passphrase-file",
        "pass.txt",
    ]));
    kid
}

fn sign(d: &Dir, signer: &str, version: &str, expires: &str) -> std::process::Output {
    d.run(&[
        "keyset",
        "sign",
        "--signer",
        signer,
        "--version",
        version,
        "--expires",
        expires,
        "keyset.json",
        "--out",
        "keyset.jws",
        "--force",
        "--passphrase-file",
        "pass.txt",
    ])
}

fn line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {out}"))
}

#[test]
fn every_signer_command_has_help_with_an_example() {
    let d = Dir::new();
    for cmd in [
        &["signer"][..],
        &["signer", "generate"],
        &["signer", "public"],
        &["keyset", "sign"],
        &["keyset", "verify"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = ok(&d.run(&args));
        assert!(help.contains("Example"), "{cmd:?}: {help}");
    }
}

#[test]
fn sign_then_verify_then_seal() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    let service = keyset_file(&d);
    let kid = signer(&d, "signer.jwk");
    assert_eq!(kid.len(), 43, "{kid}");

    // The signer file: age-encrypted, 0600, written without a temporary left behind.
    let meta = std::fs::metadata(d.path("signer.jwk")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(d.read("signer.jwk").starts_with(b"age-encryption.org/"));
    d.no_temp_files();

    // The public JWK alone, and the pin set, name the same key.
    let public = ok(&d.run(&[
        "signer",
        "public",
        "signer.jwk",
        "--passphrase-file",
        "pass.txt",
    ]));
    let public: serde_json::Value = serde_json::from_str(&public).unwrap();
    assert_eq!(public["kty"], "OKP");
    assert_eq!(public["crv"], "Ed25519");
    assert_eq!(public["kid"], kid.as_str());
    assert!(public.get("d").is_none());
    let pins_text = d.text("signer.jwk.pins.json");
    assert_eq!(
        SignerPins::from_jwks(&pins_text).unwrap().kids(),
        vec![kid.clone()]
    );

    let signed = ok(&sign(&d, "signer.jwk", "3", "90d"));
    assert_eq!(line(&signed, "version"), "3");
    assert_eq!(line(&signed, "signer"), kid);
    d.no_temp_files();

    let out = ok(&d.run(&[
        "keyset",
        "verify",
        "--signers",
        "signer.jwk.pins.json",
        "keyset.jws",
    ]));
    assert_eq!(line(&out, "version"), "3");
    assert_eq!(line(&out, "signer"), kid);
    assert_eq!(line(&out, "primary"), service.kid().to_string());
    let expires = line(&out, "expires");
    assert_eq!(expires, line(&signed, "expires"));
    let year: i32 = expires[..4].parse().unwrap();
    assert!(year >= 2026, "{expires}");
    ok(&d.run(&[
        "keyset",
        "verify",
        "--signers",
        "signer.jwk.pins.json",
        "--min-version",
        "3",
        "keyset.jws",
    ]));

    // What the CLI wrote is what core verifies and seals to.
    let jws = d.text("keyset.jws");
    let pins = SignerPins::from_jwks(&pins_text).unwrap();
    let verified = Keyset::from_signed(&jws, &pins, None).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(verified.expires().abs_diff(now + 90 * 86_400) <= 5);
    let sealer = Sealer::from_signed_keyset(&jws, &pins, Some(3)).unwrap();
    let sealed = sealer.seal(b"4111 1111 1111 1111", "cards/1/pan").unwrap();
    let opener = Opener::new(Keyring::from_iter([service]));
    assert_eq!(
        opener.open(&sealed, "cards/1/pan").unwrap().as_slice(),
        b"4111 1111 1111 1111"
    );
}

#[test]
fn verify_refuses_with_the_error_code() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    keyset_file(&d);
    signer(&d, "signer.jwk");
    signer(&d, "other.jwk");
    ok(&sign(&d, "signer.jwk", "5", "2w"));
    let verify = |jws: &str, pins: &str, min: Option<&str>| {
        let mut args = vec!["keyset", "verify", "--signers", pins, jws];
        if let Some(min) = min {
            args.extend(["--min-version", min]);
        }
        d.run(&args)
    };

    fails_with(
        &verify("keyset.json", "signer.jwk.pins.json", None),
        &["keyset.json", "KEYSET_UNSIGNED"],
    );
    fails_with(
        &verify("keyset.jws", "other.jwk.pins.json", None),
        &["keyset.jws", "pinned signer", "KEYSET_BAD_SIGNATURE"],
    );
    fails_with(
        &verify("keyset.jws", "signer.jwk.pins.json", Some("6")),
        &["keyset.jws", "KEYSET_ROLLBACK"],
    );

    // One character of the signature changed.
    let jws = d.text("keyset.jws");
    let jws = jws.trim_end();
    let last = jws.chars().last().unwrap();
    let swapped = if last == 'A' { 'Q' } else { 'A' };
    d.write(
        "tampered.jws",
        format!("{}{swapped}", &jws[..jws.len() - 1]),
    );
    fails_with(
        &verify("tampered.jws", "signer.jwk.pins.json", None),
        &["tampered.jws", "KEYSET_BAD_SIGNATURE"],
    );

    // Expired: signed (through core) with an expiry long past.
    let stale_signer = SigningKey::generate().unwrap();
    d.write(
        "stale.pins.json",
        format!("{{\"keys\":[{}]}}", stale_signer.public_jwk()),
    );
    let keyset = Keyset::from_json(&d.text("keyset.json")).unwrap();
    d.write(
        "stale.jws",
        keyset
            .sign_at(&stale_signer, 1, 1_000_100, 1_000_000)
            .unwrap(),
    );
    fails_with(
        &verify("stale.jws", "stale.pins.json", None),
        &["stale.jws", "KEYSET_EXPIRED"],
    );

    // A pin file that pins a private key is refused before anything is read.
    d.write(
        "private.pins.json",
        format!("{{\"keys\":[{}]}}", &*stale_signer.to_jwk()),
    );
    fails_with(
        &verify("keyset.jws", "private.pins.json", None),
        &["private.pins.json", "INVALID_KEYSET"],
    );
}

#[test]
fn signer_files_are_refused_when_unsafe_and_dates_are_checked() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    keyset_file(&d);
    signer(&d, "signer.jwk");

    // Never overwritten without --force.
    let before = d.read("signer.jwk");
    fails_with(
        &d.run(&[
            "signer",
            "generate",
            "--out",
            "signer.jwk",
            "--passphrase-file",
            "pass.txt",
        ]),
        &["signer.jwk"],
    );
    assert_eq!(d.read("signer.jwk"), before);

    // Wrong passphrase.
    d.passphrase("wrong.txt");
    fails_with(
        &d.run(&[
            "signer",
            "public",
            "signer.jwk",
            "--passphrase-file",
            "wrong.txt",
        ]),
        &["signer.jwk", "wrong passphrase"],
    );

    // A plaintext signer file only with --insecure-plaintext-key.
    ok(&d.run(&[
        "signer",
        "generate",
        "--out",
        "plain.jwk",
        "--insecure-plaintext-key",
    ]));
    assert!(d.text("plain.jwk").contains("\"d\""));
    assert_eq!(
        std::fs::metadata(d.path("plain.jwk"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    fails_with(
        &d.run(&["signer", "public", "plain.jwk"]),
        &["plain.jwk", "--insecure-plaintext-key"],
    );
    ok(&d.run(&["signer", "public", "plain.jwk", "--insecure-plaintext-key"]));

    // --expires: a date, Unix seconds, a duration; not the past, not nonsense.
    ok(&sign(&d, "signer.jwk", "1", "2999-01-01T00:00:00Z"));
    ok(&sign(&d, "signer.jwk", "1", "32503680000"));
    ok(&sign(&d, "signer.jwk", "1", "12h"));
    fails_with(
        &sign(&d, "signer.jwk", "1", "2001-01-01T00:00:00Z"),
        &["INVALID_ARGUMENT"],
    );
    fails_with(&sign(&d, "signer.jwk", "0", "1d"), &["INVALID_ARGUMENT"]);
    fails_with(&sign(&d, "signer.jwk", "1", "soon"), &["--expires"]);
    fails_with(
        &sign(&d, "signer.jwk", "1", "99999999999999999999d"),
        &["--expires"],
    );

    // A keyset that is not one is not signed.
    d.write("keyset.json", "{}");
    fails_with(
        &sign(&d, "signer.jwk", "1", "1d"),
        &["keyset.json", "INVALID_KEYSET"],
    );
}
