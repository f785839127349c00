//! `enseal seal`, `enseal open` and `enseal reseal`: records of an NDJSON,
//! CSV or JSON file, one at a time, through core's `Sealer::seal_record`,
//! `Opener::open_record(_all)` and `Opener::reseal_record(_all)` with a
//! context template. A CSV row is the JSON object of its strings (column
//! `c` is the pointer `/c`), so a row and the same record as JSON get the
//! same contexts: the CLI only translates, core does every value.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use enseal::format::TEXT_PREFIX;
use enseal::{AuditLog, AuditSink, ContextTemplate, Keyring, Opener, Sealer};
use zeroize::Zeroizing;

use crate::commands::keyset;
use crate::error::{CliError, Result};
use crate::fsutil::{AtomicWriter, Mode};
use crate::keys::{self, Unlock};
use crate::passphrase::PassphraseArgs;
use crate::records::json_stream::JsonRecords;
use crate::records::progress::Progress;
use crate::records::{
    At, DEFAULT_MAX_RECORD_BYTES, Format, Input, LineError, Loc, column_pointer, display_name,
    read_line_bounded,
};

/// Input, output and reporting options of the record commands.
#[derive(Args, Debug)]
pub struct IoArgs {
    /// The input file; `-` is standard input (then pass --format).
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// The format; by default from the input's extension (.ndjson/.jsonl, .csv, .json).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the output here (atomically: a temporary file renamed into
    /// place at the end, so a failed run leaves FILE as it was) instead of
    /// standard output. A device or FIFO (`/dev/null`) is written directly.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    quiet: bool,
    /// Refuse a record (line, row or JSON element) larger than this: the bound
    /// on the memory one record takes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// Threads that process NDJSON records (0: one per core). Records are
    /// read and written in order by one thread, in batches of at most 512
    /// records and 1 MiB, and sealed or opened by these.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
}

/// Which values of each record, and their contexts.
#[derive(Args, Debug)]
pub struct FieldArgs {
    /// A JSON Pointer of values to process (repeatable); `*` stands for every
    /// element of an array: `--field /ssn --field '/visits/*/note'`.
    #[arg(long = "field", value_name = "POINTER")]
    fields: Vec<String>,
    /// A column (CSV) or top-level member by name (repeatable): `--column ssn` is `--field /ssn`.
    #[arg(long = "column", value_name = "NAME")]
    columns: Vec<String>,
    /// The context template (docs/FORMAT.md §7.1), e.g. `patients/{id}{pointer}`.
    #[arg(long = "context", value_name = "TEMPLATE")]
    context: String,
}

impl IoArgs {
    /// Fails now, before any key is unlocked, when --out exists without --force.
    fn precheck(&self) -> Result<()> {
        match &self.out {
            Some(out) if crate::fsutil::is_special(out) => Ok(()),
            Some(out) => crate::fsutil::refuse_existing(out, self.force),
            None => Ok(()),
        }
    }
}

impl FieldArgs {
    fn pointers(&self) -> Vec<String> {
        let mut all = self.fields.clone();
        all.extend(self.columns.iter().map(|c| column_pointer(c)));
        all
    }

    fn template(&self) -> Result<ContextTemplate> {
        ContextTemplate::parse(&self.context).map_err(|e| {
            CliError::new(format!(
                "--context {:?}: {}: {e}",
                self.context,
                e.code().name()
            ))
        })
    }
}

/// Private key files, for `open` and `reseal`.
#[derive(Args, Debug)]
pub struct KeyFilesArgs {
    /// A private key file or keyring (PATH or file:PATH); repeatable, the keys are merged.
    #[arg(long = "key", value_name = "LOCATION", required = true)]
    keys: Vec<String>,
    /// Accept unencrypted private key files.
    #[arg(long)]
    insecure_plaintext_key: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Audit of the opens.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Append an audit event for every open (and failed open) to this
    /// hash-chained JSON-lines file (created when missing; `enseal audit verify` checks it).
    #[arg(long, value_name = "FILE", requires = "actor")]
    audit: Option<PathBuf>,
    /// Who is opening (service or user), written in every audit event.
    #[arg(long, value_name = "NAME", requires = "audit")]
    actor: Option<String>,
}

