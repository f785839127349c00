//! The `enseal` binary, run as a process. Keys and passphrases are generated
//! per test; nothing secret is written in this file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Dir, fails_with, ok, random_hex, stdout};
use std::process::{Command, Output, Stdio};

use enseal::{KeyPair, PublicKey, Sealer};

/// Asserts a failure with exit status 1 and a one-line error containing `needle`.
#[track_caller]
fn fails(o: &Output, needle: &str) -> String {
    fails_with(o, &[needle])
}

/// `key generate --out name` with a passphrase file `pass.txt`; returns the kid.
fn generate(d: &Dir, suite: &str, name: &str) -> String {
    let out = ok(&d.run(&[
        "key",
        "generate",
        "--suite",
        suite,
        "--out",
        name,
        "--public-out",
        &format!("{name}.pub.jwk"),
        "--passphrase-file",
        "pass.txt",
    ]));
    out.trim().to_owned()
}

#[test]
fn every_command_has_help_with_an_example() {
    let d = Dir::new();
    for cmd in [
        &[][..],
        &["key"],
        &["key", "generate"],
        &["key", "public"],
        &["key", "list"],
        &["keyset"],
        &["keyset", "init"],
        &["keyset", "add"],
        &["keyset", "promote"],
        &["keyset", "retire"],
        &["keyset", "show"],
        &["inspect"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = ok(&d.run(&args));
        assert!(help.contains("Example"), "{cmd:?}: {help}");
    }
}

#[test]
fn generate_writes_an_age_file_that_debian_age_decrypts_to_the_jwk() {
    let d = Dir::new();
    let pass = d.passphrase("pass.txt");
    let kid = generate(&d, "x25519", "k1.age");
    assert_eq!(kid.len(), 11, "{kid}");

    let bytes = d.read("k1.age");
    assert!(bytes.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.path("k1.age"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Debian's age reads the passphrase from the terminal only: give it one with
    // script(1), which runs it on a pty and forwards our stdin to it.
    let age = Command::new("age").arg("--version").output();
    assert!(
        age.is_ok_and(|o| o.status.success()),
        "the `age` command is needed (Debian package age)"
    );
    let mut child = Command::new("script")
        .args(["-qec", "age -d -o k1.jwk k1.age", "/dev/null"])
        .current_dir(d.tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{pass}\n").as_bytes()).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "age -d: {}", stdout(&o));

    // The decrypted file is the private JWK, and enseal reads it (as plaintext, with the flag).
    let jwk = d.text("k1.jwk");
    let pair = KeyPair::from_jwk(&jwk).unwrap();
    assert_eq!(pair.kid().to_string(), kid);
    let public = PublicKey::from_jwk(&d.text("k1.age.pub.jwk")).unwrap();
    assert_eq!(pair.public_key(), &public);
    let listed = ok(&d.run(&["key", "list", "--key", "k1.jwk", "--insecure-plaintext-key"]));
    assert!(listed.contains(&kid), "{listed}");
    // And the encrypted file itself, with the passphrase.
    let listed = ok(&d.run(&[
        "key",
        "list",
        "--key",
        "k1.age",
        "--passphrase-file",
        "pass.txt",
    ]));
    assert!(
        listed.contains(&kid) && listed.contains("X25519"),
        "{listed}"
    );
}

#[test]
fn generate_every_suite_with_a_passphrase_from_the_environment() {
    let d = Dir::new();
    let pass = random_hex(16);
    for (suite, name) in [("x25519", "X25519"), ("p256", "P-256"), ("xwing", "X-Wing")] {
        let file = format!("{suite}.age");
        let o = d.run_env(
            &[
                "key",
                "generate",
                "--suite",
                suite,
                "--out",
                &file,
                "--passphrase-env",
                "PASS",
            ],
            &[("PASS", &pass)],
        );
        let kid = ok(&o).trim().to_owned();
        assert!(!stdout(&o).contains(&pass));
        let o = d.run_env(
            &[
                "key",
                "public",
                "--key",
                &format!("file:{file}"),
                "--passphrase-env",
                "PASS",
            ],
            &[("PASS", &pass)],
        );
        let public = PublicKey::from_jwk(&ok(&o)).unwrap();
        assert_eq!(public.kid().to_string(), kid);
        assert_eq!(public.suite().name(), name);
        assert!(
            !stdout(&o).contains("\"d\""),
            "a public JWK has no private member"
        );
    }
}

#[test]
fn wrong_passphrase_is_one_line_and_changes_nothing() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    generate(&d, "x25519", "k1.age");
    let wrong = d.passphrase("wrong.txt");
    let before = d.read("k1.age");
    let err = fails(
        &d.run(&[
            "key",
            "list",
            "--key",
            "k1.age",
            "--passphrase-file",
            "wrong.txt",
        ]),
        "k1.age: wrong passphrase",
    );
    assert!(!err.contains(&wrong));
    // Adding to a ring it cannot open leaves the ring as it was.
    let err = fails(
        &d.run(&[
            "key",
            "generate",
            "--suite",
            "x25519",
            "--ring",
            "k1.age",
            "--passphrase-file",
            "wrong.txt",
        ]),
        "wrong passphrase",
    );
    assert!(!err.contains(&wrong));
    assert_eq!(d.read("k1.age"), before);
    // keyset init from the private key with the wrong passphrase writes no keyset.
    fails(
        &d.run(&[
            "keyset",
            "init",
            "--key",
            "k1.age",
            "--passphrase-file",
            "wrong.txt",
            "--out",
            "ks.json",
        ]),
        "wrong passphrase",
    );
    assert!(!d.path("ks.json").exists());
}

#[test]
fn no_passphrase_source_without_a_terminal_is_an_error() {
    let d = Dir::new();
    fails(
        &d.run(&["key", "generate", "--suite", "x25519", "--out", "k.age"]),
        "no passphrase",
    );
    assert!(!d.path("k.age").exists());
}

#[test]
fn plaintext_private_keys_need_the_flag() {
    let d = Dir::new();
    let kid = ok(&d.run(&[
        "key",
        "generate",
        "--suite",
        "p256",
        "--out",
        "plain.jwk",
        "--insecure-plaintext-key",
    ]))
    .trim()
    .to_owned();
    // The plaintext file is the private JWK.
    assert_eq!(
        KeyPair::from_jwk(&d.text("plain.jwk"))
            .unwrap()
            .kid()
            .to_string(),
        kid
    );
    for args in [
        &["key", "list", "--key", "plain.jwk"][..],
        &["key", "public", "--key", "plain.jwk"],
        &["keyset", "init", "--key", "plain.jwk", "--out", "ks.json"],
    ] {
        let err = fails(&d.run(args), "--insecure-plaintext-key");
        assert!(err.contains("plain.jwk"), "{err}");
    }
    assert!(!d.path("ks.json").exists());
    ok(&d.run(&[
        "keyset",
        "init",
        "--key",
        "plain.jwk",
        "--insecure-plaintext-key",
        "--out",
        "ks.json",
    ]));
}

#[test]
fn existing_outputs_are_kept_without_force() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    let kid1 = generate(&d, "x25519", "k1.age");
    let key = d.read("k1.age");
    let public = d.read("k1.age.pub.jwk");
    let o = d.run(&[
        "key",
        "generate",
        "--suite",
        "x25519",
        "--out",
        "k1.age",
        "--passphrase-file",
        "pass.txt",
    ]);
    fails(&o, "k1.age: already exists (pass --force to replace it)");
    // Only the public output existing is refused too, before anything is written.
    let o = d.run(&[
        "key",
        "generate",
        "--suite",
        "x25519",
        "--out",
        "k2.age",
        "--public-out",
        "k1.age.pub.jwk",
        "--passphrase-file",
        "pass.txt",
    ]);
    fails(&o, "k1.age.pub.jwk: already exists");
    assert!(!d.path("k2.age").exists());
    assert_eq!(d.read("k1.age"), key);
    assert_eq!(d.read("k1.age.pub.jwk"), public);

    let o = d.run(&[
        "key",
        "generate",
        "--suite",
        "x25519",
        "--out",
        "k1.age",
        "--passphrase-file",
        "pass.txt",
        "--force",
    ]);
    let kid2 = ok(&o).trim().to_owned();
    assert_ne!(kid1, kid2);
    assert_ne!(d.read("k1.age"), key);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(d.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_ring_collects_generated_keys() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    let gen_ring = |suite: &str| {
        ok(&d.run(&[
            "key",
            "generate",
            "--suite",
            suite,
            "--ring",
            "ring.age",
            "--passphrase-file",
            "pass.txt",
        ]))
        .trim()
        .to_owned()
    };
    let a = gen_ring("x25519");
    let b = gen_ring("xwing");
    assert!(d.read("ring.age").starts_with(b"age-encryption.org/v1"));
    let listed = ok(&d.run(&[
        "key",
        "list",
        "--key",
        "ring.age",
        "--passphrase-file",
        "pass.txt",
    ]));
    assert!(listed.contains(&a) && listed.contains(&b), "{listed}");
    assert_eq!(listed.lines().count(), 3, "{listed}");
    // A ring holds several keys: a keyset takes one.
    fails(
        &d.run(&[
            "keyset",
            "init",
            "--key",
            "ring.age",
            "--passphrase-file",
            "pass.txt",
            "--out",
            "ks.json",
        ]),
        "holds 2 keys",
    );
}

#[test]
fn keyset_lifecycle() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    let k1 = generate(&d, "x25519", "k1.age");
    let k2 = generate(&d, "xwing", "k2.age");
    // init from the private key file, add from a public JWK file.
    let o = d.run(&[
        "keyset",
        "init",
        "--key",
        "k1.age",
        "--passphrase-file",
        "pass.txt",
        "--created",
        "2026-01-01T00:00:00Z",
        "--not-after",
        "2027-06-30T12:00:00+02:00",
        "--out",
        "ks.json",
    ]);
    assert_eq!(ok(&o).trim(), k1);
    let o = d.run(&[
        "keyset",
        "add",
        "--keyset",
        "ks.json",
        "--key",
        "k2.age.pub.jwk",
        "--created",
        "1767225600",
        "--not-after",
        "1893456000",
    ]);
    assert_eq!(ok(&o).trim(), k2);

    let show = ok(&d.run(&["keyset", "show", "--keyset", "ks.json"]));
    let lines: Vec<&str> = show.lines().collect();
    assert_eq!(lines.len(), 3, "{show}");
    for col in ["kid", "suite", "created", "not_after", "primary", "status"] {
        assert!(lines[0].contains(col), "{show}");
    }
    assert!(lines[1].starts_with(&k1), "{show}");
    assert!(lines[1].contains("X25519") && lines[1].contains("2026-01-01T00:00:00Z"));
    assert!(lines[1].contains("2027-06-30T10:00:00Z") && lines[1].contains("yes"));
    assert!(lines[2].starts_with(&k2) && lines[2].contains("X-Wing"));
    assert!(lines[2].contains("2026-01-01T00:00:00Z") && lines[2].contains("2030-01-01T00:00:00Z"));
    assert!(lines[2].ends_with("active"), "{show}");

    // The file is a keyset core reads, with public keys only.
    let ks = enseal::Keyset::from_json(&d.text("ks.json")).unwrap();
    assert_eq!(ks.primary_kid().to_string(), k1);
    assert_eq!(ks.len(), 2);

    ok(&d.run(&["keyset", "promote", &k2, "--keyset", "ks.json"]));
    let show = ok(&d.run(&["keyset", "show", "--keyset", "ks.json"]));
    assert!(show.lines().nth(2).unwrap().ends_with("primary"), "{show}");
    ok(&d.run(&["keyset", "retire", &k1, "--keyset", "ks.json"]));
    let ks = enseal::Keyset::from_json(&d.text("ks.json")).unwrap();
    assert_eq!(ks.len(), 1);
    assert_eq!(ks.primary_kid().to_string(), k2);
}

#[test]
fn failed_keyset_commands_leave_the_file_byte_identical() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    let k1 = generate(&d, "x25519", "k1.age");
    generate(&d, "p256", "k2.age");
    ok(&d.run(&[
        "keyset",
        "init",
        "--key",
        "k1.age.pub.jwk",
        "--out",
        "ks.json",
    ]));
    let before = d.read("ks.json");
    let unknown = generate(&d, "x25519", "k3.age");

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["keyset", "promote", &unknown, "--keyset", "ks.json"],
            "is not in the keyset",
        ),
        (
            vec!["keyset", "retire", &unknown, "--keyset", "ks.json"],
            "INVALID_KEYSET",
        ),
        (
            vec!["keyset", "retire", &k1, "--keyset", "ks.json"],
            "is the primary",
        ),
        (
            vec!["keyset", "promote", "not-a-kid!", "--keyset", "ks.json"],
            "is not a key id",
        ),
        // A kid may start with '-' (base64url): it is read as a kid, not an option.
        (
            vec!["keyset", "promote", "-AAAAAAAAAA", "--keyset", "ks.json"],
            "-AAAAAAAAAA is not in the keyset",
        ),
        (
            vec!["keyset", "retire", "--keyset", "ks.json", "-hAAAAAAAAA"],
            "no key -hAAAAAAAAA in the keyset",
        ),
        (
            vec![
                "keyset",
                "add",
                "--keyset",
                "ks.json",
                "--key",
                "k1.age.pub.jwk",
            ],
            "duplicate key id",
        ),
        (
            vec![
                "keyset",
                "add",
                "--keyset",
                "ks.json",
                "--key",
                "k2.age.pub.jwk",
                "--not-after",
                "next week",
            ],
            "--not-after",
        ),
        (
            vec![
                "keyset",
                "add",
                "--keyset",
                "ks.json",
                "--key",
                "k2.age.pub.jwk",
                "--created",
                "1900000000",
                "--not-after",
                "1800000000",
            ],
            "not_after is not after created",
        ),
        (
            vec![
                "keyset",
                "init",
                "--key",
                "k2.age.pub.jwk",
                "--out",
                "ks.json",
            ],
            "already exists",
        ),
        (
            vec![
                "keyset",
                "add",
                "--keyset",
                "ks.json",
                "--key",
                "missing.jwk",
            ],
            "missing.jwk",
        ),
        (
            vec![
                "keyset",
                "add",
                "--keyset",
                "ks.json",
                "--key",
                "pkcs11:token=x",
            ],
            "INVALID_ARGUMENT",
        ),
    ];
    for (args, needle) in cases {
        fails(&d.run(&args), needle);
        assert_eq!(d.read("ks.json"), before, "{args:?} changed the keyset");
    }

    // A malformed keyset is refused by every command, unchanged.
    let malformed = br#"{"primary": "AAAAAAAAAAA", "keys": [}"#;
    std::fs::write(d.path("bad.json"), malformed).unwrap();
    for args in [
        &["keyset", "show", "--keyset", "bad.json"][..],
        &["keyset", "promote", &k1, "--keyset", "bad.json"],
        &[
            "keyset",
            "add",
            "--keyset",
            "bad.json",
            "--key",
            "k2.age.pub.jwk",
        ],
    ] {
        let err = fails(&d.run(args), "bad.json: invalid keyset");
        assert!(err.contains("[INVALID_KEYSET]"), "{err}");
        assert_eq!(d.read("bad.json"), malformed);
    }
    // A keyset holding a private key is refused.
    let private = d.run(&[
        "key",
        "generate",
        "--suite",
        "x25519",
        "--out",
        "p.jwk",
        "--insecure-plaintext-key",
    ]);
    ok(&private);
    let jwk = d.text("p.jwk");
    let doc = format!(
        r#"{{"primary": "{}", "keys": [{jwk}]}}"#,
        ok(&private).trim()
    );
    std::fs::write(d.path("priv.json"), &doc).unwrap();
    let err = fails(
        &d.run(&["keyset", "show", "--keyset", "priv.json"]),
        "private key",
    );
    assert!(!err.contains(&jwk));
}

