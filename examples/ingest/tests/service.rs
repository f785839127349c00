//! The intake service as a process, over real TLS, against SQLite and (in
//! the test command) a real PostgreSQL: what it accepts, what it refuses,
//! what it stores, who may fetch it, and what survives a restart under load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use enseal::{KeyPair, Keyring, Keyset, Opener, Sealer, Suite};
use enseal_ingest::client::{self, Answer};
use enseal_ingest::http::HSTS;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

fn hsts(answer: &Answer) -> bool {
    answer
        .headers
        .get("strict-transport-security")
        .is_some_and(|v| v == HSTS)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_arguments_it_runs_in_dev_mode_and_the_pipeline_opens_what_was_sealed() {
    let cwd = scratch("dev");
    // `cargo run -p enseal-ingest` on a fresh machine: nothing but the
    // ports (0: any free one), defaults for everything else.
    let service = Service::start(&Options {
        dir: &cwd.join("enseal-ingest-dev"),
        database: None,
        ports: (0, 0),
        cwd: Some(&cwd),
        dev_dir_flag: false,
        records_settle: 0,
        args: &[],
    });
    assert!(cwd.join("enseal-ingest-dev/ingest.db").exists());
    let mut web = service.web().await;
    let page = web.get("/").await.unwrap();
    assert_eq!(page.status, 200);
    assert!(hsts(&page));
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    let html = String::from_utf8(page.body.to_vec()).unwrap();
    let signers = std::fs::read_to_string(service.dir.join("signers.json")).unwrap();
    assert!(html.contains(signers.trim()), "the page pins the signers");
    let jws = web.get("/keyset.jws").await.unwrap();
    assert_eq!(
        jws.body,
        std::fs::read_to_string(service.dir.join("keyset.jws"))
            .unwrap()
            .trim()
    );

    let record_id = uuid::Uuid::new_v4().to_string();
    let body = sealed_body(&service.sealer(), &record_id);
    let stored = web.post_json("/intake", body.clone()).await.unwrap();
    assert_eq!(stored.status, 201, "{:?}", stored.json());
    assert_eq!(stored.json()["recordId"], record_id);
    assert!(hsts(&stored));

    // The pipeline's view: over mutual TLS, the fields as they were sent.
    let mut internal = service.internal().await;
    let day = enseal_ingest::http::day_of(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    let page = internal.get(&format!("/records?day={day}")).await.unwrap();
    assert_eq!(page.status, 200);
    assert!(hsts(&page));
    let records = page.json()["records"].as_array().unwrap().clone();
    assert_eq!(records.len(), 1);
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(records[0]["patient"], sent["patient"]);
    assert_eq!(
        records[0]["kid"],
        service.keyset().primary_kid().to_string()
    );
    // And the private keyring dev mode wrote (the service never read it) opens it.
    let keyring = Keyring::from_jwks(
        &std::fs::read_to_string(service.dir.join("private-keyring.json")).unwrap(),
    )
    .unwrap();
    let opened = Opener::new(keyring)
        .open_record(
            &records[0].to_string(),
            &enseal_ingest::intake::PROTECTED_IN_RECORD,
            &template(),
        )
        .unwrap();
    let opened: serde_json::Value = serde_json::from_str(&opened).unwrap();
    assert_eq!(
        opened["patient"],
        serde_json::json!({"name": NAME, "dob": DOB, "ssn": SSN, "diagnosis": DIAGNOSIS})
    );
    // A second start reuses what the first made: same keyset, same rows.
    let kid = service.keyset().primary_kid();
    drop(service);
    let again = Service::start(&Options {
        dir: &cwd.join("enseal-ingest-dev"),
        database: None,
        ports: (0, 0),
        cwd: Some(&cwd),
        dev_dir_flag: false,
        records_settle: 0,
        args: &[],
    });
    assert_eq!(again.keyset().primary_kid(), kid);
    let url = format!(
        "sqlite:{}",
        cwd.join("enseal-ingest-dev/ingest.db").display()
    );
    assert_eq!(rows(&url).await.len(), 1);
}

/// A bad input: what it is, its content type and body, and the status,
/// code and field it must get.
type BadInput = (
    &'static str,
    &'static str,
    String,
    u16,
    &'static str,
    Option<&'static str>,
);

fn bad_inputs(service: &Service) -> Vec<BadInput> {
    let sealer = service.sealer();
    let good = |id: &str| sealed_body(&sealer, id);
    let patient = |ssn: &str, diagnosis: &str| {
        format!(
            r#"{{"recordId":"r-1","patient":{{"name":"{NAME}","dob":"{DOB}","ssn":"{ssn}","diagnosis":"{diagnosis}"}}}}"#
        )
    };
    let sealed: serde_json::Value = serde_json::from_str(&good("r-1")).unwrap();
    let sealed_ssn = sealed["patient"]["ssn"].as_str().unwrap().to_string();
    let sealed_diagnosis = sealed["patient"]["diagnosis"].as_str().unwrap().to_string();
    // Sealed properly, to a key that is not in the service's keyset.
    let stranger = KeyPair::generate(Suite::X25519).unwrap();
    let foreign = Sealer::new(stranger.public_key()).unwrap();
    let foreign_ssn = foreign.seal(SSN.as_bytes(), "/ssn").unwrap();
    let json = "application/json";
    vec![
        (
            "clear SSN",
            json,
            patient(SSN, &sealed_diagnosis),
            422,
            "BAD_PREFIX",
            Some("/patient/ssn"),
        ),
        (
            "clear diagnosis",
            json,
            patient(&sealed_ssn, DIAGNOSIS),
            422,
            "BAD_PREFIX",
            Some("/patient/diagnosis"),
        ),
        (
            "sealed to an unknown key",
            json,
            patient(&foreign_ssn, &sealed_diagnosis),
            422,
            "UNKNOWN_KEY",
            Some("/patient/ssn"),
        ),
        (
            "truncated",
            json,
            patient(&sealed_ssn[..60], &sealed_diagnosis),
            422,
            "TRUNCATED",
            Some("/patient/ssn"),
        ),
        (
            "re-encoded",
            json,
            patient(&format!("{sealed_ssn}="), &sealed_diagnosis),
            422,
            "BAD_ENCODING",
            Some("/patient/ssn"),
        ),
        (
            "SSN not a string",
            json,
            patient(&sealed_ssn, &sealed_diagnosis)
                .replace(&format!("\"{sealed_ssn}\""), "780051120"),
            400,
            "INVALID_FIELD",
            Some("/patient/ssn"),
        ),
        (
            "missing diagnosis",
            json,
            format!(
                r#"{{"recordId":"r-1","patient":{{"name":"{NAME}","dob":"{DOB}","ssn":"{sealed_ssn}"}}}}"#
            ),
            400,
            "INVALID_FIELD",
            Some("/patient/diagnosis"),
        ),
        (
            "an extra clear field",
            json,
            good("r-1").replacen(
                "\"name\"",
                &format!("\"notes\":\"{DIAGNOSIS}\",\"name\""),
                1,
            ),
            400,
            "INVALID_FIELD",
            Some("/patient/notes"),
        ),
        (
            "malformed JSON",
            json,
            format!(r#"{{"recordId":"r-1","patient":{{"ssn":"{SSN}""#),
            400,
            "INVALID_JSON",
            None,
        ),
        (
            "not an object",
            json,
            format!("[\"{SSN}\"]"),
            400,
            "INVALID_FIELD",
            Some(""),
        ),
        (
            "bad record id",
            json,
            good("r 1/../x"),
            400,
            "INVALID_FIELD",
            Some("/recordId"),
        ),
        (
            "bad date",
            json,
            good("r-1").replace(DOB, "10/12/1815"),
            400,
            "INVALID_FIELD",
            Some("/patient/dob"),
        ),
        (
            "oversized body",
            json,
            good("r-1").replace(NAME, &"A".repeat(20_000)),
            413,
            "BODY_TOO_LARGE",
            None,
        ),
        (
            "not JSON at all",
            "text/plain",
            good("r-1"),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            None,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_input_gets_its_4xx_naming_the_field_and_stores_nothing() {
    let dir = scratch("bad");
    for (store, url) in databases(&dir, "bad").await {
        let service = Service::start(&Options::new(&dir.join(store), &url));
        let mut web = service.web().await;
        for (case, content_type, body, status, code, field) in bad_inputs(&service) {
            let answer = web
                .request(
                    hyper::Method::POST,
                    "/intake",
                    Some(content_type),
                    body.into(),
                )
                .await
                .unwrap();
            let error = &answer.json()["error"];
            assert_eq!(answer.status, status, "{store}, {case}: {error}");
            assert_eq!(error["code"], code, "{store}, {case}");
            assert_eq!(error["field"].as_str(), field, "{store}, {case}");
            assert!(hsts(&answer), "{store}, {case}: HSTS on a refusal");
            let message = error["message"].as_str().unwrap();
            for secret in [SSN, DIAGNOSIS, "780051120"] {
                assert!(!message.contains(secret), "{store}, {case}: {message}");
            }
            if answer.status == 413 {
                // The service may close a connection after an unread body.
                web = service.web().await;
            }
        }
        // Read back directly: nothing was stored.
        assert_eq!(rows(&url).await.len(), 0, "{store}: rows after refusals");
        // A good one is then stored: the refusals did not break anything.
        let ok = web
            .post_json("/intake", sealed_body(&service.sealer(), "after-refusals"))
            .await
            .unwrap();
        assert_eq!(ok.status, 201, "{store}");
        let stored = rows(&url).await;
        assert_eq!(stored.len(), 1);
        let (_, record_id, kid, name, dob, ssn, diagnosis) = &stored[0];
        assert_eq!(record_id, "after-refusals");
        assert_eq!(kid, &service.keyset().primary_kid().to_string());
        assert_eq!((name.as_str(), dob.as_str()), (NAME, DOB));
        for sealed in [ssn, diagnosis] {
            assert!(sealed.starts_with("enseal1."), "{store}: stored sealed");
            assert!(!sealed.contains(SSN) && !sealed.contains("E11.9"));
        }
        // The log names codes and fields, never a value.
        let logs = service.logs();
        assert!(logs.contains("code=\"BAD_PREFIX\""), "{logs}");
        for secret in [SSN, DIAGNOSIS, "780051120", "E11.9"] {
            assert!(!logs.contains(secret), "{store}: the log holds {secret}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_submission_is_stored_once_and_another_body_under_its_id_conflicts() {
    let dir = scratch("retry");
    for (store, url) in databases(&dir, "retry").await {
        let service = Service::start(&Options::new(&dir.join(store), &url));
        let sealer = service.sealer();
        let mut web = service.web().await;
        let body = sealed_body(&sealer, "retry-1");
        let first = web.post_json("/intake", body.clone()).await.unwrap();
        assert_eq!(first.status, 201, "{store}");
        let again = web.post_json("/intake", body).await.unwrap();
        assert_eq!(
            again.status, 200,
            "{store}: a retry is answered, not stored again"
        );
        assert_eq!(again.json()["id"], first.json()["id"]);
        // The same record id with other sealed values (sealed again: new
        // ciphertexts) is another submission.
        let other = web
            .post_json("/intake", sealed_body(&sealer, "retry-1"))
            .await
            .unwrap();
        assert_eq!(other.status, 409, "{store}");
        assert_eq!(other.json()["error"]["code"], "RECORD_ID_TAKEN");
        assert_eq!(rows(&url).await.len(), 1, "{store}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_2_is_refused_and_the_records_listener_needs_a_certificate_from_its_ca() {
    let dir = scratch("tls");
    // A package directory with a file in it, and a file beside it that no
    // path under /enseal/ may reach.
    let package = dir.join("package");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(package.join("x25519.js"), "export {};").unwrap();
    std::fs::write(dir.join("secret.txt"), "not for the web").unwrap();
    let package_flag = package.to_str().unwrap().to_string();
    let url = sqlite_in(&dir);
    let service = Service::start(&Options {
        args: &["--package-dir", &package_flag],
        ..Options::new(&dir, &url)
    });
    let ca = dir.join("pki/ca.pem");

    // A TLS 1.2-only client (with every 1.2 suite rustls has) gets no session.
    let tls12 = Arc::new(
        rustls::ClientConfig::builder_with_protocol_versions(&[&rustls::version::TLS12])
            .with_root_certificates(enseal_ingest::tls::read_roots(&ca).unwrap())
            .with_no_client_auth(),
    );
    for addr in [service.intake, service.records] {
        let refused = client::connect(addr, Arc::clone(&tls12)).await;
        let error = refused.err().expect("TLS 1.2 refused");
        assert!(error.contains("TLS handshake"), "{error}");
    }

    // TLS 1.3 resumes: the second connection's handshake is abbreviated.
    let config = service.public_client();
    let mut first = client::connect(service.intake, Arc::clone(&config))
        .await
        .unwrap();
    assert!(!first.resumed);
    assert_eq!(first.get("/healthz").await.unwrap().status, 200);
    let second = client::connect(service.intake, config).await.unwrap();
    assert!(second.resumed, "session resumption (tickets) is on");

    // The records listener: no certificate, or one from another CA, gets
    // no HTTP answer at all; its own CA's certificate does.
    let other = dir.join("other-pki");
    enseal_ingest::pki::generate(&other, "intruder").unwrap();
    let no_cert = client::config(&ca, None, false).unwrap();
    let wrong_ca = client::config(
        &ca,
        Some((&other.join("client.pem"), &other.join("client.key"))),
        false,
    )
    .unwrap();
    for (who, config) in [
        ("no certificate", no_cert),
        ("another CA's certificate", wrong_ca),
    ] {
        // TLS 1.3 clients finish their side of the handshake before the
        // server has checked their certificate: the refusal arrives as an
        // alert on the first read.
        let answer = match client::connect(service.records, config).await {
            Ok(mut connection) => connection
                .get("/records?day=2026-12-01")
                .await
                .map(|a| a.status),
            Err(e) => Err(e),
        };
        assert!(answer.is_err(), "{who}: {answer:?}");
    }
    let mut internal = service.internal().await;
    let ok = internal.get("/records?day=2026-12-01").await.unwrap();
    assert_eq!(ok.status, 200);
    assert!(hsts(&ok));
    let bad = internal.get("/records?day=yesterday").await.unwrap();
    assert_eq!(bad.status, 400);
    assert!(hsts(&bad));
    let logs = service.logs();
    assert!(logs.contains("peer sent no certificates"), "{logs}");
    assert!(logs.contains("records fetched client=sha256:"), "{logs}");

    // HSTS on what the public listener answers too, 404 included.
    let mut web = service.web().await;
    for path in ["/", "/keyset.jws", "/healthz", "/enseal/x25519.js"] {
        let answer = web.get(path).await.unwrap();
        assert_eq!(answer.status, 200, "{path}");
        assert!(hsts(&answer), "{path}");
    }
    let js = web.get("/enseal/x25519.js").await.unwrap();
    assert_eq!(js.body, "export {};");
    assert_eq!(js.headers["content-type"], "text/javascript");
    for path in [
        "/no-such-page",
        "/enseal/../secret.txt",
        "/enseal/..%2fsecret.txt",
        "/enseal/%2e%2e/secret.txt",
        "/enseal/%2e%2e%2fsecret.txt",
        "/enseal//etc/passwd",
    ] {
        let answer = web.get(path).await.unwrap();
        assert_eq!(answer.status, 404, "{path}");
        assert!(hsts(&answer), "{path}");
        assert!(!String::from_utf8_lossy(&answer.body).contains("not for the web"));
    }
}

/// Submits `records` (record id → body) on `workers` connections, each
/// retrying until the service answers 201 or 200 (the idempotent retry a
/// client makes after an error or a lost answer). Returns record id → row
/// id of every acknowledged submission.
async fn submit_all(
    addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
    records: Vec<(String, String)>,
    workers: usize,
    acked: Arc<std::sync::Mutex<HashMap<String, i64>>>,
) -> usize {
    let queue = Arc::new(std::sync::Mutex::new(records));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (queue, acked, config) = (Arc::clone(&queue), Arc::clone(&acked), Arc::clone(&config));
        tasks.push(tokio::spawn(async move {
            let mut retries = 0;
            let mut connection = None;
            loop {
                let Some((record_id, body)) = queue.lock().unwrap().pop() else {
                    return retries;
                };
                let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
                loop {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "{record_id}: never acknowledged"
                    );
                    if connection.is_none() {
                        connection = client::connect(addr, Arc::clone(&config)).await.ok();
                    }
                    let Some(c) = connection.as_mut() else {
                        retries += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    };
                    match c.post_json("/intake", body.clone()).await {
                        Ok(answer) if answer.status == 201 || answer.status == 200 => {
                            let id = answer.json()["id"].as_i64().unwrap();
                            let previous = acked.lock().unwrap().insert(record_id.clone(), id);
                            assert!(previous.is_none(), "{record_id} acknowledged twice");
                            break;
                        }
                        Ok(answer) => panic!("{record_id}: {} {:?}", answer.status, answer.json()),
                        Err(_) => {
                            retries += 1;
                            connection = None;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            }
        }));
    }
    let mut retries = 0;
    for task in tasks {
        retries += task.await.unwrap();
    }
    retries
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarts_under_load_lose_no_acknowledged_record_and_store_none_twice() {
    let dir = scratch("restart");
    for (store, url) in databases(&dir, "restart").await {
        let dir = dir.join(store);
        let ports = (free_port(), free_port());
        let options = Options {
            ports,
            ..Options::new(&dir, &url)
        };
        let service = Service::start(&options);
        let (addr, config, sealer) = (service.intake, service.public_client(), service.sealer());
        const RECORDS: usize = 600;
        let records: Vec<(String, String)> = (0..RECORDS)
            .map(|i| {
                let id = format!("load-{i:04}");
                let body = sealed_body(&sealer, &id);
                (id, body)
            })
            .collect();
        let sent: HashMap<String, String> = records.iter().cloned().collect();
        let acked = Arc::new(std::sync::Mutex::new(HashMap::new()));
        let load = tokio::spawn(submit_all(addr, config, records, 8, Arc::clone(&acked)));

        // A crash (SIGKILL) once a third is in, then an orderly restart
        // (SIGTERM, as a deploy does) at two thirds; each time the service
        // comes back on the same ports while the clients keep sending.
        let wait_for = |n: usize| {
            let acked = Arc::clone(&acked);
            async move {
                while acked.lock().unwrap().len() < n {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        };
        wait_for(RECORDS / 3).await;
        service.kill();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let service = Service::start(&options);
        wait_for(2 * RECORDS / 3).await;
        let status = service.terminate();
        assert!(status.success(), "{store}: SIGTERM stops cleanly: {status}");
        let service = Service::start(&options);
        let retries = load.await.unwrap();
        assert!(retries > 0, "{store}: the restarts did interrupt the load");
        eprintln!(
            "{store}: {RECORDS} records through a SIGKILL and a SIGTERM restart, {retries} client retries"
        );

        let acked = acked.lock().unwrap().clone();
        assert_eq!(acked.len(), RECORDS, "{store}");
        let stored = rows(&url).await;
        assert_eq!(
            stored.len(),
            RECORDS,
            "{store}: one row per record, none twice"
        );
        let by_id: HashMap<&str, _> = stored.iter().map(|r| (r.1.as_str(), r)).collect();
        for (record_id, id) in &acked {
            let row = by_id
                .get(record_id.as_str())
                .expect("every acknowledged record is stored");
            assert_eq!(row.0, *id, "{store}: the acknowledged row id");
            let sent: serde_json::Value = serde_json::from_str(&sent[record_id]).unwrap();
            assert_eq!(
                row.5,
                sent["patient"]["ssn"].as_str().unwrap(),
                "{store}: stored as sent"
            );
        }
        drop(service);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_keyset_takes_effect_on_sighup_and_an_older_one_is_refused() {
    let dir = scratch("rotate");
    let service = Service::start(&Options::new(&dir, &sqlite_in(&dir)));
    let old_sealer = service.sealer();
    // Rotation: a new primary key, the old one kept so in-flight forms
    // still land; signed (version 2) by the same pinned signer.
    let signer = enseal::SigningKey::from_jwk(
        &std::fs::read_to_string(dir.join("keyset-signer.jwk")).unwrap(),
    )
    .unwrap();
    let old = service.keyset();
    let next_key = KeyPair::generate(Suite::X25519).unwrap();
    let mut next = Keyset::from_public_key(next_key.public_key(), None, None).unwrap();
    next.add(old.primary().key(), None, None).unwrap();
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    std::fs::write(
        dir.join("keyset.jws"),
        next.sign(&signer, 2, expires).unwrap(),
    )
    .unwrap();
    let hup = |pid: u32| {
        std::process::Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap()
    };
    hup(service.pid());
    let mut web = service.web().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let served = web.get("/keyset.jws").await.unwrap();
        if served.body
            == std::fs::read_to_string(dir.join("keyset.jws"))
                .unwrap()
                .as_bytes()
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "keyset not reloaded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Both the new key and the old one are accepted.
    let new_sealer = Sealer::from_keyset(&next).unwrap();
    for (i, sealer) in [new_sealer, old_sealer].iter().enumerate() {
        let answer = web
            .post_json("/intake", sealed_body(sealer, &format!("rot-{i}")))
            .await
            .unwrap();
        assert_eq!(answer.status, 201);
    }
    // Version 1 again (a rollback): refused, version 2 stays.
    std::fs::write(
        dir.join("keyset.jws"),
        old.sign(&signer, 1, expires).unwrap(),
    )
    .unwrap();
    hup(service.pid());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !service.logs().contains("keyset not reloaded") {
        assert!(std::time::Instant::now() < deadline, "{}", service.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        service
            .logs()
            .contains("older than version 2 already accepted"),
        "{}",
        service.logs()
    );
    let answer = web
        .post_json(
            "/intake",
            sealed_body(&Sealer::from_keyset(&next).unwrap(), "rot-2"),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 201, "the version-2 keyset is still in force");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolled_back_release_runs_on_the_schema_a_newer_one_migrated() {
    let dir = scratch("rollback");
    let url = sqlite_in(&dir);
    drop(Service::start(&Options::new(&dir, &url)));
    // What a newer release's additive migration leaves behind: a nullable
    // column and its entry in sqlx's ledger, unknown to this binary.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    for statement in [
        "ALTER TABLE intakes ADD COLUMN triage TEXT",
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (2, 'triage', 1, x'00', 0)",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let service = Service::start(&Options::new(&dir, &url));
    let mut web = service.web().await;
    let answer = web
        .post_json("/intake", sealed_body(&service.sealer(), "after-rollback"))
        .await
        .unwrap();
    assert_eq!(answer.status, 201, "{}", service.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by `cargo xtask ingest-test`"]
async fn a_commit_that_fails_is_never_acknowledged() {
    let dir = scratch("commit");
    let url = databases(&dir, "commit")
        .await
        .into_iter()
        .find(|(store, _)| *store == "postgres")
        .expect("ENSEAL_INGEST_TEST_POSTGRES names a PostgreSQL server")
        .1;
    let service = Service::start(&Options::new(&dir, &url));
    // A check PostgreSQL runs only at COMMIT, after the INSERT has returned
    // its row: what a failover or a lost connection at that moment does.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    for statement in [
        "CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$",
        "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON intakes \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    let mut web = service.web().await;
    let answer = web
        .post_json("/intake", sealed_body(&service.sealer(), "never-committed"))
        .await
        .unwrap();
    assert_eq!(answer.status, 503, "{:?}", answer.json());
    assert_eq!(answer.json()["error"]["code"], "STORE_UNAVAILABLE");
    assert_eq!(rows(&url).await.len(), 0);
    // Once the database commits again, the client's retry (same record id) is stored.
    sqlx::query("DROP TRIGGER refuse_at_commit ON intakes")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let retry = web
        .post_json("/intake", sealed_body(&service.sealer(), "never-committed"))
        .await
        .unwrap();
    assert_eq!(retry.status, 201);
    assert_eq!(rows(&url).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sighup_right_after_start_reloads_instead_of_killing_it() {
    let dir = scratch("early-hup");
    let url = sqlite_in(&dir);
    for _ in 0..5 {
        let service = Service::start(&Options::new(&dir, &url));
        // At once, as a deploy script that reloads after start would.
        std::process::Command::new("kill")
            .args(["-HUP", &service.pid().to_string()])
            .status()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut web = client::connect(service.intake, service.public_client())
            .await
            .expect("still serving after the SIGHUP");
        assert_eq!(web.get("/healthz").await.unwrap().status, 200);
        assert!(service.terminate().success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_show_once_settled_and_pages_follow_a_fixed_horizon() {
    let dir = scratch("settle");
    let url = sqlite_in(&dir);
    let service = Service::start(&Options {
        records_settle: 30,
        ..Options::new(&dir, &url)
    });
    let mut web = service.web().await;
    let sealer = service.sealer();
    for i in 0..5 {
        let answer = web
            .post_json("/intake", sealed_body(&sealer, &format!("settle-{i}")))
            .await
            .unwrap();
        assert_eq!(answer.status, 201);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let day = enseal_ingest::http::day_of(now);
    let mut internal = service.internal().await;
    // Received less than 30 s ago: not settled, not shown, even if asked.
    let page = internal
        .get(&format!("/records?day={day}&until={}", now + 60))
        .await
        .unwrap()
        .json();
    assert_eq!(page["records"].as_array().unwrap().len(), 0, "{page}");
    let until = page["until"].as_i64().unwrap();
    assert!((now - 31..=now - 29).contains(&until), "{until} vs {now}");
    drop(service);

    // Without a settle time the five show, two per page along one horizon,
    // in (received_at, id) order, each once.
    let service = Service::start(&Options::new(&dir, &url));
    let mut internal = service.internal().await;
    let first = internal
        .get(&format!("/records?day={day}&limit=2"))
        .await
        .unwrap()
        .json();
    let until = first["until"].as_i64().unwrap();
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        for record in page["records"].as_array().unwrap() {
            seen.push(record["recordId"].as_str().unwrap().to_string());
        }
        let Some(next) = page["next"].as_str().map(str::to_string) else {
            break;
        };
        page = internal
            .get(&format!(
                "/records?day={day}&limit=2&until={until}&after={next}"
            ))
            .await
            .unwrap()
            .json();
        assert_eq!(page["until"], until);
    }
    assert_eq!(
        seen,
        (0..5).map(|i| format!("settle-{i}")).collect::<Vec<_>>()
    );
    for bad in [
        "after=12",
        "after=a.b",
        "until=x",
        "limit=0",
        "day=2026-13-01",
    ] {
        let answer = internal
            .get(&format!("/records?day={day}&{bad}"))
            .await
            .unwrap();
        assert_eq!(answer.status, 400, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_trickling_clients_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = scratch("slow");
    let url = sqlite_in(&dir);
    let service = Service::start(&Options {
        args: &["--request-timeout", "1", "--idle-timeout", "2"],
        ..Options::new(&dir, &url)
    });
    let tls = |service: &Service| {
        let connector = tokio_rustls::TlsConnector::from(service.public_client());
        let addr = service.intake;
        async move {
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
            connector.connect(name, tcp).await.unwrap()
        }
    };
    // Connected, then silent: closed once idle, not held open.
    let mut silent = tls(&service).await;
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(8), silent.read(&mut byte)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "an idle connection is closed: {read:?}"
    );
    // A body promised and trickled: 408, with HSTS, well before the body ends.
    let mut slow = tls(&service).await;
    slow.write_all(
        b"POST /intake HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{\"re",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(8), slow.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(answer.starts_with("http/1.1 408"), "{answer}");
    assert!(answer.contains("strict-transport-security"), "{answer}");
    // Others are served meanwhile.
    let mut web = service.web().await;
    assert_eq!(web.get("/healthz").await.unwrap().status, 200);
    assert_eq!(rows(&url).await.len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_201_says_where_the_time_went_and_a_normal_build_has_no_plaintext_mode() {
    let dir = scratch("timing");
    let url = sqlite_in(&dir);
    let service = Service::start(&Options::new(&dir, &url));
    let mut web = service.web().await;
    let answer = web
        .post_json("/intake", sealed_body(&service.sealer(), "timed"))
        .await
        .unwrap();
    assert_eq!(answer.status, 201);
    let timing = answer.headers["server-timing"]
        .to_str()
        .unwrap()
        .to_string();
    for phase in ["parse;dur=", "check;dur=", "commit;dur="] {
        assert!(timing.contains(phase), "{timing}");
    }
    drop(service);
    // The load report's plaintext baseline exists only in a build with the
    // off-by-default `plaintext-baseline` feature.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_enseal-ingest"))
        .args(["--plaintext-baseline", "--dev-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unexpected argument"));
}
