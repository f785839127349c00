//! A STAND-IN FOR AWS KMS, for tests and the benchmark only: a loopback HTTP
//! server on 127.0.0.1 that implements the documented request and response of
//! two AWS KMS operations, `TrentService.GetPublicKey` and
//! `TrentService.DeriveSharedSecret` (AWS JSON 1.1: `POST /`,
//! `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target`, base64 blobs,
//! errors as HTTP 400 with `{"__type": ..., "message": ...}`). It is NOT AWS:
//! it checks each request's SigV4 `Authorization` header (form, scope and,
//! when it is given the secret access key, the signature itself, computed
//! here from the AWS Signature Version 4 specification), knows one key, and
//! has knobs real KMS does not: injected latency, stop/restart on the same
//! port, and throttling.
//!
//! The key is a P-256 key generated at start (or one given, e.g. the
//! RFC 9180 test-vector key for the vector test).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64ct::{Base64, Encoding};
use enseal::{KeyPair, PublicKey, Suite};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The DER prefix of a P-256 SubjectPublicKeyInfo with an uncompressed point
/// (RFC 5480), which is what KMS returns and takes as `PublicKey`.
pub const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The key ARN the stand-in answers to (any account/region would do).
pub const KEY_ARN: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/0b7e5a1c-enseal-standin-0000000000000";
/// An alias ARN of the same key.
pub const ALIAS_ARN: &str = "arn:aws:kms:eu-west-1:111122223333:alias/enseal-standin";

/// Counters and knobs, shared with the connection threads.
#[derive(Default)]
pub struct State {
    /// Milliseconds each request is held before its answer.
    pub latency_ms: AtomicU64,
    /// Answer every DeriveSharedSecret with ThrottlingException.
    pub throttle: AtomicBool,
    /// Answer every DeriveSharedSecret with this error `__type` (HTTP 400).
    pub inject: Mutex<Option<String>>,
    /// GetPublicKey's KeySpec / KeyUsage (to test `open`'s checks).
    pub key_spec: Mutex<String>,
    pub key_usage: Mutex<String>,
    /// DeriveSharedSecret requests answered with a secret.
    pub derived: AtomicUsize,
    /// GetPublicKey requests answered.
    pub public_keys: AtomicUsize,
    /// ThrottlingException answers.
    pub throttled: AtomicUsize,
    /// Requests being handled now, and the most ever at once.
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    /// Requests that did not look like the API reference says (must stay empty).
    pub violations: Mutex<Vec<String>>,
    /// The access key ids requests were signed with (SigV4 Credential scope).
    pub access_keys: Mutex<Vec<String>>,
    /// The `X-Amz-Security-Token` headers seen (temporary credentials).
    pub session_tokens: Mutex<Vec<String>>,
    /// The secret access key signatures are checked against (none: not checked).
    pub secret: Mutex<Option<String>>,
    /// Requests whose SigV4 signature was recomputed here and matched.
    pub signatures_verified: AtomicUsize,
    running: AtomicBool,
    connections: Mutex<Vec<TcpStream>>,
}

/// The running stand-in. Dropping it stops it.
pub struct KmsStandIn {
    pub state: Arc<State>,
    pair: Arc<KeyPair>,
    port: u16,
    acceptor: Option<JoinHandle<()>>,
    generation: Arc<AtomicU64>,
}

impl KmsStandIn {
    /// Starts on a free loopback port with a freshly generated P-256 key.
    pub fn start() -> KmsStandIn {
        KmsStandIn::start_with(KeyPair::generate(Suite::P256).unwrap())
    }

    /// Starts with the given P-256 key.
    pub fn start_with(pair: KeyPair) -> KmsStandIn {
        assert_eq!(pair.suite(), Suite::P256);
        let state = Arc::new(State::default());
        *state.key_spec.lock().unwrap() = "ECC_NIST_P256".into();
        *state.key_usage.lock().unwrap() = "KEY_AGREEMENT".into();
        // The tests put the credentials the custodian reads in this process's
        // environment; the CLI test passes them to a child and calls
        // `expect_secret` itself.
        *state.secret.lock().unwrap() = std::env::var("AWS_SECRET_ACCESS_KEY").ok();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut standin = KmsStandIn {
            state,
            pair: Arc::new(pair),
            port,
            acceptor: None,
            generation: Arc::new(AtomicU64::new(0)),
        };
        standin.serve(listener);
        standin
    }

    /// The endpoint URL for `?endpoint=`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `awskms:` URI of the key at this stand-in, with extra query parameters.
    pub fn uri(&self, extra: &str) -> String {
        format!("awskms:{KEY_ARN}?endpoint={}{extra}", self.endpoint())
    }

    /// The public key the stand-in holds the private key of.
    pub fn public_key(&self) -> &PublicKey {
        self.pair.public_key()
    }

    /// Checks every request's SigV4 signature against this secret access key.
    pub fn expect_secret(&self, secret: &str) {
        *self.state.secret.lock().unwrap() = Some(secret.to_string());
    }