/// `seal`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  enseal seal patients.ndjson --keyset keyset.json --field /ssn --field '/visits/*/note' \\\n      --context 'patients/{id}{pointer}' --out sealed.ndjson\n  \
    enseal seal patients.csv --keyset keyset.json --column ssn --context 'patients/{id}{pointer}' > sealed.csv"
)]
pub struct SealArgs {
    #[command(flatten)]
    io: IoArgs,
    #[command(flatten)]
    fields: FieldArgs,
    /// The public keyset: values are sealed to its primary key.
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
}

/// `open`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  enseal open sealed.ndjson --key k1.age --passphrase-file pass.txt --field /ssn \\\n      --context 'patients/{id}{pointer}' --audit audit.log --actor billing-export --out clear.ndjson\n  \
    enseal open sealed.csv --key k1.age --passphrase-env PASS --all --context 'patients/{id}{pointer}'"
)]
pub struct OpenArgs {
    #[command(flatten)]
    io: IoArgs,
    #[command(flatten)]
    fields: FieldArgs,
    /// Open every sealed string of each record (instead of --field/--column).
    #[arg(long, conflicts_with_all = ["fields", "columns"])]
    all: bool,
    #[command(flatten)]
    keys: KeyFilesArgs,
    #[command(flatten)]
    audit: AuditArgs,
}

/// What `reseal` does with a record that fails.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Write the record unchanged, report it on stderr, exit non-zero at the end.
    Keep,
    /// Stop at the first failure; the output file is not written.
    Stop,
}

/// `reseal`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  enseal reseal sealed.ndjson --key old.age --key new.age --passphrase-file pass.txt \\\n      --keyset keyset.json --all --context 'patients/{id}{pointer}' --out resealed.ndjson"
)]
pub struct ResealArgs {
    #[command(flatten)]
    io: IoArgs,
    #[command(flatten)]
    fields: FieldArgs,
    /// Re-seal every sealed string of each record (instead of --field/--column).
    #[arg(long, conflicts_with_all = ["fields", "columns"])]
    all: bool,
    #[command(flatten)]
    keys: KeyFilesArgs,
    /// The target keyset: values are re-sealed to its primary key.
    #[arg(long, value_name = "FILE")]
    keyset: PathBuf,
    /// A record that fails: `keep` it unchanged (and exit non-zero at the end) or `stop`.
    #[arg(long, value_enum, default_value_t = OnError::Keep)]
    on_error: OnError,
    #[command(flatten)]
    audit: AuditArgs,
}

/// Runs `seal`.
pub fn seal(a: SealArgs) -> Result<()> {
    a.io.precheck()?;
    let pointers = a.fields.pointers();
    if pointers.is_empty() {
        return Err(CliError::new(
            "give the values to seal: --field POINTER or --column NAME",
        ));
    }
    let template = a.fields.template()?;
    let keyset = keyset::load(&a.keyset)?;
    let sealer = Sealer::from_keyset(&keyset).map_err(|e| code_error(&a.keyset, &e))?;
    let job = Job {
        op: Op::Seal(&sealer),
        template,
        pointers: Some(pointers),
        on_error: OnError::Stop,
        audit: None,
    };
    let output = run(&a.io, job, Mode::Private)?;
    output.commit()
}

/// Runs `open`.
pub fn open(a: OpenArgs) -> Result<()> {
    a.io.precheck()?;
    let pointers = fields_or_all(&a.fields, a.all)?;
    let template = a.fields.template()?;
    let keyring = load_keyring(&a.keys)?;
    let (opener, log) = audited(Opener::new(keyring), &a.audit)?;
    let job = Job {
        op: Op::Open(&opener),
        template,
        pointers,
        on_error: OnError::Stop,
        audit: log.clone(),
    };
    let result = run(&a.io, job, Mode::Private);
    // The events are on disk before any plaintext is put in place.
    flush_audit(log.as_deref(), &a.audit)?;
    result?.commit()
}

/// Runs `reseal`.
pub fn reseal(a: ResealArgs) -> Result<()> {
    a.io.precheck()?;
    let pointers = fields_or_all(&a.fields, a.all)?;
    let template = a.fields.template()?;
    let keyset = keyset::load(&a.keyset)?;
    let to = Sealer::from_keyset(&keyset).map_err(|e| code_error(&a.keyset, &e))?;
    let keyring = load_keyring(&a.keys)?;
    let (opener, log) = audited(Opener::new(keyring), &a.audit)?;
    let job = Job {
        op: Op::Reseal {
            opener: &opener,
            to: &to,
        },
        template,
        pointers,
        on_error: a.on_error,
        audit: log.clone(),
    };
    let result = run(&a.io, job, Mode::Private);
    flush_audit(log.as_deref(), &a.audit)?;
    let output = result?;
    let failed = output.failed;
    output.commit()?;
    if failed > 0 {
        return Err(CliError::new(format!(
            "{failed} record(s) could not be re-sealed and were written unchanged (see above)"
        )));
    }
    Ok(())
}

