//! The 90-day key rotation of docs/INGEST-REPORT.md, run as an operator
//! would, with enseal's CLI (`ENSEAL_CLI`, built by `cargo xtask
//! ingest-test`, which runs this test) and the service's own export and
//! import: a new primary key is published by SIGHUP while the service takes
//! submissions, every stored value is re-sealed to it, the old key is then
//! retired, and everything stored still opens with the new key alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn cli() -> PathBuf {
    PathBuf::from(
        std::env::var("ENSEAL_CLI")
            .expect("ENSEAL_CLI names enseal's CLI binary (cargo xtask ingest-test sets it)"),
    )
}

/// Runs a command; its stdout, or a panic with its stderr.
fn run(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn enseal(args: &[&str]) -> String {
    run(Command::new(cli()).args(args))
}

fn ingest(args: &[&str]) -> String {
    run(Command::new(env!("CARGO_BIN_EXE_enseal-ingest")).args(args))
}

/// `enseal-ingest import-resealed FILE` against the service's database and
/// its published keyset, as the operator runs it.
fn import_resealed(file: &Path, url: &str, dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_enseal-ingest"))
        .args(["import-resealed", p(file), "--database", url, "--keyset"])
        .arg(dir.join("keyset.jws"))
        .arg("--signers")
        .arg(dir.join("signers.json"))
        .output()
        .unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Publishes `keyset` (plain keyset JSON) as version `version`, signed by the
/// dev signer, and waits until the service serves it.
async fn publish(service: &Service, keyset: &Path, version: &str) {
    let dir = &service.dir;
    enseal(&[
        "keyset",
        "sign",
        p(keyset),
        "--signer",
        p(&dir.join("keyset-signer.jwk")),
        "--insecure-plaintext-key",
        "--version",
        version,
        "--expires",
        "90d",
        "--out",
        p(&dir.join("keyset.jws")),
        "--force",
    ]);
    run(Command::new("kill").args(["-HUP", &service.pid().to_string()]));
    let jws = std::fs::read_to_string(dir.join("keyset.jws")).unwrap();
    let mut web = service.web().await;
    for _ in 0..200 {
        if web.get("/keyset.jws").await.unwrap().body == jws.trim().as_bytes() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("keyset version {version} not in force: {}", service.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs enseal's CLI: run by `cargo xtask ingest-test`"]
async fn a_rotation_reseals_every_stored_value_with_the_cli_and_retires_the_old_key() {
    let scratch_dir = scratch("rotation");
    for (store, url) in databases(&scratch_dir, "rotation").await {
        let dir = scratch_dir.join(store);
        let service = Service::start(&Options::new(&dir, &url));
        let old_sealer = service.sealer();
        let old_kid = service.keyset().primary_kid().to_string();
        let mut web = service.web().await;
        for i in 0..12 {
            let answer = web
                .post_json("/intake", sealed_body(&old_sealer, &format!("before-{i}")))
                .await
                .unwrap();
            assert_eq!(answer.status, 201);
        }

        // Day 0: a new key (passphrase-protected), primary in keyset v2; the
        // old key stays in it, so pages still holding v1 keep working.
        let passphrase = dir.join("passphrase");
        std::fs::write(&passphrase, uuid::Uuid::new_v4().to_string()).unwrap();
        let new_key = dir.join("k2.age");
        let new_public = dir.join("k2.pub.jwk");
        enseal(&[
            "key",
            "generate",
            "--suite",
            "x25519",
            "--out",
            p(&new_key),
            "--public-out",
            p(&new_public),
            "--passphrase-file",
            p(&passphrase),
        ]);
        let old_keyring = format!("file:{}", p(&dir.join("private-keyring.json")));
        let old_public = dir.join("k1.pub.jwk");
        enseal(&[
            "key",
            "public",
            "--key",
            &old_keyring,
            "--insecure-plaintext-key",
            "--out",
            p(&old_public),
        ]);
        let v2 = dir.join("keyset-v2.json");
        enseal(&["keyset", "init", "--key", p(&new_public), "--out", p(&v2)]);
        enseal(&["keyset", "add", "--keyset", p(&v2), "--key", p(&old_public)]);
        publish(&service, &v2, "2").await;
        let new_sealer = service.sealer();
        let new_kid = service.keyset().primary_kid().to_string();
        assert_ne!(new_kid, old_kid);
        // Both keys are accepted while the old pages drain.
        for (i, sealer) in [&new_sealer, &old_sealer].into_iter().enumerate() {
            let answer = web
                .post_json("/intake", sealed_body(sealer, &format!("during-{i}")))
                .await
                .unwrap();
            assert_eq!(answer.status, 201, "{store}");
        }

        // Re-seal what is not on the new key yet: export, `enseal reseal`
        // (audited), import.
        let rows_file = dir.join("rows.ndjson");
        let exported = ingest(&[
            "export",
            "--database",
            &url,
            "--out",
            p(&rows_file),
            "--skip-kid",
            &new_kid,
        ]);
        assert!(
            exported.contains("exported 13 intakes"),
            "{store}: {exported}"
        );
        let resealed = dir.join("resealed.ndjson");
        let audit = dir.join("rotation-audit.log");
        enseal(&[
            "reseal",
            p(&rows_file),
            "--field",
            "/patient/ssn",
            "--field",
            "/patient/diagnosis",
            "--context",
            enseal_ingest::intake::CONTEXT_TEMPLATE,
            "--key",
            &old_keyring,
            "--insecure-plaintext-key",
            "--key",
            p(&new_key),
            "--passphrase-file",
            p(&passphrase),
            "--keyset",
            p(&v2),
            "--audit",
            p(&audit),
            "--actor",
            "rotation-drill",
            "--out",
            p(&resealed),
            "--quiet",
        ]);
        let export_text = std::fs::read_to_string(&rows_file).unwrap();
        assert!(
            !export_text.contains(NAME) && !export_text.contains(DOB),
            "{store}: the export holds nothing in the clear"
        );
        // A file that cannot be applied whole changes nothing: a row that
        // is not in the database after a good one, or a row twice.
        let good = std::fs::read_to_string(&resealed).unwrap();
        let first = good.lines().next().unwrap().to_string();
        let mut missing: serde_json::Value = serde_json::from_str(&first).unwrap();
        missing["id"] = 999_999.into();
        let before = rows(&url).await;
        for (case, text) in [
            ("a missing row", format!("{first}\n{missing}\n")),
            ("a row twice", format!("{first}\n{first}\n")),
        ] {
            let bad = dir.join("bad.ndjson");
            std::fs::write(&bad, text).unwrap();
            let out = import_resealed(&bad, &url, &dir);
            assert!(!out.status.success(), "{store}: {case}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("nothing was changed"),
                "{store}: {case}"
            );
            assert_eq!(
                rows(&url).await,
                before,
                "{store}: {case}: the database is as it was"
            );
        }
        let imported = import_resealed(&resealed, &url, &dir);
        assert!(
            imported.status.success(),
            "{store}: {}",
            String::from_utf8_lossy(&imported.stderr)
        );
        let imported = String::from_utf8(imported.stdout).unwrap();
        assert!(
            imported.contains(
                "replaced the sealed values of 13 intakes; 0 still sealed to another key than the primary"
            ),
            "{store}: {imported}"
        );
        let audit_report = enseal(&["audit", "verify", p(&audit)]);
        assert!(
            audit_report.trim_end().ends_with("intact"),
            "{store}: {audit_report}"
        );
        let reseals: Vec<String> = std::fs::read_to_string(&audit)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|e| {
                e["op"] == "reseal" && e["outcome"] == "ok" && e["actor"] == "rotation-drill"
            })
            .map(|e| e["context"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            reseals.len(),
            26,
            "{store}: one audit event per re-sealed value"
        );
        assert!(reseals.contains(&"intake/before-0/patient/ssn".to_string()));

        // The old export fed to the import is refused (not on the primary
        // key): nothing changes.
        let refused = import_resealed(&rows_file, &url, &dir);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was changed"));

        // Every row is on the new key now, read back directly.
        let stored = rows(&url).await;
        assert_eq!(stored.len(), 14, "{store}");
        assert!(
            stored.iter().all(|r| r.2 == new_kid),
            "{store}: every row on the new key"
        );

        // Day 90 + drain: the old key is retired from the published keyset.
        enseal(&["keyset", "retire", "--keyset", p(&v2), &old_kid]);
        publish(&service, &v2, "3").await;
        let late = web
            .post_json("/intake", sealed_body(&old_sealer, "late-old-page"))
            .await
            .unwrap();
        assert_eq!(
            late.status, 422,
            "{store}: a value sealed to the retired key"
        );
        assert_eq!(late.json()["error"]["code"], "UNKNOWN_KEY");

        // And all of it opens with the new key alone (the CLI, as a
        // pipeline with only the new key would).
        let after = dir.join("after.ndjson");
        ingest(&["export", "--database", &url, "--out", p(&after)]);
        let opened = enseal(&[
            "open",
            p(&after),
            "--field",
            "/patient/ssn",
            "--field",
            "/patient/diagnosis",
            "--context",
            enseal_ingest::intake::CONTEXT_TEMPLATE,
            "--key",
            p(&new_key),
            "--passphrase-file",
            p(&passphrase),
            "--quiet",
        ]);
        let opened: Vec<serde_json::Value> = opened
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(opened.len(), 14);
        for record in &opened {
            assert_eq!(record["patient"]["ssn"], SSN, "{store}");
            assert_eq!(record["patient"]["diagnosis"], DIAGNOSIS, "{store}");
        }
    }
}

/// One key id in 64 starts with `-` (base64url): `--skip-kid` must take it as
/// a value, as CI once showed when a random new key's id began `-H`.
#[test]
fn export_takes_a_key_id_that_starts_with_a_dash_and_refuses_what_is_not_one() {
    let dir = scratch("export-kid");
    let url = sqlite_in(&dir);
    let out = dir.join("rows.ndjson");
    let exported = ingest(&[
        "export",
        "--database",
        &url,
        "--out",
        p(&out),
        "--skip-kid",
        "-HdJTa8f7u4",
    ]);
    assert!(exported.contains("exported 0 intakes"), "{exported}");
    assert!(out.exists());

    let refused_out = dir.join("refused.ndjson");
    let refused = Command::new(env!("CARGO_BIN_EXE_enseal-ingest"))
        .args(["export", "--database", &url, "--out", p(&refused_out)])
        .args(["--skip-kid", "-not-a-kid"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("--skip-kid") && stderr.contains("key id"),
        "{stderr}"
    );
    assert!(!refused_out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