#[test]
fn inspect_one_value() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    let kid = generate(&d, "xwing", "k.age");
    let public = PublicKey::from_jwk(&d.text("k.age.pub.jwk")).unwrap();
    let sealer = Sealer::new(&public).unwrap();
    let _first = sealer.seal(b"first", "t/1").unwrap();
    let value = sealer.seal(b"0123456789", "t/2").unwrap();
    let out = ok(&d.run(&["inspect", &value]));
    let field = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_owned())
            .unwrap_or_else(|| panic!("{name} missing: {out}"))
    };
    assert_eq!(field("version"), "1");
    assert_eq!(field("suite"), "X-Wing");
    assert_eq!(field("kid"), kid);
    assert_eq!(field("counter"), "1");
    assert_eq!(field("session").len(), 22);
    assert_eq!(field("enc"), "1120 bytes");
    assert_eq!(field("plaintext"), "10 bytes");
    assert_eq!(field("text"), format!("{} bytes", value.len()));
    assert!(!out.contains("0123456789"));

    fails(&d.run(&["inspect", "enseal1.AAAA"]), "argument:");
    fails(&d.run(&["inspect", "hello"]), "[BAD_PREFIX]");
}

#[test]
fn inspect_file_counts_values_per_kid_and_suite() {
    let d = Dir::new();
    d.passphrase("pass.txt");
    let ka = generate(&d, "x25519", "a.age");
    let kb = generate(&d, "p256", "b.age");
    let kc = generate(&d, "x25519", "c.age");
    let sa = Sealer::new(&PublicKey::from_jwk(&d.text("a.age.pub.jwk")).unwrap()).unwrap();
    let sb = Sealer::new(&PublicKey::from_jwk(&d.text("b.age.pub.jwk")).unwrap()).unwrap();

    // 7 rows sealed to a (one of them with two fields), 4 to b, one malformed
    // value on line 9, a broken prefix on line 13, and a line with no sealed value.
    let mut lines = Vec::new();
    for i in 0..6 {
        lines.push(format!(
            r#"{{"id":{i},"ssn":"{}"}}"#,
            sa.seal(b"123-45-6789", "ssn").unwrap()
        ));
    }
    lines.push(r#"{"id":6,"note":"plain"}"#.to_owned());
    lines.push(format!(
        r#"{{"id":7,"ssn":"{}","dob":"{}"}}"#,
        sa.seal(b"x", "ssn").unwrap(),
        sb.seal(b"1970-01-01", "dob").unwrap()
    ));
    let good = sb.seal(b"y", "ssn").unwrap();
    lines.push(format!(r#"{{"id":8,"ssn":"{}"}}"#, &good[..good.len() - 9]));
    for i in 9..12 {
        lines.push(format!(
            r#"{{"id":{i},"ssn":"{}"}}"#,
            sb.seal(b"z", "ssn").unwrap()
        ));
    }
    lines.push("not json at all, enseal1.!!".to_owned());
    std::fs::write(d.path("export.ndjson"), lines.join("\n") + "\n").unwrap();

    let out = ok(&d.run(&["inspect", "--file", "export.ndjson"]));
    assert!(
        out.starts_with("lines 13, sealed values 13, well-formed 11, malformed 2"),
        "{out}"
    );
    let row = |kid: &str| {
        out.lines()
            .find(|l| l.starts_with(kid))
            .unwrap_or_else(|| panic!("{kid} missing: {out}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(row(&ka)[1..3], ["X25519".to_owned(), "7".to_owned()]);
    assert_eq!(row(&kb)[1..3], ["P-256".to_owned(), "4".to_owned()]);
    assert!(out.contains("line 9: malformed sealed value"), "{out}");
    assert!(out.contains("line 13: malformed sealed value"), "{out}");
    assert!(!out.contains("123-45-6789"));

    // With a keyset: b primary, a not in it (retired or unknown), c unused.
    ok(&d.run(&[
        "keyset",
        "init",
        "--key",
        "b.age.pub.jwk",
        "--out",
        "ks.json",
    ]));
    ok(&d.run(&[
        "keyset",
        "add",
        "--keyset",
        "ks.json",
        "--key",
        "c.age.pub.jwk",
    ]));
    let out = ok(&d.run(&["inspect", "--file", "export.ndjson", "--keyset", "ks.json"]));
    assert_eq!(row_of(&out, &ka).last().unwrap(), "not-in-keyset");
    assert_eq!(row_of(&out, &kb).last().unwrap(), "primary");
    assert!(!out.contains(&kc));

    // Standard input works the same.
    let piped = Command::new(env!("CARGO_BIN_EXE_enseal"))
        .args(["inspect", "--file", "-"])
        .stdin(std::fs::File::open(d.path("export.ndjson")).unwrap())
        .output()
        .unwrap();
    let piped = ok(&piped);
    assert!(piped.starts_with("lines 13, sealed values 13"), "{piped}");

    fails(
        &d.run(&["inspect", "--file", "missing.ndjson"]),
        "missing.ndjson",
    );
}

fn row_of(out: &str, kid: &str) -> Vec<String> {
    out.lines()
        .find(|l| l.starts_with(kid))
        .unwrap_or_else(|| panic!("{kid} missing: {out}"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[test]
fn usage_errors_exit_non_zero() {
    let d = Dir::new();
    let o = d.run(&["key", "generate", "--suite", "rsa", "--out", "k"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!d.path("k").exists());
    let o = d.run(&["keyset", "promote"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Runs `enseal ARGS` on a pty with script(1), typing `input`.
fn run_on_terminal(d: &Dir, args: &str, input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new("script")
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_enseal")),
            "/dev/null",
        ])
        .current_dir(d.tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_passphrase_is_prompted_for_on_a_terminal() {
    let d = Dir::new();
    let pass = random_hex(16);
    let o = run_on_terminal(
        &d,
        "key generate --suite x25519 --out k.age",
        &format!("{pass}\n{pass}\n"),
    );
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("Passphrase: ") && out.contains("Passphrase (again): "));
    let kid = out.trim_end().lines().last().unwrap().trim().to_owned();
    // The passphrase typed opens the file.
    std::fs::write(d.path("pass.txt"), format!("{pass}\n")).unwrap();
    let listed = ok(&d.run(&[
        "key",
        "list",
        "--key",
        "k.age",
        "--passphrase-file",
        "pass.txt",
    ]));
    assert!(listed.contains(&kid), "{listed} / {out}");

    // Two different passphrases: nothing is written.
    let o = run_on_terminal(
        &d,
        "key generate --suite x25519 --out k2.age",
        &format!("{}\n{}\n", random_hex(8), random_hex(8)),
    );
    assert!(!o.status.success());
    assert!(stdout(&o).contains("the two passphrases differ"));
    assert!(!d.path("k2.age").exists());
}