fn code_error(path: &Path, e: &enseal::Error) -> CliError {
    CliError::file(path, format_args!("{}: {e}", e.code().name()))
}

fn fields_or_all(fields: &FieldArgs, all: bool) -> Result<Option<Vec<String>>> {
    let pointers = fields.pointers();
    match (all, pointers.is_empty()) {
        (true, _) => Ok(None),
        (false, false) => Ok(Some(pointers)),
        (false, true) => Err(CliError::new(
            "give the values: --field POINTER, --column NAME, or --all (every sealed string)",
        )),
    }
}

/// The private keys of every `--key`, in one keyring.
fn load_keyring(a: &KeyFilesArgs) -> Result<Keyring> {
    let unlock = Unlock {
        passphrase: a.passphrase.clone(),
        allow_plaintext: a.insecure_plaintext_key,
    };
    let mut ring = Keyring::new();
    for location in &a.keys {
        ring.merge(keys::open(location)?.keyring(&unlock)?);
    }
    Ok(ring)
}

fn audited(opener: Opener, a: &AuditArgs) -> Result<(Opener, Option<Arc<AuditLog>>)> {
    let (Some(path), Some(actor)) = (&a.audit, &a.actor) else {
        return Ok((opener, None));
    };
    let log = Arc::new(
        AuditLog::open(path)
            .map_err(|e| CliError::file(path, format_args!("cannot open the audit log: {e}")))?,
    );
    let sink: Arc<dyn AuditSink> = log.clone();
    Ok((opener.with_audit(sink, actor.clone()), Some(log)))
}

fn flush_audit(log: Option<&AuditLog>, a: &AuditArgs) -> Result<()> {
    match (log, &a.audit) {
        (Some(log), Some(path)) => log
            .flush()
            .map_err(|e| CliError::file(path, format_args!("cannot write the audit log: {e}"))),
        _ => Ok(()),
    }
}

/// What is done to each record.
enum Op<'a> {
    Seal(&'a Sealer),
    Open(&'a Opener),
    Reseal { opener: &'a Opener, to: &'a Sealer },
}

/// A record done.
struct Done {
    text: Zeroizing<String>,
    /// Values sealed, opened or re-sealed.
    values: u64,
    /// Values already on the target key (reseal).
    current: u64,
}

/// `"enseal1.`: a sealed string in JSON text.
fn sealed_strings(text: &str) -> u64 {
    let mut needle = String::with_capacity(TEXT_PREFIX.len() + 1);
    needle.push('"');
    needle.push_str(TEXT_PREFIX);
    text.matches(needle.as_str()).count() as u64
}

impl Op<'_> {
    fn apply(
        &self,
        json: &str,
        pointers: Option<&[&str]>,
        template: &ContextTemplate,
    ) -> std::result::Result<Done, enseal::Error> {
        match (self, pointers) {
            (Op::Seal(sealer), Some(pointers)) => {
                let text = sealer.seal_record(json, pointers, template)?;
                // Core's record functions do not count; the sealed strings
                // added are the values sealed (a clear string with the prefix is refused).
                let values = sealed_strings(&text).saturating_sub(sealed_strings(json));
                Ok(Done {
                    text: Zeroizing::new(text),
                    values,
                    current: 0,
                })
            }
            (Op::Seal(_), None) => Err(enseal::Error::InvalidArgument("no values to seal")),
            (Op::Open(opener), pointers) => {
                let text = match pointers {
                    Some(p) => opener.open_record(json, p, template)?,
                    None => opener.open_record_all(json, template)?,
                };
                let values = sealed_strings(json).saturating_sub(sealed_strings(&text));
                Ok(Done {
                    text,
                    values,
                    current: 0,
                })
            }
            (Op::Reseal { opener, to }, pointers) => {
                let done = match pointers {
                    Some(p) => opener.reseal_record(json, p, template, to)?,
                    None => opener.reseal_record_all(json, template, to)?,
                };
                Ok(Done {
                    text: Zeroizing::new(done.json),
                    values: done.resealed as u64,
                    current: done.already_current as u64,
                })
            }
        }
    }
}

