//! The HPKE layer against published vectors: RFC 9180 (X25519, P-256; base
//! mode, AES-256-GCM, HKDF-SHA256; every export and encryption), the X-Wing
//! KEM vectors, the X-Wing HPKE vectors of draft-ietf-hpke-pq, and Wycheproof
//! X25519 / P-256 ECDH cases run through decapsulation and checked against an
//! independent RFC 9180 key schedule written here with `hkdf`.

use super::*;
use crate::cipher::FieldKey;
use crate::format::field_nonce;
use crate::test_support::{hexf, read_json};
use hkdf::Hkdf;
use serde_json::Value;
use sha2::Sha256;

fn suite_of(kem_id: u64) -> Suite {
    Suite::from_kem_id(kem_id as u16).unwrap()
}

fn exports(v: &Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    v["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (hexf(e, "exporter_context"), hexf(e, "exported_value")))
        .collect()
}

fn export_all(export: Exporter<'_>, cases: &[(Vec<u8>, Vec<u8>)]) -> Vec<Vec<u8>> {
    cases
        .iter()
        .map(|(ctx, want)| {
            let mut out = vec![0u8; want.len()];
            export(ctx, &mut out).unwrap();
            out
        })
        .collect()
}

/// X25519 private keys serialize clamped (RFC 7748 §5), as x25519-dalek stores them.
fn canonical_sk(suite: Suite, mut sk: Vec<u8>) -> Vec<u8> {
    if suite == Suite::X25519 {
        sk[0] &= 248;
        sk[31] &= 127;
        sk[31] |= 64;
    }
    sk
}

#[test]
fn rfc9180_base_mode_vectors() {
    let file = read_json("upstream/hpke/rfc9180-aes256gcm-hkdfsha256-p256-x25519.json");
    let mut checked = Vec::new();
    for v in file.as_array().unwrap() {
        if v["mode"] != 0 || v["aead_id"] != 2 || v["kdf_id"] != 1 {
            continue;
        }
        let suite = suite_of(v["kem_id"].as_u64().unwrap());
        let info = hexf(v, "info");
        let cases = exports(v);
        let want: Vec<Vec<u8>> = cases.iter().map(|c| c.1.clone()).collect();

        // DeriveKeyPair(ikmR) gives the published recipient key pair.
        let (sk, pk) = KemSecretKey::derive(suite, &hexf(v, "ikmR")).unwrap();
        assert_eq!(
            sk.to_bytes().as_slice(),
            canonical_sk(suite, hexf(v, "skRm")).as_slice()
        );
        assert_eq!(pk.to_bytes(), hexf(v, "pkRm"));
        assert_eq!(
            KemSecretKey::from_bytes(suite, &hexf(v, "skRm"))
                .unwrap()
                .public_key()
                .to_bytes(),
            hexf(v, "pkRm")
        );

        // SetupBaseS with ikmE as the randomness gives the published enc and exports.
        let mut sent = Vec::new();
        let enc = setup_sender(&pk, &hexf(v, "ikmE"), &info, |export| {
            sent = export_all(export, &cases);
            Ok(())
        })
        .unwrap();
        assert_eq!(enc, hexf(v, "enc"));
        assert_eq!(sent, want);

        // SetupBaseR gives the same exports.
        let mut received = Vec::new();
        setup_receiver(&sk, &enc, &info, |export| {
            received = export_all(export, &cases);
            Ok(())
        })
        .unwrap();
        assert_eq!(received, want);

        // Every encryption, through enseal's own AES-GCM and nonce derivation.
        let key = FieldKey::new(&hexf(v, "key").try_into().unwrap()).unwrap();
        let base_nonce: [u8; 12] = hexf(v, "base_nonce").try_into().unwrap();
        for (seq, e) in v["encryptions"].as_array().unwrap().iter().enumerate() {
            let nonce = field_nonce(&base_nonce, seq as u64);
            assert_eq!(nonce.to_vec(), hexf(e, "nonce"));
            let mut ct = Vec::new();
            key.seal(nonce, &hexf(e, "aad"), &hexf(e, "pt"), &mut ct)
                .unwrap();
            assert_eq!(ct, hexf(e, "ct"));
            assert_eq!(
                {
                    let mut pt = Vec::new();
                    key.open_into(nonce, &hexf(e, "aad"), &ct, &mut pt).unwrap();
                    pt
                }
                .as_slice(),
                hexf(e, "pt").as_slice()
            );
        }
        checked.push((
            suite,
            v["encryptions"].as_array().unwrap().len(),
            cases.len(),
        ));
    }
    assert_eq!(
        checked,
        vec![(Suite::X25519, 257, 3), (Suite::P256, 257, 3)]
    );
}

#[test]
fn xwing_kem_vectors() {
    use hpke::kem::XWing;
    let file = read_json("upstream/xwing/xwing-test-vectors.json");
    let vectors = file.as_array().unwrap();
    assert_eq!(vectors.len(), 3);
    for v in vectors {
        // The private key is the seed; the public key follows from it.
        let sk = KemSecretKey::from_bytes(Suite::XWing, &hexf(v, "seed")).unwrap();
        assert_eq!(sk.to_bytes().as_slice(), hexf(v, "sk").as_slice());
        let pk = sk.public_key();
        assert_eq!(pk.to_bytes(), hexf(v, "pk"));
        // Encapsulation with eseed as randomness gives the published ct and ss.
        let KemPublicKey::XWing(xpk) = &pk else {
            unreachable!()
        };
        let eseed = hexf(v, "eseed");
        let mut rng = FixedRng::new(&eseed);
        let (ss, ct) = XWing::encap_with_rng(xpk, None, &mut rng).unwrap();
        assert!(rng.used_exactly());
        assert_eq!(ct.to_bytes().to_vec(), hexf(v, "ct"));
        assert_eq!(ss.0.to_vec(), hexf(v, "ss"));
        // And decapsulation recovers it.
        let KemSecretKey::XWing(xsk) = &sk else {
            unreachable!()
        };
        assert_eq!(
            XWing::decap(xsk, None, &ct).unwrap().0.to_vec(),
            hexf(v, "ss")
        );
    }
}

/// draft-ietf-hpke-pq publishes X-Wing only with ChaCha20-Poly1305; the KEM,
/// DeriveKeyPair and key schedule underneath enseal's X-Wing suite are the
/// same, so they are checked here through `hpke` directly.
#[test]
fn xwing_hpke_vectors_from_draft_ietf_hpke_pq() {
    use hpke::aead::ChaCha20Poly1305;
    use hpke::kem::XWing;
    let file = read_json("upstream/hpke-pq/rust-hpke-test-vectors-go-8aa8a04.json");
    let mut checked = 0;
    for v in file.as_array().unwrap() {
        if v["kem_id"] != 0x647a || v["kdf_id"] != 1 {
            continue;
        }
        let (sk, pk) = KemSecretKey::derive(Suite::XWing, &hexf(v, "ikmR")).unwrap();
        assert_eq!(sk.to_bytes().as_slice(), hexf(v, "skRm").as_slice());
        assert_eq!(pk.to_bytes(), hexf(v, "pkRm"));
        let KemPublicKey::XWing(xpk) = &pk else {
            unreachable!()
        };
        let ikm_e = hexf(v, "ikmE");
        let mut rng = FixedRng::new(&ikm_e);
        let (enc, ctx) = hpke::setup_sender_with_rng::<ChaCha20Poly1305, HkdfSha256, XWing>(
            &OpModeS::Base,
            xpk,
            &hexf(v, "info"),
            &mut rng,
        )
        .unwrap();
        assert!(rng.used_exactly());
        assert_eq!(enc.to_bytes().to_vec(), hexf(v, "enc"));
        for (context, want) in exports(v) {
            let mut out = vec![0u8; want.len()];
            ctx.export(&context, &mut out).unwrap();
            assert_eq!(out, want);
        }
        checked += 1;
    }
    assert_eq!(checked, 1);
}

/// RFC 9180 §4.1 and §5.1, written out independently of `hpke`: from a raw
/// DH output to enseal's exported 44 bytes.
fn reference_export(kem_id: u16, dh: &[u8], enc: &[u8], pk_r: &[u8]) -> Vec<u8> {
    let labeled_extract = |suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]| {
        let input = [b"HPKE-v1".as_slice(), suite_id, label, ikm].concat();
        Hkdf::<Sha256>::extract(Some(salt), &input).0.to_vec()
    };
    let labeled_expand = |suite_id: &[u8], prk: &[u8], label: &[u8], info: &[u8], len: usize| {
        let info = [
            &(len as u16).to_be_bytes()[..],
            b"HPKE-v1",
            suite_id,
            label,
            info,
        ]
        .concat();
        let mut out = vec![0u8; len];
        Hkdf::<Sha256>::from_prk(prk)
            .unwrap()
            .expand(&info, &mut out)
            .unwrap();
        out
    };
    let kem_suite = [b"KEM".as_slice(), &kem_id.to_be_bytes()].concat();
    let eae_prk = labeled_extract(&kem_suite, b"", b"eae_prk", dh);
    let shared_secret = labeled_expand(
        &kem_suite,
        &eae_prk,
        b"shared_secret",
        &[enc, pk_r].concat(),
        32,
    );

    let hpke_suite = [
        b"HPKE".as_slice(),
        &kem_id.to_be_bytes(),
        &1u16.to_be_bytes(),
        &2u16.to_be_bytes(),
    ]
    .concat();
    let psk_id_hash = labeled_extract(&hpke_suite, b"", b"psk_id_hash", b"");
    let info_hash = labeled_extract(&hpke_suite, b"", b"info_hash", HPKE_INFO);
    let context = [&[0u8][..], &psk_id_hash, &info_hash].concat();
    let secret = labeled_extract(&hpke_suite, &shared_secret, b"secret", b"");
    let exporter_secret = labeled_expand(&hpke_suite, &secret, b"exp", &context, 32);
    labeled_expand(
        &hpke_suite,
        &exporter_secret,
        b"sec",
        EXPORT_CONTEXT,
        SESSION_SECRET_LEN,
    )
}

