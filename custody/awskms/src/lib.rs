//! AWS KMS key custody for enseal: a P-256 `KEY_AGREEMENT` key whose private
//! key never leaves AWS KMS.
//!
//! Opening a session needs the private key for one step, the Diffie-Hellman
//! on the session's `enc` ([`enseal::KeyCustody`]). Here that step is AWS
//! KMS's `DeriveSharedSecret` (algorithm `ECDH`), which returns exactly the
//! raw ECDH x-coordinate; enseal's core checks `enc` before it is sent and
//! computes all of RFC 9180 after. The opener's session cache sits in front,
//! so KMS is asked once per session, not once per field.
//!
//! ```no_run
//! # fn main() -> enseal::Result<()> {
//! let custodian = enseal_awskms::open(
//!     "awskms:arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
//! )?;
//! let mut keyring = enseal::Keyring::new();
//! keyring.add_custody(custodian);
//! let opener = enseal::Opener::new(keyring);
//! # let _ = opener; Ok(()) }
//! ```
//!
//! The key URI is `awskms:<key ARN or alias ARN>[?param=value&...]`:
//!
//! | parameter       | default | meaning |
//! |-----------------|---------|---------|
//! | `endpoint`      | the region's | KMS endpoint URL; `http://` only to a loopback host (127.0.0.1, ::1, localhost) |
//! | `timeout-ms`    | 10000   | bound on one KMS operation, the SDK's retries included |
//! | `max-in-flight` | 16      | KMS requests in flight at once from this custodian |
//! | `wait-ms`       | 2000    | how long an open waits for a free slot before `KEY_UNAVAILABLE` ("busy") |
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
//! (optional) `AWS_SESSION_TOKEN`, read once by [`open`]; the region is the
//! key ARN's. No other credential source (profiles, SSO, IMDS, ECS, web
//! identity) is consulted: see docs/AWSKMS.md.

use std::fmt;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeyAgreementAlgorithmSpec, KeySpec, KeyUsageType};
use enseal::{CustodyError, Error, KeyCustody, PublicKey, Result, Suite};
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// The URI scheme of an AWS KMS key.
pub const SCHEME: &str = "awskms:";

/// DER of a P-256 SubjectPublicKeyInfo up to its uncompressed point:
/// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused
/// bits) }, RFC 5480. Every P-256 SPKI with an uncompressed point starts
/// with exactly these 26 bytes, so no ASN.1 parser is needed either way.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// An uncompressed P-256 point: 0x04 || x || y.
const P256_POINT_LEN: usize = 65;

const DEFAULT_TIMEOUT_MS: u64 = 10_000;
const DEFAULT_MAX_IN_FLIGHT: usize = 16;
const DEFAULT_WAIT_MS: u64 = 2_000;
/// The SDK's standard retry mode with its default 3 attempts: throttling,
/// 5xx and transport errors are retried with jittered backoff by the SDK.
const MAX_ATTEMPTS: u32 = 3;
/// Worker threads of the custodian's runtime: they only drive sockets and
/// timers (the callers block on their own threads), so two are plenty.
const RUNTIME_THREADS: usize = 2;

/// Opens the AWS KMS key named by `uri` (`awskms:<ARN>[?...]`, see the crate
/// docs) as a key custodian for [`enseal::Keyring::add_custody`].
///
/// Calls `GetPublicKey` once and checks the key is `ECC_NIST_P256` with key
/// usage `KEY_AGREEMENT`. Errors: [`Error::InvalidKeyLocation`] for a
/// malformed URI, [`Error::InvalidKey`] for a key of another spec or usage,
/// [`Error::KeyUnavailable`] (no key id yet) when credentials are missing or
/// KMS does not answer or refuses.
pub fn open(uri: &str) -> Result<Arc<dyn KeyCustody>> {
    Ok(Arc::new(AwsKmsKey::open(uri)?))
}

/// A P-256 private key held by AWS KMS: the custodian [`open`] returns.
///
/// Safe to share between threads: each [`KeyCustody::private_key_op`] is one
/// `DeriveSharedSecret` request, at most `max-in-flight` at a time, on a
/// small tokio runtime this value owns (so it works from any thread,
/// async runtime or not).
pub struct AwsKmsKey {
    key_id: String,
    public: PublicKey,
    client: aws_sdk_kms::Client,
    slots: Arc<Semaphore>,
    settings: Settings,
    runtime: OwnedRuntime,
}