struct Job<'a> {
    op: Op<'a>,
    template: ContextTemplate,
    pointers: Option<Vec<String>>,
    on_error: OnError,
    /// The audit log of the opens, flushed before output that is not
    /// committed at the end (stdout, a device) is written.
    audit: Option<Arc<AuditLog>>,
}

#[derive(Default)]
struct Stats {
    records: u64,
    values: u64,
    current: u64,
    failed: u64,
    by_code: BTreeMap<&'static str, u64>,
}

/// A run over one input.
struct Runner<'a> {
    job: Job<'a>,
    file: String,
    progress: Progress,
    stats: Stats,
}

impl Job<'_> {
    /// The operation on one record, without bookkeeping (any thread).
    fn apply(&self, json: &str) -> std::result::Result<Done, enseal::Error> {
        let pointers: Option<Vec<&str>> = self
            .pointers
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect());
        self.op.apply(json, pointers.as_deref(), &self.template)
    }
}

impl Runner<'_> {
    /// Processes one record: `Some(done)`, or `None` when it failed and is
    /// kept unchanged (reported on stderr); an error stops the run.
    fn record(&mut self, loc: &Loc, json: &str) -> Result<Option<Done>> {
        let result = self.job.apply(json);
        self.settle(loc, result)
    }

    /// Counts and reports one record's `result`, as [`Runner::record`].
    fn settle(
        &mut self,
        loc: &Loc,
        result: std::result::Result<Done, enseal::Error>,
    ) -> Result<Option<Done>> {
        self.stats.records += 1;
        self.progress.tick(self.stats.records);
        match result {
            Ok(done) => {
                self.stats.values += done.values;
                self.stats.current += done.current;
                Ok(Some(done))
            }
            Err(e) => {
                let line = self.describe(loc, &e);
                if self.job.on_error == OnError::Keep {
                    self.stats.failed += 1;
                    *self.stats.by_code.entry(e.code().name()).or_insert(0) += 1;
                    self.progress
                        .eprint(&format!("enseal: {line} (record written unchanged)"));
                    Ok(None)
                } else {
                    Err(CliError::new(line))
                }
            }
        }
    }

    /// `file:line: /pointer: CODE: message` (the pointer when core's error
    /// names the value it is about).
    fn describe(&self, loc: &Loc, e: &enseal::Error) -> String {
        let at = At(&self.file, loc);
        let code = e.code().name();
        match (e, e.pointer()) {
            (enseal::Error::Field { pointer, source }, _) => {
                format!("{at}: {pointer}: {code}: {source}")
            }
            (_, Some(pointer)) => format!("{at}: {pointer}: {code}: {e}"),
            (_, None) => format!("{at}: {code}: {e}"),
        }
    }

    fn summary(&self, verb: &str) -> String {
        let s = &self.stats;
        match self.job.op {
            Op::Reseal { .. } => {
                let mut text = format!(
                    "{verb} {} records: {} values re-sealed, {} already current, {} records failed",
                    s.records, s.values, s.current, s.failed
                );
                if !s.by_code.is_empty() {
                    let reasons: Vec<String> =
                        s.by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
                    text.push_str(&format!(" ({})", reasons.join(", ")));
                }
                text
            }
            _ => format!("{verb} {} records, {} values", s.records, s.values),
        }
    }
}

/// Where the output goes.
pub enum Sink {
    /// Standard output.
    Stdout(BufWriter<io::Stdout>),
    /// A file, put in place by [`Output::commit`].
    File(AtomicWriter),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::File(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
        }
    }
}

/// A finished run's output, not yet in place.
struct Output {
    sink: Sink,
    name: String,
    /// Records that failed and were written unchanged.
    failed: u64,
    /// Flushed before each write that reaches the destination at once.
    audit: Option<Arc<AuditLog>>,
    /// The progress bar, the record count and the summary line, printed
    /// only once the output is committed (a run that then fails says so,
    /// not that it sealed N records).
    report: Option<(Progress, u64, String)>,
}

impl Output {
    /// Before records are written to a destination that sees them at once
    /// (stdout, a device or FIFO): the audit events of their opens are on
    /// disk first, as they are before a file output is put in place.
    fn audit_first(&self) -> Result<()> {
        self.audit_gate()()
    }

