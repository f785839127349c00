//! An audit log opened before a real `fork()` refuses the child's events
//! (its writer thread exists only in the parent), so the child's opens fail
//! closed instead of queueing events nobody writes; the parent's log stays
//! whole. Its own test binary, so the process forks with one test thread.
#![cfg(unix)]
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{AuditLog, ErrorCode, KeyPair, Keyring, Opener, Sealer, Suite, verify_audit_log};
use std::sync::Arc;

#[test]
fn a_child_after_fork_cannot_write_the_parents_audit_log() {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let sealed = Sealer::new(key.public_key())
        .unwrap()
        .seal(b"v", "c")
        .unwrap();
    let path = std::env::temp_dir().join(format!("enseal-audit-fork-{}.jsonl", std::process::id()));
    let log = Arc::new(AuditLog::open(&path).unwrap());
    let opener = Opener::new(Keyring::from_iter([key])).with_audit(log.clone(), "parent");
    assert_eq!(opener.open(&sealed, "c").unwrap().as_slice(), b"v");

    // SAFETY: one test thread (its own binary); the child only opens, checks
    // and leaves with `_exit`, never unwinding into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let refused = matches!(
            opener.open(&sealed, "c").map_err(|e| e.code()),
            Err(ErrorCode::InvalidArgument)
        );
        let flush_refused = log.flush().is_err();
        let code = if refused && flush_refused { 0 } else { 1 };
        // SAFETY: `_exit` ends the child without running the parent's atexit handlers.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: `pid` is our child; `status` is a valid out-pointer.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child's open was not refused"
    );

    // The parent keeps auditing, and its log verifies with only its own events.
    assert_eq!(opener.open(&sealed, "c").unwrap().as_slice(), b"v");
    log.flush().unwrap();
    let report =
        verify_audit_log(std::io::BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        report.per_actor.keys().all(|actor| actor == "parent"),
        "{report:?}"
    );
    assert!(report.events >= 2, "{report:?}");
}