/// The custodian's runtime. Dropping a tokio runtime blocks, which panics
/// inside another runtime (a custodian opened or dropped in async code);
/// shutting it down in the background never does.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// What the URI's query set.
#[derive(Debug, Clone)]
struct Settings {
    endpoint: Option<String>,
    timeout: Duration,
    max_in_flight: usize,
    wait: Duration,
}

/// A key URI, parsed.
#[derive(Debug)]
struct Location {
    key_id: String,
    region: String,
    settings: Settings,
}

fn bad_uri(why: impl fmt::Display) -> Error {
    Error::InvalidKeyLocation(format!("awskms: {why}"))
}

fn parse(uri: &str) -> Result<Location> {
    let rest = uri
        .strip_prefix(SCHEME)
        .ok_or_else(|| bad_uri("the key URI must start with awskms:"))?;
    let (arn, query) = match rest.split_once('?') {
        Some((arn, query)) => (arn, Some(query)),
        None => (rest, None),
    };
    // arn:PARTITION:kms:REGION:ACCOUNT:key/ID or .../alias/NAME. The region
    // is taken from the ARN, so a key id alone (no region) is refused.
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return Err(bad_uri(
            "expected a key ARN, arn:aws:kms:REGION:ACCOUNT:key/ID or .../alias/NAME",
        ));
    };
    if prefix != "arn" || partition.is_empty() || service != "kms" {
        return Err(bad_uri("expected an ARN of the form arn:PARTITION:kms:..."));
    }
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_ok {
        return Err(bad_uri("the ARN's region is missing or malformed"));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_uri("the ARN's account must be 12 digits"));
    }
    let named = resource
        .strip_prefix("key/")
        .or_else(|| resource.strip_prefix("alias/"))
        .is_some_and(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_/".contains(&b))
        });
    if !named {
        return Err(bad_uri("the ARN must name key/ID or alias/NAME"));
    }
    let mut settings = Settings {
        endpoint: None,
        timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS),
        max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        wait: Duration::from_millis(DEFAULT_WAIT_MS),
    };
    for pair in query.into_iter().flat_map(|q| q.split('&')) {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| bad_uri(format!("query parameter {pair:?} has no value")))?;
        match name {
            "endpoint" => settings.endpoint = Some(check_endpoint(value)?),
            "timeout-ms" => settings.timeout = Duration::from_millis(number(name, value)?),
            "max-in-flight" => {
                settings.max_in_flight = usize::try_from(number(name, value)?)
                    .map_err(|_| bad_uri("max-in-flight is too large"))?
            }
            "wait-ms" => settings.wait = Duration::from_millis(number(name, value)?),
            _ => return Err(bad_uri(format!("unknown query parameter {name:?}"))),
        }
    }
    if settings.timeout.is_zero() || settings.max_in_flight == 0 {
        return Err(bad_uri("timeout-ms and max-in-flight must be at least 1"));
    }
    // Semaphore::MAX_PERMITS is far above any sensible bound; keep it sane.
    if settings.max_in_flight > 4096 {
        return Err(bad_uri("max-in-flight must be at most 4096"));
    }
    Ok(Location {
        key_id: arn.to_string(),
        region: region.to_string(),
        settings,
    })
}

fn number(name: &str, value: &str) -> Result<u64> {
    value
        .parse::<u64>()
        .map_err(|_| bad_uri(format!("{name} must be a whole number, not {value:?}")))
}