    /// [`Output::audit_first`] as a closure, for writers that hold the sink.
    fn audit_gate(&self) -> impl Fn() -> Result<()> + use<> {
        let direct = match &self.sink {
            Sink::Stdout(_) => true,
            Sink::File(w) => w.is_direct(),
        };
        let log = self.audit.clone().filter(|_| direct);
        move || match &log {
            Some(log) => log
                .flush()
                .map_err(|e| CliError::new(format!("audit log: {e}; nothing more is written"))),
            None => Ok(()),
        }
    }

    fn commit(self) -> Result<()> {
        let committed = match self.sink {
            Sink::Stdout(mut w) => w
                .flush()
                .map_err(|e| CliError::new(format!("{}: {e}", self.name))),
            Sink::File(w) => w.commit(),
        };
        if let Some((progress, records, summary)) = &self.report {
            match &committed {
                Ok(()) => progress.finish(*records, summary),
                Err(_) => progress.abandon(),
            }
        }
        committed
    }
}

/// Reads every record of the input, processes and writes it.
fn run(io: &IoArgs, job: Job<'_>, mode: Mode) -> Result<Output> {
    let format = Format::resolve(io.format, &io.input)?;
    let mut input = Input::open(&io.input)?;
    let (sink, name) = match &io.out {
        Some(path) => (
            Sink::File(AtomicWriter::create(path, mode, io.force)?),
            display_name(path),
        ),
        None => (
            Sink::Stdout(BufWriter::with_capacity(256 * 1024, io::stdout())),
            "<stdout>".to_owned(),
        ),
    };
    let verb = match job.op {
        Op::Seal(_) => "sealed",
        Op::Open(_) => "opened",
        Op::Reseal { .. } => "re-sealed",
    };
    let mut runner = Runner {
        job,
        file: input.name.clone(),
        progress: Progress::new(input.size, Arc::clone(&input.read), io.quiet),
        stats: Stats::default(),
    };
    let mut out = Output {
        sink,
        name,
        failed: 0,
        audit: runner.job.audit.clone(),
        report: None,
    };
    let max = io.max_record_bytes;
    let result = match format {
        Format::Ndjson => ndjson(&mut runner, &mut input, &mut out, max, threads(io.threads)),
        Format::Json => json(&mut runner, &mut input, &mut out, max),
        Format::Csv => csv(&mut runner, &mut input, &mut out, max),
    };
    if let Err(e) = result {
        runner.progress.abandon();
        return Err(e);
    }
    out.sink
        .flush()
        .map_err(|e| CliError::new(format!("{}: {e}", out.name)))?;
    out.failed = runner.stats.failed;
    let summary = runner.summary(verb);
    out.report = Some((runner.progress, runner.stats.records, summary));
    Ok(out)
}

/// `--threads`: 0 is one per core.
fn threads(given: usize) -> usize {
    match given {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        n => n,
    }
}

fn write_err(out: &Output, e: &io::Error) -> CliError {
    CliError::new(format!("{}: cannot write: {e}", out.name))
}

/// Records per NDJSON batch, and bytes: bounds what is held at once.
const BATCH_RECORDS: usize = 512;
const BATCH_BYTES: usize = 1 << 20;
/// A worker's stack: JSON nests at most 128 levels deep.
const WORKER_STACK: usize = 512 << 10;

fn ndjson(
    r: &mut Runner<'_>,
    input: &mut Input,
    out: &mut Output,
    max: usize,
    threads: usize,
) -> Result<()> {
    let mut buf = Zeroizing::new(Vec::new());
    let mut line = 0u64;
    // Lines read and not yet written: (line number, text; None for a blank line).
    let mut batch: Vec<(u64, Option<Zeroizing<String>>)> = Vec::with_capacity(BATCH_RECORDS);
    let mut batch_bytes = 0;
    loop {
        let read = read_line_bounded(&mut input.reader, &mut buf, max)
            .map_err(|e| match e {
                LineError::Io(e) => CliError::new(format!("{}:{}: {e}", r.file, line + 1)),
                LineError::TooLong => CliError::new(format!(
                    "{}:{}: the line is longer than {max} bytes (--max-record-bytes)",
                    r.file,
                    line + 1
                )),
            })
            .and_then(|more| {
                if !more {
                    return Ok(None);
                }
                let text = std::str::from_utf8(&buf).map_err(|_| {
                    CliError::new(format!("{}:{}: the line is not UTF-8", r.file, line + 1))
                })?;
                // Blank lines are no records; they are kept.
                Ok(Some(
                    (!text.trim().is_empty()).then(|| Zeroizing::new(text.to_owned())),
                ))
            });
        let more = match read {
            Ok(Some(record)) => {
                line += 1;
                batch_bytes += buf.len();
                batch.push((line, record));
                true
            }
            Ok(None) => false,
            Err(unreadable) => {
                // The records before the unreadable line come first: an
                // error among them is the earlier one, and is reported.
                ndjson_batch(r, out, &batch, threads)?;
                return Err(unreadable);
            }
        };
        if batch.len() >= BATCH_RECORDS
            || batch_bytes >= BATCH_BYTES
            || (!more && !batch.is_empty())
        {
            ndjson_batch(r, out, &batch, threads)?;
            batch.clear();
            batch_bytes = 0;
        }
        if !more {
            return Ok(());
        }
    }
}

