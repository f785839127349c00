//! Progress on standard error, only when it is a terminal (never in a pipe
//! or a log), and the one summary line at the end; `--quiet` silences both.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Records between two updates of the bar.
const EVERY: u64 = 128;

/// The bar (when shown) and the clock of a run.
pub struct Progress {
    bar: Option<ProgressBar>,
    read: Arc<AtomicU64>,
    sized: bool,
    start: Instant,
    quiet: bool,
}

impl Progress {
    /// A bar over `size` bytes (records/s and an ETA) or, without a size,
    /// a spinner with records/s; none when `quiet` or stderr is not a terminal.
    pub fn new(size: Option<u64>, read: Arc<AtomicU64>, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = match size {
                Some(len) => {
                    ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr_with_hz(10))
                        .with_style(
                            ProgressStyle::with_template("{bar:20} {percent:>3}% {msg}, ETA {eta}")
                                .unwrap_or_else(|_| ProgressStyle::default_bar()),
                        )
                }
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10))
                    .with_style(
                        ProgressStyle::with_template("{spinner} {msg}, {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
            };
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            read,
            sized: size.is_some(),
            start: Instant::now(),
            quiet,
        }
    }

    /// Called after each record, `records` so far.
    pub fn tick(&self, records: u64) {
        let Some(bar) = &self.bar else { return };
        if !records.is_multiple_of(EVERY) {
            return;
        }
        if self.sized {
            bar.set_position(self.read.load(Ordering::Relaxed));
        }
        let secs = self.start.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            records as f64 / secs
        } else {
            0.0
        };
        bar.set_message(format!("{records} records, {rate:.0} records/s"));
    }

    /// Prints `line` on stderr without tearing the bar.
    pub fn eprint(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Removes the bar and prints `summary` (unless quiet) as
    /// `enseal: SUMMARY in S s, R records/s`.
    pub fn finish(&self, records: u64, summary: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.quiet {
            return;
        }
        let secs = self.elapsed();
        let rate = if secs > 0.0 {
            records as f64 / secs
        } else {
            0.0
        };
        eprintln!("enseal: {summary} in {secs:.2} s, {rate:.0} records/s");
    }

    /// Removes the bar (on an error).
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