/// An endpoint URL: `https://HOST[:PORT]`, or `http://` to a loopback host
/// only (a test stand-in): a signed request and the shared secret it returns
/// must not cross a network in the clear.
fn check_endpoint(value: &str) -> Result<String> {
    let (scheme, rest) = value
        .split_once("://")
        .ok_or_else(|| bad_uri("endpoint must be an http(s) URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // `http://localhost:1@kms.example.com` goes to kms.example.com: a URL
    // with user info never names the loopback host it starts with.
    if authority.contains('@') {
        return Err(bad_uri("endpoint must not hold user info ('@')"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() {
        return Err(bad_uri("endpoint has no host"));
    }
    match scheme {
        "https" => Ok(value.to_string()),
        "http" if matches!(host, "127.0.0.1" | "::1" | "localhost") => Ok(value.to_string()),
        "http" => Err(bad_uri(
            "endpoint over plain http is allowed to a loopback host only",
        )),
        _ => Err(bad_uri("endpoint must be an http(s) URL")),
    }
}

/// Static credentials from the standard environment variables.
fn credentials_from_env() -> Result<Credentials> {
    let read = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (Some(id), Some(secret)) = (read("AWS_ACCESS_KEY_ID"), read("AWS_SECRET_ACCESS_KEY"))
    else {
        return Err(Error::KeyUnavailable {
            kid: None,
            reason: "awskms: no AWS credentials: set AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)"
                .into(),
        });
    };
    // Credentials' Debug redacts the secret and the token.
    Ok(Credentials::new(
        id,
        secret,
        read("AWS_SESSION_TOKEN"),
        None,
        "enseal-awskms environment",
    ))
}

impl AwsKmsKey {
    /// [`open`], returning the concrete type.
    pub fn open(uri: &str) -> Result<AwsKmsKey> {
        let location = parse(uri)?;
        let credentials = credentials_from_env()?;
        let settings = location.settings;
        let owned = OwnedRuntime(Some(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(RUNTIME_THREADS)
                .thread_name("enseal-awskms")
                .enable_all()
                .build()
                .map_err(|_| Error::KeyUnavailable {
                    kid: None,
                    reason: "awskms: could not start the runtime threads".into(),
                })?,
        ));
        let runtime = owned.0.as_ref().ok_or(Error::Internal("awskms runtime"))?;
        // Each attempt gets its share of the operation's budget so the SDK's
        // retries fit inside it; connecting is bounded separately so a dead
        // host fails fast.
        let attempt = (settings.timeout / MAX_ATTEMPTS).max(Duration::from_millis(1));
        let timeouts = TimeoutConfig::builder()
            .operation_timeout(settings.timeout)
            .operation_attempt_timeout(attempt)
            .connect_timeout(attempt.min(Duration::from_secs(3)))
            .build();
        let mut config = aws_sdk_kms::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(location.region))
            .credentials_provider(credentials)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .timeout_config(timeouts);
        if let Some(endpoint) = &settings.endpoint {
            config = config.endpoint_url(endpoint);
        }
        // The SDK's HTTP client and sleep need a tokio context when built.
        let client = {
            let _entered = runtime.enter();
            aws_sdk_kms::Client::from_conf(config.build())
        };
        let slots = Arc::new(Semaphore::new(settings.max_in_flight));
        let key_id = location.key_id;
        let fetch = {
            let client = client.clone();
            let key_id = key_id.clone();
            async move { client.get_public_key().key_id(key_id).send().await }
        };
        let reply = run(runtime, fetch).ok_or_else(|| Error::KeyUnavailable {
            kid: None,
            reason: "awskms: the runtime stopped".into(),
        })?;
        let output = reply.map_err(|e| Error::KeyUnavailable {
            kid: None,
            reason: format!("awskms: GetPublicKey: {}", describe(&e)),
        })?;
        if output.key_spec() != Some(&KeySpec::EccNistP256) {
            return Err(Error::InvalidKey(
                "awskms: the KMS key's KeySpec is not ECC_NIST_P256",
            ));
        }
        if output.key_usage() != Some(&KeyUsageType::KeyAgreement) {
            return Err(Error::InvalidKey(
                "awskms: the KMS key's KeyUsage is not KEY_AGREEMENT",
            ));
        }
        let spki = output.public_key().map(Blob::as_ref).unwrap_or_default();
        let point = spki
            .strip_prefix(&P256_SPKI_PREFIX[..])
            .filter(|point| point.len() == P256_POINT_LEN)
            .ok_or(Error::InvalidKey(
                "awskms: GetPublicKey did not return a P-256 SubjectPublicKeyInfo with an uncompressed point",
            ))?;
        let public = PublicKey::from_bytes(Suite::P256, point)?;
        Ok(AwsKmsKey {
            key_id,
            public,
            client,
            slots,
            settings,
            runtime: owned,
        })
    }

    /// The KMS key id (the ARN of the URI) requests name.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// Runs `fut` on the custodian's runtime and waits for it on this thread.
/// Spawning (rather than `block_on`) works from any thread, including one
/// inside another tokio runtime, where `block_on` would panic.
fn run<F>(runtime: &tokio::runtime::Runtime, fut: F) -> Option<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel(1);
    runtime.spawn(async move {
        // The receiver waits until this is sent or the task is dropped.
        let _ = tx.send(fut.await);
    });
    rx.recv().ok()
}

/// A one-line account of an SDK failure, for `KEY_UNAVAILABLE`'s reason:
/// the AWS error code and message, or the kind of transport failure. Built
/// from error metadata only: a request (with its signature) is never shown.
fn describe<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> String {
    match error {
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            let code = error.code().unwrap_or("an unrecognised error");
            let mut text = format!("AWS KMS answered {code}");
            if let Some(message) = error.message() {
                // Service messages name ARNs and principals, never secrets;
                // bounded so a hostile endpoint cannot flood a log.
                text.push_str(": ");
                text.extend(message.chars().take(200));
            }
            text
        }
        SdkError::TimeoutError(_) => "AWS KMS did not answer in time".into(),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            "AWS KMS did not answer in time".into()
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            "AWS KMS could not be reached (connection failed)".into()
        }
        SdkError::DispatchFailure(_) => "the request to AWS KMS could not be sent".into(),
        SdkError::ConstructionFailure(_) => "the request to AWS KMS could not be built".into(),
        _ => "the request to AWS KMS failed".into(),
    }
}

/// A `DeriveSharedSecret` failure as the custody interface reports it.
///
/// Everything is `Unavailable` (KEY_UNAVAILABLE: retryable, never cached),
/// `ValidationException` too: core checked `enc` before the request, so KMS
/// refusing it says the key or the request is misconfigured, not that the
/// sealed data is bad, and it must not read as DECRYPT_FAILED. Throttling,
/// DependencyTimeout, KMSInternal, KeyUnavailable and transport errors are
/// transient and the SDK has already retried them. Disabled, KMSInvalidState
/// (pending deletion or import), NotFound, InvalidKeyUsage, AccessDenied and
/// credential errors are the key or its policy being out of service: an
/// operator fixes them and the same sealed values then open, so they must not
/// be reported as bad data and must not poison anything.
fn custody_error<R>(
    error: &SdkError<aws_sdk_kms::operation::derive_shared_secret::DeriveSharedSecretError, R>,
) -> CustodyError {
    CustodyError::Unavailable(format!("awskms: DeriveSharedSecret: {}", describe(error)))
}

impl KeyCustody for AwsKmsKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn private_key_op(
        &self,
        enc: &[u8],
    ) -> core::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        // Core has checked enc is a valid uncompressed P-256 point.
        if enc.len() != P256_POINT_LEN {
            return Err(CustodyError::Rejected);
        }
        let runtime = self
            .runtime
            .0
            .as_ref()
            .ok_or_else(|| CustodyError::Unavailable("awskms: closed".into()))?;
        let mut spki = Vec::with_capacity(P256_SPKI_PREFIX.len() + P256_POINT_LEN);
        spki.extend_from_slice(&P256_SPKI_PREFIX);
        spki.extend_from_slice(enc);
        let client = self.client.clone();
        let key_id = self.key_id.clone();
        let slots = self.slots.clone();
        let wait = self.settings.wait;
        let request = async move {
            // The bounded queue: wait at most `wait` for a slot, then give
            // up (the caller retries later) rather than pile up requests.
            let Ok(Ok(_slot)) = tokio::time::timeout(wait, slots.acquire_owned()).await else {
                return Err(CustodyError::Unavailable(
                    "awskms: busy: too many requests in flight (max-in-flight), try again".into(),
                ));
            };
            // The SDK enforces timeout-ms (operation timeout) itself.
            let output = client
                .derive_shared_secret()
                .key_id(key_id)
                .key_agreement_algorithm(KeyAgreementAlgorithmSpec::Ecdh)
                .public_key(Blob::new(spki))
                .send()
                .await
                .map_err(|e| custody_error(&e))?;
            let secret = output
                .shared_secret
                .map(|blob| Zeroizing::new(blob.into_inner()));
            let mut out = Zeroizing::new([0u8; 32]);
            match secret {
                Some(bytes) if bytes.len() == 32 => out.copy_from_slice(&bytes),
                _ => {
                    return Err(CustodyError::Unavailable(
                        "awskms: DeriveSharedSecret returned no 32-byte shared secret".into(),
                    ));
                }
            }
            Ok(out)
        };
        run(runtime, request).unwrap_or_else(|| {
            Err(CustodyError::Unavailable(
                "awskms: the runtime stopped".into(),
            ))
        })
    }
}

