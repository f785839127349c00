//! A benchmark, not a test: the cost of opening the first field of a new
//! session (decapsulation, key schedule, one 64-byte field) per suite, in one
//! run, through the two paths core has, against the raw Diffie-Hellman:
//! - a `KeyPair` in the keyring (the default path),
//! - the same key as a `SoftwareKey` custodian (core's own RFC 9180 key
//!   schedule after a direct DH: the custody path),
//! - the raw DH alone: x25519-dalek and RustCrypto p256 (what core uses), and
//!   AWS-LC through aws-lc-rs (a candidate backend, issue 15).
//!
//! `cargo run --release -p enseal-bench --example decap_paths`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use enseal::{Context, KeyPair, Keyring, Opener, Sealer, SoftwareKey, Suite};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const SESSIONS: usize = 2_000;
const ROUNDS: usize = 5;

fn first_fields(pair: &KeyPair) -> Vec<Vec<u8>> {
    (0..SESSIONS)
        .map(|_| {
            Sealer::new(pair.public_key())
                .unwrap()
                .seal_binary(&[0x5a; 64], Context::bytes(b"c"))
                .unwrap()
        })
        .collect()
}

/// µs per session: each field opened once by an opener that caches nothing.
fn per_session(ring: &Keyring, fields: &[Vec<u8>]) -> f64 {
    let opener = Opener::with_cache_capacity(ring.clone(), 0);
    let start = Instant::now();
    for field in fields {
        black_box(opener.open_binary(field, Context::bytes(b"c")).unwrap());
    }
    start.elapsed().as_secs_f64() * 1e6 / fields.len() as f64
}

/// µs per raw DH with AWS-LC (aws-lc-rs `agreement`, static private key).
fn aws_lc_dh(pair: &KeyPair, n: usize) -> Option<f64> {
    use aws_lc_rs::agreement::{ECDH_P256, PrivateKey, UnparsedPublicKey, X25519, agree};
    let alg = match pair.suite() {
        Suite::X25519 => &X25519,
        Suite::P256 => &ECDH_P256,
        _ => return None,
    };
    let sk = PrivateKey::from_private_key(alg, &pair.private_bytes()).unwrap();
    let peer = KeyPair::generate(pair.suite()).unwrap();
    let pk = UnparsedPublicKey::new(alg, peer.public_key().as_bytes().to_vec());
    let start = Instant::now();
    for _ in 0..n {
        black_box(agree(&sk, &pk, (), |s| Ok::<usize, ()>(s.len())).unwrap());
    }
    Some(start.elapsed().as_secs_f64() * 1e6 / n as f64)
}

fn raw_dh(pair: &KeyPair, n: usize) -> Option<f64> {
    let sk = pair.private_bytes();
    let peer = KeyPair::generate(pair.suite()).unwrap();
    let start = Instant::now();
    match pair.suite() {
        Suite::X25519 => {
            let secret = x25519_dalek::StaticSecret::from(<[u8; 32]>::try_from(&sk[..]).unwrap());
            let pk = <[u8; 32]>::try_from(peer.public_key().as_bytes()).unwrap();
            let pk = x25519_dalek::PublicKey::from(pk);
            for _ in 0..n {
                black_box(secret.diffie_hellman(black_box(&pk)));
            }
        }
        Suite::P256 => {
            let secret = p256::SecretKey::from_slice(&sk).unwrap();
            let pk = p256::PublicKey::from_sec1_bytes(peer.public_key().as_bytes()).unwrap();
            for _ in 0..n {
                black_box(p256::ecdh::diffie_hellman(
                    secret.to_nonzero_scalar(),
                    black_box(pk.as_affine()),
                ));
            }
        }
        _ => return None,
    }
    Some(start.elapsed().as_secs_f64() * 1e6 / n as f64)
}

fn main() {
    println!(
        "| suite | `KeyPair` (default path) µs | `SoftwareKey` (custody path) µs | raw DH µs | AWS-LC DH µs | default / DH | default / AWS-LC DH |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for suite in Suite::ALL {
        let pair = KeyPair::generate(suite).unwrap();
        let fields = first_fields(&pair);
        let local = Keyring::from_iter([pair.clone()]);
        let mut custody = Keyring::new();
        custody.add_custody(Arc::new(SoftwareKey::new(&pair).unwrap()));
        // Interleaved rounds, the best of each: every variant sees the same machine.
        let (mut a, mut b, mut d, mut l) = (f64::MAX, f64::MAX, None::<f64>, None::<f64>);
        let best = |slot: &mut Option<f64>, x: Option<f64>| {
            if let Some(x) = x {
                *slot = Some(slot.map_or(x, |y| y.min(x)));
            }
        };
        for _ in 0..ROUNDS {
            a = a.min(per_session(&local, &fields));
            b = b.min(per_session(&custody, &fields));
            best(&mut d, raw_dh(&pair, SESSIONS));
            best(&mut l, aws_lc_dh(&pair, SESSIONS));
        }
        let ratio =
            |x: f64, to: Option<f64>| to.map_or("—".into(), |dh| format!("{:.2}×", x / dh));
        let show = |x: Option<f64>| x.map_or("—".into(), |dh| format!("{dh:.1}"));
        println!(
            "| {} | {a:.1} | {b:.1} | {} | {} | {} | {} |",
            suite.name(),
            show(d),
            show(l),
            ratio(a, d),
            ratio(a, l)
        );
    }
}