/// Processes `batch` on `threads` threads, then counts, reports and writes
/// it in order on this one.
fn ndjson_batch(
    r: &mut Runner<'_>,
    out: &mut Output,
    batch: &[(u64, Option<Zeroizing<String>>)],
    threads: usize,
) -> Result<()> {
    let job = &r.job;
    let work = |part: &[(u64, Option<Zeroizing<String>>)]| {
        part.iter()
            .map(|(_, text)| text.as_ref().map(|t| job.apply(t)))
            .collect::<Vec<_>>()
    };
    let threads = threads.clamp(1, batch.len().max(1));
    let results: Vec<_> = if threads == 1 {
        work(batch)
    } else {
        let chunk = batch.len().div_ceil(threads);
        std::thread::scope(|scope| {
            // A part whose thread cannot be had (a memory cap, a thread
            // limit) is done here, in order, instead.
            let parts: Vec<_> = batch
                .chunks(chunk)
                .map(|part| {
                    std::thread::Builder::new()
                        .stack_size(WORKER_STACK)
                        .spawn_scoped(scope, move || work(part))
                        .map_err(|_| part)
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|part| match part {
                    Ok(handle) => handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    Err(part) => work(part),
                })
                .collect()
        })
    };
    out.audit_first()?;
    for ((line, text), result) in batch.iter().zip(results) {
        let w = match (text, result) {
            (Some(text), Some(result)) => match r.settle(&Loc::Line(*line), result)? {
                Some(done) => out
                    .sink
                    .write_all(done.text.as_bytes())
                    .and_then(|()| out.sink.write_all(b"\n")),
                None => out
                    .sink
                    .write_all(text.as_bytes())
                    .and_then(|()| out.sink.write_all(b"\n")),
            },
            _ => out.sink.write_all(b"\n"),
        };
        w.map_err(|e| write_err(out, &e))?;
    }
    Ok(())
}

fn json(r: &mut Runner<'_>, input: &mut Input, out: &mut Output, max: usize) -> Result<()> {
    let mut records = JsonRecords::new(&mut input.reader, max);
    let mut buf = Zeroizing::new(Vec::new());
    let mut written = 0u64;
    loop {
        let number = match records.next(&mut buf) {
            Ok(Some(n)) => n,
            Ok(None) => break,
            Err(e) => {
                return Err(CliError::new(format!(
                    "{}: record {}: {}",
                    r.file, e.record, e.message
                )));
            }
        };
        let text = std::str::from_utf8(&buf)
            .map_err(|_| CliError::new(format!("{}: record {number}: not UTF-8", r.file)))?;
        let lead: &[u8] = match (records.is_array(), written) {
            (true, 0) => b"[\n",
            (true, _) => b",\n",
            (false, _) => b"",
        };
        let done = r.record(&Loc::Record(number), text)?;
        out.audit_first()?;
        let body: &[u8] = match &done {
            Some(done) => done.text.as_bytes(),
            None => &buf,
        };
        out.sink
            .write_all(lead)
            .and_then(|()| out.sink.write_all(body))
            .map_err(|e| write_err(out, &e))?;
        written += 1;
    }
    let tail: &[u8] = match (records.is_array(), written) {
        (true, 0) => b"[]\n",
        (true, _) => b"\n]\n",
        (false, _) => b"\n",
    };
    out.sink.write_all(tail).map_err(|e| write_err(out, &e))
}

fn csv_error(file: &str, e: &csv::Error) -> CliError {
    let line = e.position().map(|p| p.line());
    let at = match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_owned(),
    };
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => CliError::new(format!(
            "{at}: CSV: the row has {len} fields, the header has {expected_len}"
        )),
        csv::ErrorKind::Utf8 { .. } => CliError::new(format!("{at}: CSV: the row is not UTF-8")),
        csv::ErrorKind::Io(io) => CliError::new(format!("{at}: {io}")),
        _ => CliError::new(format!("{at}: CSV: {e}")),
    }
}

