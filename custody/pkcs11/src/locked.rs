//! The crate's one `unsafe` module: a value on its own page-aligned pages,
//! locked in RAM (`mlock`: never written to swap) and left out of core dumps
//! (`MADV_DONTDUMP`), dropped (so zeroized, for a key) before the pages are
//! unlocked and freed.
//!
//! Why its own pages: `mlock` is not reference-counted, so `munlock` of a
//! page shared with another locked value would unlock that one too. Why no
//! crate: `region`/`memsec` would add a dependency for ~40 lines around three
//! libc calls, and neither places the value on pages of its own.
#![allow(unsafe_code)]

use std::alloc::{Layout, alloc, dealloc};
use std::ptr::NonNull;

/// `T` on pages of its own, locked in memory while it lives.
pub(crate) struct Locked<T> {
    ptr: NonNull<T>,
    layout: Layout,
    /// Whether `mlock` succeeded (it can fail under `RLIMIT_MEMLOCK`; the
    /// value is then kept unlocked rather than refused, and this says so).
    locked: bool,
}

// SAFETY: `Locked<T>` owns its `T` exclusively, like a `Box<T>`.
unsafe impl<T: Send> Send for Locked<T> {}
// SAFETY: only `&T` is handed out from `&Locked<T>`, like a `Box<T>`.
unsafe impl<T: Sync> Sync for Locked<T> {}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page)
        .ok()
        .filter(|p| p.is_power_of_two())
        .unwrap_or(4096)
}

impl<T> Locked<T> {
    /// Moves `value` onto fresh locked pages. `None` if memory runs out.
    pub fn new(value: T) -> Option<Locked<T>> {
        let page = page_size();
        let size = std::mem::size_of::<T>().max(1).div_ceil(page) * page;
        let layout = Layout::from_size_align(size, page.max(std::mem::align_of::<T>())).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe { alloc(layout) };
        let ptr = NonNull::new(raw.cast::<T>())?;
        // SAFETY: `raw` is a live allocation of `layout.size()` bytes; the calls
        // only change the pages' residency and dump flags.
        let locked = unsafe {
            libc::madvise(raw.cast(), layout.size(), libc::MADV_DONTDUMP);
            libc::mlock(raw.cast(), layout.size()) == 0
        };
        // SAFETY: `ptr` is aligned for `T` (page alignment ≥ align_of::<T>())
        // and valid for a write of `size_of::<T>()` bytes.
        unsafe { ptr.as_ptr().write(value) };
        Some(Locked {
            ptr,
            layout,
            locked,
        })
    }

    /// Whether the pages are locked in RAM.
    pub fn is_locked(&self) -> bool {
        self.locked
    }
}

impl<T> std::ops::Deref for Locked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `ptr` holds an initialised `T` until `drop`.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> Drop for Locked<T> {
    fn drop(&mut self) {
        let raw = self.ptr.as_ptr();
        // SAFETY: `raw` holds an initialised `T`, dropped exactly once, here
        // (a key's own Drop zeroizes it while the pages are still locked);
        // then the pages are unlocked and freed with the layout they were
        // allocated with.
        unsafe {
            std::ptr::drop_in_place(raw);
            if self.locked {
                libc::munlock(raw.cast(), self.layout.size());
            }
            dealloc(raw.cast(), self.layout);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counted(Arc<AtomicUsize>, [u8; 32]);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn holds_drops_once_and_is_page_aligned() {
        let drops = Arc::new(AtomicUsize::new(0));
        let held = Locked::new(Counted(drops.clone(), [7; 32])).unwrap();
        assert_eq!(held.1, [7; 32]);
        assert_eq!((&*held as *const Counted as usize) % page_size(), 0);
        // ulimit -l is 8 MiB on Debian: one page locks.
        assert!(held.is_locked());
        drop(held);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
