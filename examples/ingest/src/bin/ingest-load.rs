//! `ingest-load`: the load generator of docs/INGEST-REPORT.md, over the same
//! rustls client the tests use (`enseal_ingest::client`).
//!
//! Open loop (`--mode open --rate R`): request `i` is due at `start + i/R`
//! and its latency is measured from that due time, not from when a free
//! connection finally sent it, so a stalled service shows as queueing
//! instead of being hidden (no coordinated omission). Closed loop
//! (`--mode closed --concurrency C`): C clients, each sending its next
//! request when the last is answered. Both stop at `--count` requests or
//! `--duration` seconds, whichever comes first.
//!
//! Bodies are made before the clock starts: each a fresh record id, with
//! `ssn` and `diagnosis` sealed to the service's signed keyset by enseal's
//! `seal_record_padded` with the service's context template and padding
//! (what the form does in the browser), or left clear for a
//! `--plaintext-baseline` service.
//!
//! One JSON object goes to stdout; the record ids answered 201 go to
//! `--ids-out`, one a line, for the caller to find in the database.

use bytes::Bytes;
use clap::{Parser, ValueEnum};
use enseal::{ContextTemplate, Keyset, Sealer, SignerPins};
use enseal_ingest::client::{self, Connection};
use enseal_ingest::intake::{CONTEXT_TEMPLATE, PAD_TO, PROTECTED_IN_RECORD};
use hdrhistogram::Histogram;
use rustls::ClientConfig;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{Mutex, mpsc};
use tokio::time::timeout;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
enum Mode {
    /// Fixed request rate; latency from each request's due time.
    Open,
    /// Fixed concurrency; latency from each request's send.
    Closed,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
enum Connect {
    /// Connections opened before the clock starts and kept.
    KeepAlive,
    /// A new TLS connection per request, resuming a session (tickets).
    NewResumed,
    /// A new TLS connection per request, full handshake every time.
    NewFull,
}

#[derive(Parser)]
#[command(
    name = "ingest-load",
    about = "load generator for enseal-ingest's POST /intake"
)]
struct Args {
    /// The service's intake listener.
    #[arg(long)]
    addr: SocketAddr,
    /// The service's dev directory: pki/ca.pem to trust, keyset.jws and
    /// signers.json to seal to.
    #[arg(long)]
    dev_dir: PathBuf,
    /// Send the protected fields clear (for a --plaintext-baseline service).
    #[arg(long)]
    plaintext: bool,
    #[arg(long, value_enum)]
    mode: Mode,
    /// Open loop: requests per second offered.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Closed loop: clients; open loop: the most connections in use.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    #[arg(long, value_enum, default_value = "keep-alive")]
    connect: Connect,
    /// The most requests sent.
    #[arg(long)]
    count: usize,
    /// The longest time requests are started for, in seconds.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// The service's process, for its CPU time (/proc/PID/stat).
    #[arg(long)]
    service_pid: Option<u32>,
    /// Where to write the record ids answered 201.
    #[arg(long)]
    ids_out: Option<PathBuf>,
    /// A name for the run, copied into the output.
    #[arg(long, default_value = "")]
    label: String,
    /// The generator's tokio worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

/// No answer within this is an error of kind `timeout`.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Open loop: requests still queued this long after the last was due are
/// counted as `unsent`, so an overloaded run still ends.
const DRAIN: Duration = Duration::from_secs(5);
const PHASES: [&str; 3] = ["parse", "check", "commit"];

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u64::MAX as u128) as u64
}

/// What one client saw; merged at the end.
struct Tally {
    latency: Histogram<u64>,
    handshake: Histogram<u64>,
    resumed: u64,
    phases: Vec<Histogram<u64>>,
    errors: BTreeMap<String, u64>,
    ok: u64,
    answered: u64,
    acked: Vec<usize>,
    last_done: Option<Instant>,
}

impl Tally {
    fn new(empty: &Histogram<u64>) -> Tally {
        Tally {
            latency: empty.clone(),
            handshake: empty.clone(),
            resumed: 0,
            phases: PHASES.iter().map(|_| empty.clone()).collect(),
            errors: BTreeMap::new(),
            ok: 0,
            answered: 0,
            acked: Vec::new(),
            last_done: None,
        }
    }

    fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }

    fn merge(&mut self, other: Tally) {
        let _ = self.latency.add(&other.latency);
        let _ = self.handshake.add(&other.handshake);
        self.resumed += other.resumed;
        for (mine, theirs) in self.phases.iter_mut().zip(&other.phases) {
            let _ = mine.add(theirs);
        }
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.ok += other.ok;
        self.answered += other.answered;
        self.acked.extend(other.acked);
        self.last_done = self.last_done.max(other.last_done);
    }

    /// `parse;dur=0.012, check;dur=0.020, commit;dur=1.3` (ms).
    fn server_timing(&mut self, value: &str) {
        for entry in value.split(',') {
            let mut parts = entry.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let Some(at) = PHASES.iter().position(|p| *p == name) else {
                continue;
            };
            let dur = parts
                .find_map(|p| p.strip_prefix("dur="))
                .and_then(|d| d.parse::<f64>().ok());
            if let Some(ms) = dur {
                self.phases[at].saturating_record((ms * 1e3).round().max(0.0) as u64);
            }
        }
    }
}

struct Shared {
    empty: Histogram<u64>,
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    connect: Connect,
    mode: Mode,
    bodies: Vec<Bytes>,
    /// Closed loop: the next body.
    next: AtomicUsize,
    /// Closed loop: no request starts after this.
    stop_at: Instant,
    /// Open loop: (body, due time), from the dispatcher.
    jobs: Mutex<mpsc::UnboundedReceiver<(usize, Instant)>>,
    /// Open loop: jobs taken after this are not sent.
    drain_until: Instant,
}

async fn open_connection(shared: &Shared, tally: &mut Tally) -> Option<Connection> {
    let began = Instant::now();
    match timeout(
        REQUEST_TIMEOUT,
        client::connect(shared.addr, Arc::clone(&shared.config)),
    )
    .await
    {
        Ok(Ok(connection)) => {
            tally.handshake.saturating_record(micros(began.elapsed()));
            tally.resumed += u64::from(connection.resumed);
            Some(connection)
        }
        Ok(Err(e)) if e.starts_with("connect") => {
            tally.error("connect");
            None
        }
        Ok(Err(e)) if e.starts_with("TLS") => {
            tally.error("tls");
            None
        }
        Ok(Err(_)) => {
            tally.error("http");
            None
        }
        Err(_) => {
            tally.error("connect_timeout");
            None
        }
    }
}

async fn client_task(shared: Arc<Shared>, mut connection: Option<Connection>) -> Tally {
    let mut tally = Tally::new(&shared.empty);
    loop {
        let (i, due) = match shared.mode {
            Mode::Closed => {
                if Instant::now() >= shared.stop_at {
                    break;
                }
                let i = shared.next.fetch_add(1, Ordering::Relaxed);
                if i >= shared.bodies.len() {
                    break;
                }
                (i, Instant::now())
            }
            Mode::Open => {
                let job = shared.jobs.lock().await.recv().await;
                match job {
                    Some(job) => job,
                    None => break,
                }
            }
        };
        if shared.mode == Mode::Open && Instant::now() > shared.drain_until {
            tally.error("unsent");
            continue;
        }
        if connection.is_none() {
            connection = open_connection(&shared, &mut tally).await;
        }
        let Some(open) = connection.as_mut() else {
            continue;
        };
        let answer = timeout(
            REQUEST_TIMEOUT,
            open.post_json("/intake", shared.bodies[i].clone()),
        )
        .await;
        let done = Instant::now();
        match answer {
            Ok(Ok(answer)) => {
                tally.latency.saturating_record(micros(done - due));
                tally.answered += 1;
                tally.last_done = Some(done);
                if answer.status.as_u16() == 201 {
                    tally.ok += 1;
                    tally.acked.push(i);
                } else {
                    tally.error(&format!("status_{}", answer.status.as_u16()));
                }
                if let Some(timing) = answer
                    .headers
                    .get("server-timing")
                    .and_then(|v| v.to_str().ok())
                {
                    tally.server_timing(timing);
                }
            }
            Ok(Err(_)) => {
                tally.error("request");
                connection = None;
            }
            Err(_) => {
                tally.error("timeout");
                connection = None;
            }
        }
        if shared.connect != Connect::KeepAlive {
            connection = None;
        }
    }
    tally
}

