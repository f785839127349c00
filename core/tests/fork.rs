//! A sealer shared across a real `fork()` never hands parent and child the
//! same session: the child's first field encapsulates afresh. Its own test
//! binary, so the process forks with no other test threads running.
#![cfg(unix)]
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::format::header_len;
use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};

/// `version || kem_id || kid || enc`: what identifies a session.
fn session_of(sealed: &[u8], suite: Suite) -> &[u8] {
    &sealed[..header_len(suite) - 8]
}

fn counter_of(sealed: &[u8], suite: Suite) -> u64 {
    let h = header_len(suite);
    u64::from_be_bytes(sealed[h - 8..h].try_into().unwrap())
}

#[test]
fn parent_and_child_never_share_a_session_after_fork() {
    for suite in [Suite::X25519, Suite::P256] {
        let key = KeyPair::generate(suite).unwrap();
        let sealer = Sealer::new(key.public_key()).unwrap();
        let before = sealer.seal_binary(b"before the fork", "ctx").unwrap();
        let out = std::env::temp_dir().join(format!(
            "enseal-fork-{}-{}",
            std::process::id(),
            suite.name()
        ));

        // SAFETY: this test binary runs this one test on one thread; the child
        // only seals, writes a file and leaves with `_exit`, never unwinding
        // into the parent's test harness.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let code = match sealer.seal_binary(b"child value", "ctx") {
                Ok(sealed) => std::fs::write(&out, sealed).map_or(2, |()| 0),
                Err(_) => 1,
            };
            // SAFETY: `_exit` ends the child without running the parent's atexit handlers.
            unsafe { libc::_exit(code) };
        }
        let parent = sealer.seal_binary(b"parent value", "ctx").unwrap();
        let mut status = 0;
        // SAFETY: `pid` is our child; `status` is a valid out-pointer.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
        let child = std::fs::read(&out).unwrap();
        std::fs::remove_file(&out).unwrap();

        // The parent carries on with its session; the child started its own.
        assert_eq!(session_of(&parent, suite), session_of(&before, suite));
        assert_eq!(counter_of(&parent, suite), 1);
        assert_ne!(session_of(&child, suite), session_of(&before, suite));
        assert_eq!(counter_of(&child, suite), 0);

        let opener = Opener::new(Keyring::from_iter([key.clone()]));
        assert_eq!(
            opener.open_binary(&parent, "ctx").unwrap().as_slice(),
            b"parent value"
        );
        assert_eq!(
            opener.open_binary(&child, "ctx").unwrap().as_slice(),
            b"child value"
        );

        // A column's run holds a block of counter values claimed before the
        // fork: the child must not use one of them.
        let sealer = Sealer::new(key.public_key()).unwrap();
        let mut run = sealer.run();
        let mut before = Vec::new();
        run.seal_binary_into(b"run before", "ctx", &mut before)
            .unwrap();
        // SAFETY: as above.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let mut sealed = Vec::new();
            let code = match run.seal_binary_into(b"child run value", "ctx", &mut sealed) {
                Ok(()) => std::fs::write(&out, sealed).map_or(2, |()| 0),
                Err(_) => 1,
            };
            // SAFETY: as above.
            unsafe { libc::_exit(code) };
        }
        let mut parent = Vec::new();
        run.seal_binary_into(b"parent run value", "ctx", &mut parent)
            .unwrap();
        let mut status = 0;
        // SAFETY: as above.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
        let child = std::fs::read(&out).unwrap();
        std::fs::remove_file(&out).unwrap();
        assert_eq!(session_of(&parent, suite), session_of(&before, suite));
        assert_eq!(counter_of(&parent, suite), 1);
        assert_ne!(session_of(&child, suite), session_of(&before, suite));
        assert_eq!(counter_of(&child, suite), 0);
        assert_eq!(
            opener.open_binary(&child, "ctx").unwrap().as_slice(),
            b"child run value"
        );
    }
}