/// A CSV row's record: the JSON object of its strings, by column name.
fn csv_record(headers: &csv::StringRecord, row: &csv::StringRecord) -> Zeroizing<String> {
    let mut object = serde_json::Map::with_capacity(headers.len());
    for (name, value) in headers.iter().zip(row.iter()) {
        object.insert(name.to_owned(), serde_json::Value::String(value.to_owned()));
    }
    Zeroizing::new(serde_json::Value::Object(object).to_string())
}

/// A value back in a CSV cell: a string as it is, anything else as JSON text.
fn csv_cell(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn csv(r: &mut Runner<'_>, input: &mut Input, out: &mut Output, max: usize) -> Result<()> {
    // The csv crate grows a row's buffer as it likes: the bytes read since
    // the last row are bounded instead (plus its read-ahead).
    let since_row = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let bounded = RowBound {
        inner: &mut input.reader,
        since_row: std::rc::Rc::clone(&since_row),
        max: max as u64,
        quotes: 0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bounded);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&r.file, &e))?
        .clone();
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = headers.iter().find(|h| !seen.insert(*h)) {
        return Err(CliError::new(format!(
            "{}:1: CSV: the header names the column {twice:?} twice",
            r.file
        )));
    }
    let name = out.name.clone();
    // The csv writer holds the sink: the audit check is taken out first.
    let audit_first = out.audit_gate();
    let mut writer = csv::WriterBuilder::new().from_writer(&mut out.sink);
    let werr = |e: csv::Error| CliError::new(format!("{name}: cannot write: {e}"));
    writer.write_record(&headers).map_err(werr)?;
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            // An I/O error carries no position: the reader's is the row's.
            Err(e) if e.position().is_none() => {
                let at = format!("{}:{}", r.file, reader.position().line());
                return Err(csv_error(&at, &e));
            }
            Err(e) => return Err(csv_error(&r.file, &e)),
        }
        since_row.set(0);
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        if row.as_slice().len() > max {
            return Err(CliError::new(format!(
                "{}:{line}: the row is larger than {max} bytes (--max-record-bytes)",
                r.file
            )));
        }
        let json = csv_record(&headers, &row);
        let done = r.record(&Loc::Line(line), &json)?;
        audit_first()?;
        match done {
            Some(done) => {
                let object: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&done.text).map_err(|_| {
                        CliError::new(format!(
                            "{}:{line}: internal error: a processed row is not a JSON object",
                            r.file
                        ))
                    })?;
                let cells = headers.iter().map(|h| csv_cell(object.get(h)));
                writer.write_record(cells).map_err(werr)?;
            }
            None => writer.write_record(&row).map_err(werr)?,
        }
    }
    writer
        .flush()
        .map_err(|e| CliError::new(format!("{name}: cannot write: {e}")))
}

/// A reader that fails once more than a row's bound has been read since
/// the last row ended (the slack covers the csv reader's read-ahead).
struct RowBound<R> {
    inner: R,
    since_row: std::rc::Rc<std::cell::Cell<u64>>,
    max: u64,
    /// `"` bytes read: even in valid CSV (quotes pair up, an escaped quote
    /// is doubled). An odd count at the end is a quoted field never closed,
    /// which the csv crate would take as running to the end of the file.
    quotes: u64,
}

impl<R: io::Read> io::Read for RowBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        const SLACK: u64 = 64 * 1024;
        if self.since_row.get() > self.max.saturating_add(SLACK) {
            return Err(io::Error::other(format!(
                "the row is larger than {} bytes (--max-record-bytes)",
                self.max
            )));
        }
        let n = self.inner.read(buf)?;
        if n == 0 && self.quotes % 2 == 1 {
            return Err(io::Error::other(
                "a quoted field is never closed (an odd number of '\"' in the file)",
            ));
        }
        self.quotes += buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        self.since_row.set(self.since_row.get() + n as u64);
        Ok(n)
    }
}
