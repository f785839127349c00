//! Splitting a column across cores: contiguous runs of rows, one per
//! thread, each producing its part of the output in order.

use enseal::{Error, Result};
use std::num::NonZeroUsize;

/// Below this many rows a thread is not worth starting: sealing 64-byte
/// values takes about 0.3 µs each, starting and joining a thread tens of µs.
const MIN_ROWS_PER_THREAD: usize = 2048;

/// How many threads a column may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threads(Option<NonZeroUsize>);

impl Threads {
    /// Every core the process may use (`std::thread::available_parallelism`,
    /// which follows CPU affinity and cgroup quotas), or `ENSEAL_THREADS`
    /// when that is set to a positive number.
    pub const AUTO: Threads = Threads(None);

    /// Exactly `count` threads at most; 0 means [`Threads::AUTO`].
    pub fn new(count: usize) -> Threads {
        Threads(NonZeroUsize::new(count))
    }

    /// The number of threads this stands for, at least 1. An `ENSEAL_THREADS`
    /// that is not a positive integer is an error, not silently ignored.
    pub fn resolve(self) -> Result<usize> {
        if let Some(count) = self.0 {
            return Ok(count.get());
        }
        match std::env::var("ENSEAL_THREADS") {
            Ok(text) => match text.trim().parse::<usize>() {
                Ok(count) if count > 0 => Ok(count),
                _ => Err(Error::InvalidArgument(
                    "ENSEAL_THREADS must be a positive integer",
                )),
            },
            Err(_) => Ok(std::thread::available_parallelism().map_or(1, NonZeroUsize::get)),
        }
    }
}

impl Default for Threads {
    fn default() -> Threads {
        Threads::AUTO
    }
}

/// Runs `work` over `0..rows` in up to `threads` contiguous runs, in
/// parallel, and returns each run's result in row order; the first error in
/// row order wins, after every run has stopped.
pub(crate) fn runs<T: Send>(
    rows: usize,
    threads: usize,
    work: impl Fn(std::ops::Range<usize>) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let count = threads.min(rows.div_ceil(MIN_ROWS_PER_THREAD)).max(1);
    if count == 1 {
        return Ok(vec![work(0..rows)?]);
    }
    let per = rows.div_ceil(count);
    let ranges: Vec<_> = (0..count)
        .map(|i| i * per..((i + 1) * per).min(rows))
        .filter(|r| !r.is_empty())
        .collect();
    let work = &work;
    let results: Vec<Result<T>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges[1..]
            .iter()
            .map(|range| {
                let range = range.clone();
                scope.spawn(move || work(range))
            })
            .collect();
        // This thread takes the first run rather than waiting idle.
        let mut results = vec![work(ranges[0].clone())];
        for handle in handles {
            results.push(handle.join().unwrap_or(Err(Error::InvalidArgument(
                "a column worker thread panicked",
            ))));
        }
        results
    });
    results.into_iter().collect()
}