fn decapsulated(sk: &KemSecretKey, enc: &[u8]) -> Result<Vec<u8>> {
    decapsulate(sk, enc).map(|s| [s.key.as_slice(), &s.base_nonce].concat())
}

#[test]
fn wycheproof_x25519_through_decapsulation() {
    let file = read_json("upstream/wycheproof/x25519_test.json");
    let (mut matched, mut rejected) = (0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            let sk = KemSecretKey::from_bytes(Suite::X25519, &hexf(t, "private")).unwrap();
            let pk_r = sk.public_key().to_bytes();
            let (enc, shared) = (hexf(t, "public"), hexf(t, "shared"));
            let got = decapsulated(&sk, &enc);
            if shared.iter().all(|b| *b == 0) {
                // Low-order points: RFC 9180 §7.1.4 requires rejecting an all-zero DH output.
                assert_eq!(got.err(), Some(Error::DecryptFailed), "tcId {}", t["tcId"]);
                rejected += 1;
            } else {
                assert_eq!(
                    got.unwrap(),
                    reference_export(0x0020, &shared, &enc, &pk_r),
                    "tcId {}",
                    t["tcId"]
                );
                matched += 1;
            }
        }
    }
    assert!(
        matched > 400 && rejected > 10,
        "matched {matched}, rejected {rejected}"
    );
}