    /// The private key as a JWK, for an in-memory baseline (benchmark).
    pub fn private_jwk(&self) -> String {
        self.pair.to_jwk().to_string()
    }

    /// Closes the listening socket and every open connection: new requests
    /// get "connection refused", requests in progress lose their connection.
    pub fn stop(&mut self) {
        self.state.running.store(false, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.join().unwrap();
        }
        for connection in self.state.connections.lock().unwrap().drain(..) {
            let _ = connection.shutdown(Shutdown::Both);
        }
    }

    /// Listens again on the same port (std sets SO_REUSEADDR on Unix).
    pub fn restart(&mut self) {
        assert!(self.acceptor.is_none(), "restart after stop only");
        let listener = TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.serve(listener);
    }

    fn serve(&mut self, listener: TcpListener) {
        self.state.running.store(true, Ordering::SeqCst);
        let state = self.state.clone();
        let pair = self.pair.clone();
        let generation = self.generation.clone();
        let mine = generation.load(Ordering::SeqCst);
        self.acceptor = Some(std::thread::spawn(move || {
            for stream in listener.incoming() {
                if generation.load(Ordering::SeqCst) != mine {
                    break; // stopped: drop the listener
                }
                let Ok(stream) = stream else { continue };
                if let Ok(clone) = stream.try_clone() {
                    state.connections.lock().unwrap().push(clone);
                }
                let state = state.clone();
                let pair = pair.clone();
                std::thread::spawn(move || connection(stream, &state, &pair));
            }
        }));
    }
}

impl Drop for KmsStandIn {
    fn drop(&mut self) {
        if self.acceptor.is_some() {
            self.stop();
        }
    }
}

/// One keep-alive HTTP/1.1 connection: requests until the peer closes it or
/// the stand-in stops.
fn connection(stream: TcpStream, state: &State, pair: &KeyPair) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let Some((request_line, headers, body)) = read_request(&mut reader) else {
            return;
        };
        if !state.running.load(Ordering::SeqCst) {
            return;
        }
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let latency = state.latency_ms.load(Ordering::SeqCst);
        if latency > 0 {
            std::thread::sleep(Duration::from_millis(latency));
        }
        let (status, body) = answer(&request_line, &headers, &body, state, pair);
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !state.running.load(Ordering::SeqCst) {
            return; // stopped while holding the request: no answer
        }
        let reason = if status == 200 { "OK" } else { "Bad Request" };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             Content-Length: {}\r\nx-amzn-RequestId: standin-{}\r\n\r\n{body}",
            body.len(),
            state.derived.load(Ordering::SeqCst)
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

type Headers = Vec<(String, String)>;

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Headers, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let request_line = line.trim_end().to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = header(&headers, "content-length")?.parse().ok()?;
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line, headers, body))
}

fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn error(kind: &str, message: &str) -> (u16, String) {
    (
        400,
        json!({ "__type": kind, "message": message }).to_string(),
    )
}

