//! Faults of a real token mid-run (its own test binary: it pulls the token
//! away from the whole process): every affected open is KEY_UNAVAILABLE,
//! nothing is lost or cached, and opening resumes when the token is back.
//!
//! "Removed" is SoftHSM2's token directory moved away while opens run (the
//! file store notices on the next call); "back" is the directory moved back
//! plus a module restart (`C_Finalize`/`C_Initialize` from the test's own
//! handle): SoftHSM2 2.6.1 does not re-read a token it lost until then.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cryptoki::context::{CInitializeArgs, CInitializeFlags};
use enseal::{ErrorCode, KeyCustody, Keyring, Opener, Sealer, Suite};
use enseal_pkcs11::{Pkcs11Key, WrappedKey};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The tests here change the token for the whole process: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The test token's directory in SoftHSM2's file store.
fn token_dir() -> PathBuf {
    let conf = std::fs::read_to_string(common::env("SOFTHSM2_CONF")).unwrap();
    let tokens = conf
        .lines()
        .find_map(|l| l.strip_prefix("directories.tokendir = "))
        .unwrap();
    let dirs: Vec<_> = std::fs::read_dir(tokens.trim())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs[0].clone()
}

/// Closes every session of the process and forgets the login: what a token
/// reset or a module restart does.
fn restart_module() {
    let ctx = common::module();
    ctx.clone().finalize().unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
}

fn sealed(public: &enseal::PublicKey, sessions: usize, per: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in 0..sessions {
        let sealer = Sealer::new(public).unwrap();
        for i in 0..per {
            let clear = format!("{s}/{i}");
            out.push((sealer.seal(clear.as_bytes(), "ctx").unwrap(), clear));
        }
    }
    out
}

#[test]
fn sessions_closed_and_login_lost_are_retried_once_on_a_fresh_session() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let label = common::label("retry");
    let public = enseal_pkcs11::generate(&common::uri("", ""), &label, Suite::P256).unwrap();
    let key = Pkcs11Key::open(&common::uri(&format!("object={label};type=private"), "")).unwrap();
    let enc = enseal::KeyPair::generate(Suite::P256).unwrap();
    let enc = enc.public_key().as_bytes().to_vec();
    let dh = key.private_key_op(&enc).unwrap();
    let before = key.token_calls();
    // Every session of the process closed, the login gone: the pooled
    // session fails, one fresh session logs in again, and the open succeeds.
    restart_module();
    assert_eq!(*key.private_key_op(&enc).unwrap(), *dh);
    assert_eq!(
        key.token_calls(),
        before + 2,
        "the failed call and its one retry"
    );
    assert_eq!(*key.private_key_op(&enc).unwrap(), *dh);
    assert_eq!(
        key.token_calls(),
        before + 3,
        "the fresh session went back to the pool"
    );
    let _ = public;
}

