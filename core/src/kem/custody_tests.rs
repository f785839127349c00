//! The custody path (core's own RFC 9180 key schedule after one private-key
//! step) against the published vectors and against the `hpke` path: every
//! backend must give the same session secrets, and refuse the same inputs.
//! Each in-memory backend this target compiles (`SoftwareBackend::ALL`:
//! AWS-LC and RustCrypto on native) runs every case.

use super::schedule::{Schedule, dhkem_shared_secret};
use super::*;
use crate::custody::decapsulate_with;
use crate::test_support::{hexf, read_json};
use crate::{CustodyError, KeyCustody, KeyPair, PublicKey, SoftwareBackend, SoftwareKey};
use serde_json::Value;

fn exports(v: &Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    v["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (hexf(e, "exporter_context"), hexf(e, "exported_value")))
        .collect()
}

fn software(backend: SoftwareBackend, suite: Suite, sk: &[u8]) -> SoftwareKey {
    let pair = KeyPair::from_private_bytes(suite, sk).unwrap();
    let key = SoftwareKey::with_backend(&pair, backend).unwrap();
    assert_eq!(key.backend(), backend);
    key
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_builds_compile_both_backends_and_default_to_aws_lc() {
    // The default is the measured fastest (docs/PERFORMANCE.md); the
    // RustCrypto path stays compiled so these tests hold both to the vectors.
    assert_eq!(
        SoftwareBackend::ALL,
        [SoftwareBackend::AwsLc, SoftwareBackend::RustCrypto]
    );
    let pair = KeyPair::generate(Suite::P256).unwrap();
    assert_eq!(
        SoftwareKey::new(&pair).unwrap().backend(),
        SoftwareBackend::AwsLc
    );
    // X-Wing has one implementation whatever the backend asked for.
    let xwing = KeyPair::generate(Suite::XWing).unwrap();
    assert_eq!(
        SoftwareKey::with_backend(&xwing, SoftwareBackend::AwsLc)
            .unwrap()
            .backend(),
        SoftwareBackend::RustCrypto
    );
}

fn session_bytes(secret: &SessionSecret) -> Vec<u8> {
    [secret.key.as_slice(), &secret.base_nonce].concat()
}

#[test]
fn rfc9180_vectors_through_the_custody_schedule() {
    let file = read_json("upstream/hpke/rfc9180-aes256gcm-hkdfsha256-p256-x25519.json");
    let mut checked = Vec::new();
    for (backend, v) in SoftwareBackend::ALL
        .iter()
        .flat_map(|b| file.as_array().unwrap().iter().map(move |v| (*b, v)))
    {
        if v["mode"] != 0 || v["aead_id"] != 2 || v["kdf_id"] != 1 {
            continue;
        }
        let suite = Suite::from_kem_id(v["kem_id"].as_u64().unwrap() as u16).unwrap();
        let custody = software(backend, suite, &hexf(v, "skRm"));
        let enc = hexf(v, "enc");
        assert_eq!(custody.public_key().as_bytes(), hexf(v, "pkRm").as_slice());

        // The private-key step, then each value the RFC lists.
        let dh = custody.private_key_op(&enc).unwrap();
        let shared = dhkem_shared_secret(suite, &dh, &enc, &hexf(v, "pkRm")).unwrap();
        assert_eq!(shared.to_vec(), hexf(v, "shared_secret"));
        let schedule = Schedule::base(suite, &shared, &hexf(v, "info")).unwrap();
        assert_eq!(
            schedule.key_schedule_context.to_vec(),
            hexf(v, "key_schedule_context")
        );
        assert_eq!(schedule.secret.to_vec(), hexf(v, "secret"));
        assert_eq!(
            schedule.exporter_secret.to_vec(),
            hexf(v, "exporter_secret")
        );
        for (context, want) in exports(v) {
            let mut out = vec![0u8; want.len()];
            schedule.export(&context, &mut out).unwrap();
            assert_eq!(out, want);
        }

        // enseal's own export: the custody path equals the hpke path.
        let local = KemSecretKey::from_bytes(suite, &hexf(v, "skRm")).unwrap();
        assert_eq!(
            session_bytes(&decapsulate_with(&custody, &enc).unwrap()),
            session_bytes(&decapsulate(&local, &enc).unwrap())
        );
        checked.push((backend, suite));
    }
    let want: Vec<_> = SoftwareBackend::ALL
        .iter()
        .flat_map(|b| [(*b, Suite::X25519), (*b, Suite::P256)])
        .collect();
    assert_eq!(checked, want);
}

#[test]
fn xwing_vectors_through_the_custody_schedule() {
    // The KEM: the software custodian's Decap gives the published ss (the
    // x-wing crate on every backend).
    let file = read_json("upstream/xwing/xwing-test-vectors.json");
    for v in file.as_array().unwrap() {
        let custody = software(SoftwareBackend::RustCrypto, Suite::XWing, &hexf(v, "seed"));
        let ss = custody.private_key_op(&hexf(v, "ct")).unwrap();
        assert_eq!(ss.to_vec(), hexf(v, "ss"));
    }
    // The key schedule on top (published with ChaCha20-Poly1305 only).
    let file = read_json("upstream/hpke-pq/rust-hpke-test-vectors-go-8aa8a04.json");
    let mut checked = 0;
    for v in file.as_array().unwrap() {
        if v["kem_id"] != 0x647a || v["kdf_id"] != 1 || v["mode"] != 0 {
            continue;
        }
        let custody = software(SoftwareBackend::RustCrypto, Suite::XWing, &hexf(v, "skRm"));
        let enc = hexf(v, "enc");
        let ss = custody.private_key_op(&enc).unwrap();
        assert_eq!(ss.to_vec(), hexf(v, "shared_secret"));
        let aead = v["aead_id"].as_u64().unwrap() as u16;
        let schedule = Schedule::base_with_aead(Suite::XWing, aead, &ss, &hexf(v, "info")).unwrap();
        assert_eq!(
            schedule.exporter_secret.to_vec(),
            hexf(v, "exporter_secret")
        );
        for (context, want) in exports(v) {
            let mut out = vec![0u8; want.len()];
            schedule.export(&context, &mut out).unwrap();
            assert_eq!(out, want);
        }
        // And enseal's export through custody equals the hpke path.
        let local = KemSecretKey::from_bytes(Suite::XWing, &hexf(v, "skRm")).unwrap();
        assert_eq!(
            session_bytes(&decapsulate_with(&custody, &enc).unwrap()),
            session_bytes(&decapsulate(&local, &enc).unwrap())
        );
        checked += 1;
    }
    assert_eq!(checked, 1);
}

/// Counts the calls that reach it, so tests can show which inputs core
/// refuses before a backend ever sees them.
struct Counting {
    inner: SoftwareKey,
    calls: std::sync::atomic::AtomicUsize,
}

impl KeyCustody for Counting {
    fn public_key(&self) -> &PublicKey {
        self.inner.public_key()
    }
    fn private_key_op(
        &self,
        enc: &[u8],
    ) -> core::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.private_key_op(enc)
    }
}

fn counting(backend: SoftwareBackend, suite: Suite, sk: &[u8]) -> Counting {
    Counting {
        inner: software(backend, suite, sk),
        calls: Default::default(),
    }
}

#[test]
fn wycheproof_x25519_the_custody_path_agrees_and_low_order_never_reaches_the_backend() {
    let file = read_json("upstream/wycheproof/x25519_test.json");
    for &backend in SoftwareBackend::ALL {
        let (mut same, mut refused) = (0, 0);
        for group in file["testGroups"].as_array().unwrap() {
            for t in group["tests"].as_array().unwrap() {
                let sk = hexf(t, "private");
                let custody = counting(backend, Suite::X25519, &sk);
                let local = KemSecretKey::from_bytes(Suite::X25519, &sk).unwrap();
                let enc = hexf(t, "public");
                let via_custody = decapsulate_with(&custody, &enc).map(|s| session_bytes(&s));
                let via_hpke = decapsulate(&local, &enc).map(|s| session_bytes(&s));
                assert_eq!(via_custody, via_hpke, "{backend:?} tcId {}", t["tcId"]);
                if via_custody.is_err() {
                    assert_eq!(custody.calls.into_inner(), 0, "tcId {}", t["tcId"]);
                    refused += 1;
                } else {
                    same += 1;
                }
            }
        }
        assert_eq!((same, refused), (487, 31), "{backend:?}");
    }
}

#[test]
fn wycheproof_p256_the_custody_path_agrees_and_bad_points_never_reach_the_backend() {
    let file = read_json("upstream/wycheproof/ecdh_secp256r1_ecpoint_test.json");
    for &backend in SoftwareBackend::ALL {
        let (mut same, mut refused) = (0, 0);
        for group in file["testGroups"].as_array().unwrap() {
            for t in group["tests"].as_array().unwrap() {
                let raw = hexf(t, "private");
                let trimmed: Vec<u8> = raw.iter().copied().skip_while(|b| *b == 0).collect();
                let mut scalar = vec![0u8; 32 - trimmed.len().min(32)];
                scalar.extend_from_slice(&trimmed);
                let custody = counting(backend, Suite::P256, &scalar);
                let local = KemSecretKey::from_bytes(Suite::P256, &scalar).unwrap();
                let enc = hexf(t, "public");
                let via_custody = decapsulate_with(&custody, &enc).map(|s| session_bytes(&s));
                let via_hpke = decapsulate(&local, &enc).map(|s| session_bytes(&s));
                assert_eq!(via_custody, via_hpke, "{backend:?} tcId {}", t["tcId"]);
                if via_custody.is_err() {
                    assert_eq!(custody.calls.into_inner(), 0, "tcId {}", t["tcId"]);
                    refused += 1;
                } else {
                    same += 1;
                }
            }
        }
        assert_eq!((same, refused), (330, 25), "{backend:?}");
    }
}

struct Failing(PublicKey, CustodyError);

impl KeyCustody for Failing {
    fn public_key(&self) -> &PublicKey {
        &self.0
    }
    fn private_key_op(&self, _: &[u8]) -> core::result::Result<Zeroizing<[u8; 32]>, CustodyError> {
        Err(self.1.clone())
    }
}

#[test]
fn a_backend_outage_is_key_unavailable_and_a_refusal_is_decrypt_failed() {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let (enc, _) = encapsulate(pair.public_key().kem(), &[7; 32]).unwrap();
    let down = Failing(
        pair.public_key().clone(),
        CustodyError::Unavailable("token not present".into()),
    );
    let err = decapsulate_with(&down, &enc).err().unwrap();
    assert_eq!(err.code(), crate::ErrorCode::KeyUnavailable);
    assert_eq!(
        err,
        Error::KeyUnavailable {
            kid: Some(pair.kid()),
            reason: "token not present".into()
        }
    );
    assert!(err.to_string().contains("token not present"));
    let refusing = Failing(pair.public_key().clone(), CustodyError::Rejected);
    assert_eq!(
        decapsulate_with(&refusing, &enc).err(),
        Some(Error::DecryptFailed)
    );
}