#[test]
fn low_order_x25519_public_keys_are_refused_when_parsed() {
    // Wycheproof's public keys whose shared secret is zero are exactly the
    // small-order points; every other one parses.
    let file = read_json("upstream/wycheproof/x25519_test.json");
    let (mut refused, mut accepted) = (0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            let public = hexf(t, "public");
            let parsed = KemPublicKey::from_bytes(Suite::X25519, &public);
            if hexf(t, "shared").iter().all(|b| *b == 0) {
                assert!(
                    matches!(parsed, Err(Error::InvalidKey(_))),
                    "tcId {}",
                    t["tcId"]
                );
                refused += 1;
            } else {
                assert!(parsed.is_ok(), "tcId {}", t["tcId"]);
                accepted += 1;
            }
        }
    }
    assert_eq!((refused, accepted), (31, 487));
}

#[test]
fn wycheproof_p256_ecpoint_through_decapsulation() {
    let file = read_json("upstream/wycheproof/ecdh_secp256r1_ecpoint_test.json");
    let (mut matched, mut rejected) = (0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            // Wycheproof private keys are big-endian integers of any width.
            let raw = hexf(t, "private");
            let trimmed: Vec<u8> = raw.iter().copied().skip_while(|b| *b == 0).collect();
            let mut scalar = vec![0u8; 32 - trimmed.len().min(32)];
            scalar.extend_from_slice(&trimmed);
            let sk = KemSecretKey::from_bytes(Suite::P256, &scalar).unwrap();
            let pk_r = sk.public_key().to_bytes();
            let enc = hexf(t, "public");
            let got = decapsulated(&sk, &enc);
            match t["result"].as_str().unwrap() {
                "valid" => {
                    let want = reference_export(0x0010, &hexf(t, "shared"), &enc, &pk_r);
                    assert_eq!(got.unwrap(), want, "tcId {}", t["tcId"]);
                    matched += 1;
                }
                // Invalid points, and the compressed encoding RFC 9180 does not use.
                _ => {
                    assert_eq!(got.err(), Some(Error::DecryptFailed), "tcId {}", t["tcId"]);
                    rejected += 1;
                }
            }
        }
    }
    assert_eq!((matched, rejected), (330, 25));
}

#[test]
fn fixed_randomness_must_be_exactly_consumed() {
    let (_, pk) = KemSecretKey::derive(Suite::X25519, &[1; 32]).unwrap();
    assert!(encapsulate(&pk, &[2; 32]).is_ok());
    assert_eq!(
        encapsulate(&pk, &[2; 31]).err(),
        Some(Error::Internal(
            "encapsulation drew an unexpected amount of randomness"
        ))
    );
    assert!(encapsulate(&pk, &[2; 33]).is_err());
}