/// The record ids and bodies, sealed (or not) before the clock starts.
fn bodies(args: &Args) -> Result<(Vec<String>, Vec<Bytes>), String> {
    let sealer = if args.plaintext {
        None
    } else {
        let read =
            |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
        let pins = SignerPins::from_jwks(&read(&args.dev_dir.join("signers.json"))?)
            .map_err(|e| e.to_string())?;
        let verified =
            Keyset::from_signed(read(&args.dev_dir.join("keyset.jws"))?.trim(), &pins, None)
                .map_err(|e| e.to_string())?;
        Some(Sealer::from_keyset(verified.keyset()).map_err(|e| e.to_string())?)
    };
    let template = ContextTemplate::parse(CONTEXT_TEMPLATE).map_err(|e| e.to_string())?;
    let mut ids = Vec::with_capacity(args.count);
    let mut bodies = Vec::with_capacity(args.count);
    for n in 0..args.count {
        let id = uuid::Uuid::new_v4().to_string();
        // Synthetic values of realistic length; nothing here is anyone's.
        let patient = json!({
            "name": format!("Test Patient {n}"),
            "dob": "1980-04-01",
            "ssn": format!("900-{:02}-{:04}", n % 100, n % 10_000),
            "diagnosis": "E11.9 type 2 diabetes mellitus without complications",
        });
        let body = json!({"recordId": id, "patient": patient}).to_string();
        let body = match &sealer {
            Some(sealer) => sealer
                .seal_record_padded(&body, &PROTECTED_IN_RECORD, &template, PAD_TO)
                .map_err(|e| e.to_string())?,
            None => body,
        };
        bodies.push(Bytes::from(body));
        ids.push(id);
    }
    Ok((ids, bodies))
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(stat: &str, ticks: f64) -> Option<f64> {
    let text = std::fs::read_to_string(stat).ok()?;
    // The command name (field 2) may hold spaces: count after its ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks)
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn loadavg() -> Value {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let v: Vec<f64> = text
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    json!(v)
}

fn ms(us: u64) -> f64 {
    (us as f64 / 1e3 * 1000.0).round() / 1000.0
}

fn summary(h: &Histogram<u64>) -> Value {
    if h.is_empty() {
        return Value::Null;
    }
    json!({
        "p50": ms(h.value_at_quantile(0.50)),
        "p95": ms(h.value_at_quantile(0.95)),
        "p99": ms(h.value_at_quantile(0.99)),
        "p99_9": ms(h.value_at_quantile(0.999)),
        "max": ms(h.max()),
        "mean": ((h.mean() / 1e3) * 1000.0).round() / 1000.0,
    })
}

async fn run(args: Args) -> Result<Value, String> {
    if args.count == 0 || args.concurrency == 0 || args.rate <= 0.0 || args.duration <= 0.0 {
        return Err("--count, --concurrency, --rate and --duration must be above 0".into());
    }
    // Microseconds, 1 µs to 100 s, 3 significant digits.
    let empty = Histogram::new_with_bounds(1, 100_000_000, 3).map_err(|e| e.to_string())?;
    let config = client::config(
        &args.dev_dir.join("pki/ca.pem"),
        None,
        args.connect != Connect::NewFull,
    )?;
    let (ids, bodies) = bodies(&args)?;
    let ticks = clock_ticks();
    let service_stat = args.service_pid.map(|pid| format!("/proc/{pid}/stat"));

    // Keep-alive connections are opened before the clock starts; their
    // handshakes are still reported.
    let mut warm = Tally::new(&empty);
    let (tx, rx) = mpsc::unbounded_channel();
    let mut shared = Shared {
        empty: empty.clone(),
        addr: args.addr,
        config,
        connect: args.connect,
        mode: args.mode,
        bodies,
        next: AtomicUsize::new(0),
        stop_at: Instant::now(),
        jobs: Mutex::new(rx),
        drain_until: Instant::now(),
    };
    let mut connections = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        connections.push(if args.connect == Connect::KeepAlive {
            open_connection(&shared, &mut warm).await
        } else {
            None
        });
    }
    if args.connect == Connect::KeepAlive && connections.iter().all(Option::is_none) {
        return Err(format!(
            "cannot connect to {}: {:?}",
            args.addr, warm.errors
        ));
    }

    let loadavg_before = loadavg();
    let service_before = service_stat.as_deref().and_then(|s| cpu_seconds(s, ticks));
    let self_before = cpu_seconds("/proc/self/stat", ticks);
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let start = Instant::now();
    let window = Duration::from_secs_f64(args.duration);
    shared.stop_at = start + window;
    shared.drain_until = start + window + DRAIN;
    let shared = Arc::new(shared);
    let clients: Vec<_> = connections
        .into_iter()
        .map(|c| tokio::spawn(client_task(Arc::clone(&shared), c)))
        .collect();
    let mut planned = args.count;
    if args.mode == Mode::Open {
        let interval = 1.0 / args.rate;
        planned = 0;
        for i in 0..args.count {
            let due = start + Duration::from_secs_f64(i as f64 * interval);
            if due >= start + window {
                break;
            }
            // Only a request not yet due waits: one timer per request would
            // let the dispatcher fall behind at thousands a second and show
            // the generator's lag as the service's latency.
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
            if tx.send((i, due)).is_err() {
                break;
            }
            planned += 1;
        }
    }
    drop(tx);
    let mut tally = Tally::new(&empty);
    for client in clients {
        tally.merge(client.await.map_err(|e| e.to_string())?);
    }
    let end = tally.last_done.unwrap_or_else(Instant::now).max(start);
    let elapsed = (end - start).as_secs_f64().max(1e-9);
    if args.mode == Mode::Closed {
        planned = shared.next.load(Ordering::Relaxed).min(args.count);
    }
    let service_cpu = match (
        service_before,
        service_stat.as_deref().and_then(|s| cpu_seconds(s, ticks)),
    ) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let self_cpu = match (self_before, cpu_seconds("/proc/self/stat", ticks)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    if let Some(path) = &args.ids_out {
        let mut text = String::with_capacity(tally.acked.len() * 37);
        for &i in &tally.acked {
            text.push_str(&ids[i]);
            text.push('\n');
        }
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }

    let mut handshakes = warm.handshake.clone();
    let _ = handshakes.add(&tally.handshake);
    let handshake_count = handshakes.len();
    let resumed = warm.resumed + tally.resumed;
    let mut warm_errors = warm.errors.clone();
    for (kind, n) in &tally.errors {
        *warm_errors.entry(kind.clone()).or_default() += n;
    }
    let phases: serde_json::Map<String, Value> = PHASES
        .iter()
        .zip(&tally.phases)
        .map(|(name, h)| (name.to_string(), summary(h)))
        .collect();
    let cores = |cpu: Option<f64>| cpu.map(|c| (c / elapsed * 1000.0).round() / 1000.0);
    Ok(json!({
        "label": args.label,
        "mode": format!("{:?}", args.mode).to_lowercase(),
        "connect": match args.connect {
            Connect::KeepAlive => "keep-alive",
            Connect::NewResumed => "new-resumed",
            Connect::NewFull => "new-full",
        },
        "body": if args.plaintext { "plaintext" } else { "sealed" },
        "offered_rate": if args.mode == Mode::Open { json!(args.rate) } else { Value::Null },
        "concurrency": args.concurrency,
        "planned": planned,
        "answered": tally.answered,
        "ok": tally.ok,
        "errors": warm_errors,
        "elapsed_s": (elapsed * 1000.0).round() / 1000.0,
        "achieved_rate": (tally.ok as f64 / elapsed * 10.0).round() / 10.0,
        "latency_ms": summary(&tally.latency),
        "handshake": {
            "count": handshake_count,
            "mean_ms": if handshakes.is_empty() { Value::Null } else { json!((handshakes.mean() / 1e3 * 1000.0).round() / 1000.0) },
            "p99_ms": if handshakes.is_empty() { Value::Null } else { json!(ms(handshakes.value_at_quantile(0.99))) },
            "resumed_fraction": if handshake_count == 0 { Value::Null } else { json!(resumed as f64 / handshake_count as f64) },
        },
        "server_timing_ms": phases,
        "cpu": {
            "service_s": service_cpu,
            "service_cores": cores(service_cpu),
            "generator_s": self_cpu,
            "generator_cores": cores(self_cpu),
        },
        "loadavg_before": loadavg_before,
        "loadavg_after": loadavg(),
        "started_unix": started_unix,
    }))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ingest-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ingest-load: {e}");
            ExitCode::FAILURE
        }
    }
}