impl fmt::Debug for AwsKmsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No credentials here: they live in the SDK client only.
        f.debug_struct("AwsKmsKey")
            .field("key_id", &self.key_id)
            .field("kid", &self.public.kid())
            .field("endpoint", &self.settings.endpoint)
            .field("timeout", &self.settings.timeout)
            .field("max_in_flight", &self.settings.max_in_flight)
            .field("wait", &self.settings.wait)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const ARN: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn key_and_alias_arns_parse_with_their_region() {
        let key = parse(&format!("awskms:{ARN}")).unwrap();
        assert_eq!(
            (key.key_id.as_str(), key.region.as_str()),
            (ARN, "eu-west-1")
        );
        let alias = parse("awskms:arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/enseal/prod")
            .unwrap();
        assert_eq!(alias.region, "us-gov-west-1");
        let q = parse(&format!(
            "awskms:{ARN}?endpoint=http://127.0.0.1:4566&timeout-ms=500&max-in-flight=3&wait-ms=7"
        ))
        .unwrap();
        assert_eq!(q.key_id, ARN);
        assert_eq!(
            q.settings.endpoint.as_deref(),
            Some("http://127.0.0.1:4566")
        );
        assert_eq!(q.settings.timeout, Duration::from_millis(500));
        assert_eq!(q.settings.max_in_flight, 3);
        assert_eq!(q.settings.wait, Duration::from_millis(7));
    }

    #[test]
    fn malformed_uris_are_invalid_key_location() {
        for uri in [
            "kms:arn:aws:kms:eu-west-1:111122223333:key/abc",
            "awskms:1234abcd-12ab-34cd-56ef-1234567890ab",
            "awskms:alias/enseal",
            "awskms:arn:aws:s3:eu-west-1:111122223333:key/abc",
            "awskms:arn:aws:kms::111122223333:key/abc",
            "awskms:arn:aws:kms:eu-west-1:1111:key/abc",
            "awskms:arn:aws:kms:eu-west-1:111122223333:bucket/abc",
            "awskms:arn:aws:kms:eu-west-1:111122223333:key/",
            &format!("awskms:{ARN}?endpoint=http://kms.example.com"),
            // User info: the request would go to the host after the '@'.
            &format!("awskms:{ARN}?endpoint=http://localhost:1@kms.example.com"),
            &format!("awskms:{ARN}?endpoint=http://[::1]@kms.example.com:80"),
            &format!("awskms:{ARN}?endpoint=ftp://127.0.0.1"),
            &format!("awskms:{ARN}?timeout-ms=soon"),
            &format!("awskms:{ARN}?timeout-ms=0"),
            &format!("awskms:{ARN}?max-in-flight=0"),
            &format!("awskms:{ARN}?color=blue"),
            &format!("awskms:{ARN}?endpoint"),
        ] {
            let err = parse(uri).unwrap_err();
            assert!(
                matches!(err, Error::InvalidKeyLocation(_)),
                "{uri}: {err:?}"
            );
        }
        assert!(
            parse(&format!(
                "awskms:{ARN}?endpoint=https://kms.example.com:443/"
            ))
            .is_ok()
        );
        assert!(parse(&format!("awskms:{ARN}?endpoint=http://[::1]:80")).is_ok());
    }
}