#[test]
fn the_token_removed_mid_run_is_key_unavailable_and_opening_resumes() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let label = common::label("removed");
    let public = enseal_pkcs11::generate(&common::uri("", ""), &label, Suite::P256).unwrap();
    let key = Arc::new(
        Pkcs11Key::open(&common::uri(
            &format!("object={label};type=private"),
            "pool-size=4",
        ))
        .unwrap(),
    );
    let mut ring = Keyring::new();
    ring.add_custody(key.clone());
    let opener = Arc::new(Opener::new(ring));
    let fields = Arc::new(sealed(&public, 150, 2));

    // Opens hold this for reading; the module restart takes it for writing
    // (PKCS#11 forbids C_Finalize while other threads are inside the module).
    let gate = Arc::new(RwLock::new(()));
    let done = Arc::new(AtomicUsize::new(0));
    let unavailable = Arc::new(AtomicUsize::new(0));
    let restarted = Arc::new(AtomicBool::new(false));
    let removed = Arc::new(AtomicBool::new(false));
    // The fault lands wherever the threads are after 60 opens; two gates
    // keep a busy machine from running the whole list before it: fields from
    // 150 on wait until the token is gone, from 225 on until it is back.
    let wait_until = |flag: &AtomicBool| {
        let start = Instant::now();
        while !flag.load(Ordering::SeqCst) {
            assert!(start.elapsed() < Duration::from_secs(60), "timed out");
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let (opener, fields, gate) = (opener.clone(), fields.clone(), gate.clone());
            let (done, unavailable, restarted, removed) = (
                done.clone(),
                unavailable.clone(),
                restarted.clone(),
                removed.clone(),
            );
            std::thread::spawn(move || {
                let mut failed = Vec::new();
                let mut ok_after_restart = 0;
                for (n, (field, clear)) in fields.iter().enumerate().skip(t).step_by(4) {
                    if n >= 150 {
                        wait_until(&removed);
                    }
                    if n >= 225 {
                        wait_until(&restarted);
                    }
                    let _open = gate.read().unwrap();
                    let after = restarted.load(Ordering::SeqCst);
                    match opener.open_string(field, "ctx") {
                        Ok(opened) => {
                            assert_eq!(opened.as_str(), clear);
                            ok_after_restart += usize::from(after);
                        }
                        Err(e) => {
                            assert_eq!(e.code(), ErrorCode::KeyUnavailable, "{e}");
                            assert_eq!(e.code() as u32, 202);
                            unavailable.fetch_add(1, Ordering::SeqCst);
                            failed.push(n);
                        }
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                    drop(_open);
                    // Pace the run so the fault lands in its middle.
                    std::thread::sleep(Duration::from_millis(2));
                }
                (failed, ok_after_restart)
            })
        })
        .collect();

    let wait_for = |what: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !what() {
            assert!(start.elapsed() < Duration::from_secs(30), "timed out");
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    wait_for(&|| done.load(Ordering::SeqCst) >= 60);
    let dir = token_dir();
    let away = dir.with_extension("removed");
    std::fs::rename(&dir, &away).unwrap();
    removed.store(true, Ordering::SeqCst);
    wait_for(&|| unavailable.load(Ordering::SeqCst) >= 20);
    std::fs::rename(&away, &dir).unwrap();
    {
        let _restart = gate.write().unwrap();
        restart_module();
        restarted.store(true, Ordering::SeqCst);
    }
    let mut failed = Vec::new();
    let mut ok_after_restart = 0;
    for w in workers {
        let (f, ok) = w.join().unwrap();
        failed.extend(f);
        ok_after_restart += ok;
    }
    assert!(failed.len() >= 20, "{} failed", failed.len());
    assert!(
        failed.len() < fields.len() - 60,
        "the run went on after the fault"
    );
    assert!(ok_after_restart > 0, "opening resumed during the run");
    // Nothing lost: every field that failed opens now, to the same value;
    // nothing bad cached: every field of the run opens.
    for n in failed {
        let (field, clear) = &fields[n];
        assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
    }
    for (field, clear) in fields.iter() {
        assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
    }
    assert_eq!(opener.cached_sessions(), 150);
}

#[test]
fn a_wrapped_key_whose_token_is_down_at_re_unwrap_is_unavailable_then_resumes() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let label = common::label("wrapping");
    enseal_pkcs11::generate_wrapping_key(&common::uri("", ""), &label).unwrap();
    let pair = enseal::KeyPair::generate(Suite::P256).unwrap();
    let file = enseal_pkcs11::wrap(
        &pair,
        &common::uri(&format!("object={label};type=secret-key"), ""),
    )
    .unwrap();
    let query = format!(
        "pin-source=file:{}&max-sessions=2",
        common::env("ENSEAL_TEST_PKCS11_PIN_FILE")
    );
    let key = Arc::new(WrappedKey::from_json(&file, &query).unwrap());
    let mut ring = Keyring::new();
    ring.add_custody(key.clone());
    let opener = Opener::new(ring);
    let fields = sealed(pair.public_key(), 4, 1);
    for (field, clear) in &fields[..2] {
        assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
    }
    assert_eq!(key.unwraps(), 1);
    let dir = token_dir();
    let away = dir.with_extension("removed");
    std::fs::rename(&dir, &away).unwrap();
    // The third session needs a new unwrap: the token is gone.
    let err = opener.open(&fields[2].0, "ctx").unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyUnavailable, "{err}");
    assert_eq!(opener.cached_sessions(), 2);
    std::fs::rename(&away, &dir).unwrap();
    restart_module();
    for (field, clear) in &fields {
        assert_eq!(opener.open_string(field, "ctx").unwrap().as_str(), clear);
    }
    assert_eq!(opener.cached_sessions(), 4);
}