/// Checks the request is what the API reference describes, then answers it.
fn answer(
    request_line: &str,
    headers: &Headers,
    body: &[u8],
    state: &State,
    pair: &KeyPair,
) -> (u16, String) {
    let violation = |what: String| {
        state.violations.lock().unwrap().push(what.clone());
        what
    };
    if request_line != "POST / HTTP/1.1" {
        let what = violation(format!("request line {request_line:?}"));
        return error("UnknownOperationException", &what);
    }
    if header(headers, "content-type") != Some("application/x-amz-json-1.1") {
        let what = violation(format!(
            "content-type {:?}",
            header(headers, "content-type")
        ));
        return error("SerializationException", &what);
    }
    // SigV4: "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/kms/aws4_request,
    // SignedHeaders=...;x-amz-date;x-amz-target, Signature=<64 hex>".
    let auth = header(headers, "authorization").unwrap_or("");
    let signed = auth
        .strip_prefix("AWS4-HMAC-SHA256 Credential=")
        .and_then(|rest| {
            let (credential, rest) = rest.split_once(", SignedHeaders=")?;
            let (signed_headers, signature) = rest.split_once(", Signature=")?;
            let scope: Vec<&str> = credential.split('/').collect();
            let ok = scope.len() == 5
                && scope[2] == "eu-west-1"
                && scope[3] == "kms"
                && scope[4] == "aws4_request"
                && signature.len() == 64
                && signature.bytes().all(|b| b.is_ascii_hexdigit())
                && ["host", "x-amz-date", "x-amz-target"]
                    .iter()
                    .all(|h| signed_headers.split(';').any(|s| s == *h));
            ok.then(|| scope[0].to_string())
        });
    let Some(access_key) = signed else {
        let what = violation(format!("authorization {auth:?}"));
        return error("IncompleteSignatureException", &what);
    };
    state.access_keys.lock().unwrap().push(access_key);
    if let Some(token) = header(headers, "x-amz-security-token") {
        state.session_tokens.lock().unwrap().push(token.to_string());
    }
    if header(headers, "x-amz-date").is_none() {
        let what = violation("no x-amz-date".into());
        return error("IncompleteSignatureException", &what);
    }
    if let Some(secret) = state.secret.lock().unwrap().clone() {
        if !signature_matches(&secret, auth, headers, body) {
            let what = violation("SigV4 signature does not match".into());
            return error("InvalidSignatureException", &what);
        }
        state.signatures_verified.fetch_add(1, Ordering::SeqCst);
    }
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        let what = violation("body is not JSON".into());
        return error("SerializationException", &what);
    };
    let key_id = request["KeyId"].as_str().unwrap_or("");
    let known = key_id == KEY_ARN || key_id == ALIAS_ARN;
    match header(headers, "x-amz-target") {
        Some("TrentService.GetPublicKey") => {
            if !known {
                return error(
                    "NotFoundException",
                    &format!("Key '{key_id}' does not exist"),
                );
            }
            state.public_keys.fetch_add(1, Ordering::SeqCst);
            let mut spki = P256_SPKI_PREFIX.to_vec();
            spki.extend_from_slice(pair.public_key().as_bytes());
            let spec = state.key_spec.lock().unwrap().clone();
            let usage = state.key_usage.lock().unwrap().clone();
            let response = json!({
                "KeyId": KEY_ARN,
                "PublicKey": Base64::encode_string(&spki),
                "CustomerMasterKeySpec": spec,
                "KeySpec": spec,
                "KeyUsage": usage,
                "KeyAgreementAlgorithms": ["ECDH"],
            });
            (200, response.to_string())
        }
        Some("TrentService.DeriveSharedSecret") => {
            if !known {
                return error(
                    "NotFoundException",
                    &format!("Key '{key_id}' does not exist"),
                );
            }
            if let Some(kind) = state.inject.lock().unwrap().clone() {
                return error(&kind, "injected by the stand-in");
            }
            if state.throttle.load(Ordering::SeqCst) {
                state.throttled.fetch_add(1, Ordering::SeqCst);
                return error("ThrottlingException", "Rate exceeded");
            }
            if request["KeyAgreementAlgorithm"] != "ECDH" {
                let what = violation(format!(
                    "KeyAgreementAlgorithm {}",
                    request["KeyAgreementAlgorithm"]
                ));
                return error("ValidationException", &what);
            }
            let spki = request["PublicKey"]
                .as_str()
                .and_then(|b64| Base64::decode_vec(b64).ok())
                .unwrap_or_default();
            let Some(point) = spki.strip_prefix(&P256_SPKI_PREFIX[..]) else {
                return error("ValidationException", "PublicKey is not a P-256 SPKI");
            };
            let Ok(peer) = p256::PublicKey::from_sec1_bytes(point) else {
                return error("ValidationException", "PublicKey is not a valid point");
            };
            let secret = p256::SecretKey::from_slice(&pair.private_bytes()).unwrap();
            let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
            state.derived.fetch_add(1, Ordering::SeqCst);
            let response = json!({
                "KeyId": KEY_ARN,
                "SharedSecret": Base64::encode_string(shared.raw_secret_bytes()),
                "KeyAgreementAlgorithm": "ECDH",
                "KeyOrigin": "AWS_KMS",
            });
            (200, response.to_string())
        }
        other => {
            let what = violation(format!("x-amz-target {other:?}"));
            error("UnknownOperationException", &what)
        }
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Recomputes an AWS Signature Version 4 (`AWS4-HMAC-SHA256`) over this
/// request: canonical request (method, URI `/`, empty query, the signed
/// headers lower-cased with trimmed, space-collapsed values, the hex SHA-256
/// of the body), string to sign with the credential scope, and the HMAC chain
/// `AWS4<secret>` → date → region → service → `aws4_request`.
fn signature_matches(secret: &str, auth: &str, headers: &Headers, body: &[u8]) -> bool {
    let field = |name: &str| {
        auth.split(", ")
            .find_map(|part| part.rsplit(' ').next()?.strip_prefix(name))
            .map(str::to_string)
    };
    let (Some(credential), Some(signed_headers), Some(signature)) = (
        field("Credential="),
        field("SignedHeaders="),
        field("Signature="),
    ) else {
        return false;
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [_, date, region, service, terminator] = scope[..] else {
        return false;
    };
    let Some(amz_date) = header(headers, "x-amz-date") else {
        return false;
    };
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let values: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        if values.is_empty() {
            return false;
        }
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload_hash = hex::encode(Sha256::digest(body));
    if header(headers, "x-amz-content-sha256").is_some_and(|h| h != payload_hash) {
        return false;
    }
    let canonical_request =
        format!("POST\n/\n\n{canonical_headers}\n{signed_headers}\n{payload_hash}");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/{terminator}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    for part in [region, service, terminator] {
        key = hmac(&key, part.as_bytes());
    }
    hex::encode(hmac(&key, string_to_sign.as_bytes())) == signature
}
