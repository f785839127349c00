//! The two HTTP surfaces. Public (TLS 1.3): the intake form, its enseal
//! package and the signed keyset, and `POST /intake`. Internal (mutual TLS):
//! `GET /records`, for pipelines that hold the private key.
//!
//! Nothing here logs a field value or a body: logs carry the route, the
//! status, a refusal's code and field, the record id (random) and, on the
//! internal side, the fingerprint of the client's certificate.

use crate::intake::{self, Refusal};
use crate::keys::Keys;
use crate::store::{Cursor, Store, Stored};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use std::path::{Component, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Two years, with subdomains: browsers then never try plain HTTP again.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";
/// The page loads its own scripts and the enseal WebAssembly, and talks only
/// to this origin.
const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
                   style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";
const INDEX: &str = include_str!("../web/index.html");
const FORM_JS: &str = include_str!("../web/form.js");
/// Where index.html takes the pinned signers.
const PINS_PLACEHOLDER: &str = r#"{"keys": "PINNED_SIGNERS"}"#;

/// What the handlers share.
pub struct App {
    /// The keyset fields must be sealed to.
    pub keys: Arc<Keys>,
    /// Where intakes go.
    pub store: Arc<Store>,
    /// The enseal npm package's files, served under `/enseal/`.
    pub package_dir: PathBuf,
    /// The largest body `POST /intake` reads.
    pub max_body: usize,
    /// Seconds before a row shows in `GET /records`: longer than an insert
    /// can take to commit (see [`crate::store::Cursor`]).
    pub records_settle: i64,
    /// The longest a request may take, body included (a client that
    /// trickles its body gets 408).
    pub request_timeout: std::time::Duration,
    /// The load report's baseline only: protected fields are not checked
    /// (the store then writes `intakes_plaintext`).
    #[cfg(feature = "plaintext-baseline")]
    pub plaintext_baseline: bool,
}

/// The certificate a client of the internal listener presented, by its
/// SHA-256 fingerprint: who fetched, for the log.
#[derive(Clone, Debug)]
pub struct Peer(pub String);

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD` (UTC) of Unix seconds.
pub fn day_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

fn error(status: StatusCode, code: &str, field: Option<&str>, message: &str) -> Response {
    let body = json!({"error": {"code": code, "field": field, "message": message}});
    (status, axum::Json(body)).into_response()
}

/// Security headers on every response, errors included.
async fn headers(response: Response) -> Response {
    let mut response = response;
    let h = response.headers_mut();
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The public router.
pub fn public(app: Arc<App>) -> Router {
    let max_body = app.max_body;
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/form.js", get(form_js))
        .route("/keyset.jws", get(keyset))
        .route("/enseal/{*path}", get(package_file))
        .route("/intake", post(submit))
        .route("/healthz", get(health))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            deadline,
        ))
        .layer(axum::middleware::map_response(headers))
        .with_state(app)
}

/// The internal router (mutual TLS).
pub fn internal(app: Arc<App>) -> Router {
    Router::new()
        .route("/records", get(records))
        .route("/healthz", get(health))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            deadline,
        ))
        .layer(axum::middleware::map_response(headers))
        .with_state(app)
}

/// A request past [`App::request_timeout`] gets 408 (a submission that
/// committed meanwhile is answered 200 on the client's retry).
async fn deadline(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(app.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            error(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                None,
                "the request took too long",
            )
        }
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", None, "no such resource")
}

async fn health(State(app): State<Arc<App>>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "STORE_UNAVAILABLE",
                None,
                "the database does not answer",
            )
        }
    }
}

async fn index(State(app): State<Arc<App>>) -> Response {
    // JSON inside a <script> element: no `<` may close it early.
    let pins = app.keys.pins_json().trim().replace('<', "\\u003c");
    let html = INDEX.replace(PINS_PLACEHOLDER, &pins);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
        ],
        html,
    )
        .into_response()
}

async fn form_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript")], FORM_JS).into_response()
}

async fn keyset(State(app): State<Arc<App>>) -> Response {
    // Browsers trust its signature, not this server: it may be cached anywhere.
    (
        [
            (header::CONTENT_TYPE, "application/jose"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        app.keys.current().jws.clone(),
    )
        .into_response()
}

async fn package_file(State(app): State<Arc<App>>, Path(path): Path<String>) -> Response {
    let relative = std::path::Path::new(&path);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return not_found().await;
    }
    let content_type = match relative.extension().and_then(|e| e.to_str()) {
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("json") | Some("map") => "application/json",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    match tokio::fs::read(app.package_dir.join(relative)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => not_found().await,
    }
}

async fn submit(
    State(app): State<Arc<App>>,
    request_headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let json = request_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            None,
            "send the intake as application/json",
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            tracing::warn!(status = status.as_u16(), "intake refused: body unreadable");
            let (code, message) = if status == StatusCode::PAYLOAD_TOO_LARGE {
                (
                    "BODY_TOO_LARGE",
                    format!("the body is over {} bytes", app.max_body),
                )
            } else {
                ("BAD_BODY", "the body could not be read".to_string())
            };
            return error(status, code, None, &message);
        }
    };
    let published = app.keys.current();
    let received_at = now();
    if received_at as u64 > published.verified.expires() {
        tracing::error!("intake refused: the signed keyset has expired; publish a new one");
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "KEYSET_EXPIRED",
            None,
            "the service's keyset has expired",
        );
    }
    let started = Instant::now();
    let doc = match intake::parse(&body) {
        Ok(doc) => doc,
        Err(refusal) => return refused(&refusal),
    };
    let parsed = Instant::now();
    #[cfg(feature = "plaintext-baseline")]
    let checked = if app.plaintext_baseline {
        intake::check_parsed_plaintext(doc)
    } else {
        intake::check_parsed(doc, published.keyset())
    };
    #[cfg(not(feature = "plaintext-baseline"))]
    let checked = intake::check_parsed(doc, published.keyset());
    let intake = match checked {
        Ok(intake) => intake,
        Err(refusal) => return refused(&refusal),
    };
    let was_checked = Instant::now();
    let result = app
        .store
        .insert(&intake, received_at, &day_of(received_at))
        .await;
    let timing = server_timing(started, parsed, was_checked, Instant::now());
    let mut response = match result {
        Ok(Stored::Created(id)) => {
            tracing::info!(id, record_id = %intake.record_id, kid = %intake.kid, "intake stored");
            stored(StatusCode::CREATED, id, &intake.record_id)
        }
        Ok(Stored::Replayed(id)) => {
            tracing::info!(id, record_id = %intake.record_id, "intake already stored: retry answered");
            stored(StatusCode::OK, id, &intake.record_id)
        }
        Ok(Stored::Conflict) => {
            tracing::warn!(record_id = %intake.record_id, "intake refused: record id taken");
            error(
                StatusCode::CONFLICT,
                "RECORD_ID_TAKEN",
                Some("/recordId"),
                "another submission holds this record id",
            )
        }
        Err(e) => {
            tracing::error!(record_id = %intake.record_id, error = %e, "intake not stored");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "STORE_UNAVAILABLE",
                None,
                "not stored; retry with the same record id",
            )
        }
    };
    response.headers_mut().insert("server-timing", timing);
    response
}

/// `Server-Timing` (W3C) of one intake, in ms: what the load report splits
/// the service's time into. Durations only, no value: it is safe to send.
fn server_timing(start: Instant, parsed: Instant, checked: Instant, done: Instant) -> HeaderValue {
    let ms = |a: Instant, b: Instant| b.duration_since(a).as_secs_f64() * 1e3;
    let text = format!(
        "parse;dur={:.3}, check;dur={:.3}, commit;dur={:.3}",
        ms(start, parsed),
        ms(parsed, checked),
        ms(checked, done)
    );
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("total;dur=0"))
}

fn refused(refusal: &Refusal) -> Response {
    tracing::warn!(
        code = refusal.code(),
        field = refusal.field().unwrap_or(""),
        "intake refused"
    );
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::BAD_REQUEST);
    error(status, refusal.code(), refusal.field(), &refusal.message())
}

fn stored(status: StatusCode, id: i64, record_id: &str) -> Response {
    let mut response =
        (status, axum::Json(json!({"id": id, "recordId": record_id}))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/intake/{record_id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `GET /records?day=YYYY-MM-DD[&after=CURSOR][&until=T][&limit=N]`.
#[derive(Deserialize)]
struct RecordsQuery {
    day: String,
    after: Option<String>,
    until: Option<i64>,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    500
}

const RECORDS_USAGE: &str =
    "expected ?day=YYYY-MM-DD[&after=CURSOR][&until=UNIX_SECONDS][&limit=1..1000]";

/// A day's records, settled: rows received up to `until` (by default now
/// minus the settle time, or the day's end once it is that old), in
/// (received_at, id) order from the cursor `after`. A client passes the
/// `until` and `next` of one page to get the next; fetching again later
/// with the last `next` (and no `until`) gets exactly the rows settled since.
async fn records(
    State(app): State<Arc<App>>,
    peer: Option<axum::Extension<Peer>>,
    query: Result<Query<RecordsQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(axum::Extension(Peer(peer))) = peer else {
        // The listener's TLS configuration requires a certificate: without
        // one there is no connection, so this is a wiring mistake.
        return error(
            StatusCode::FORBIDDEN,
            "NO_CLIENT_CERTIFICATE",
            None,
            "a client certificate is required",
        );
    };
    let invalid = || {
        error(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY",
            None,
            RECORDS_USAGE,
        )
    };
    let Ok(Query(query)) = query else {
        return invalid();
    };
    let after = match query.after.as_deref().map(Cursor::parse) {
        None => Cursor::default(),
        Some(Some(cursor)) => cursor,
        Some(None) => return invalid(),
    };
    let Some(day_start) = day_start(&query.day) else {
        return invalid();
    };
    if !(1..=1000).contains(&query.limit) {
        return invalid();
    }
    // Never past what has settled, whatever the client asks for.
    let settled = (now() - app.records_settle).min(day_start + 86_399);
    let until = query.until.map_or(settled, |u| u.min(settled));
    match app.store.day(&query.day, until, after, query.limit).await {
        Ok(rows) => {
            tracing::info!(client = %peer, day = %query.day, after = %after, until, count = rows.len(), "records fetched");
            let next = rows.last().map(|r| Cursor::after(r).to_string());
            axum::Json(json!({"records": rows, "next": next, "until": until})).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "records not read");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "STORE_UNAVAILABLE",
                None,
                "the database does not answer",
            )
        }
    }
}

/// Unix seconds at the start (00:00 UTC) of `YYYY-MM-DD`.
fn day_start(day: &str) -> Option<i64> {
    if !intake::is_date(day) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| day.get(range)?.parse::<i32>().ok();
    let month = time::Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(number(0..4)?, month, u8::try_from(number(8..10)?).ok()?)
            .ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}
