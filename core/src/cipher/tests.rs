//! Both AES-256-GCM backends against Wycheproof and NIST CAVP, restricted to
//! what enseal uses: 256-bit keys, 96-bit nonces, 128-bit tags.

use super::{Backend, rustcrypto_backend::RustCrypto};
use crate::test_support::{hexf, read_json, vector_path};

fn nonce(bytes: &[u8]) -> [u8; 12] {
    bytes.try_into().unwrap()
}

fn wycheproof<B: Backend>() -> usize {
    let file = read_json("upstream/wycheproof/aes_gcm_test.json");
    let mut checked = 0;
    for group in file["testGroups"].as_array().unwrap() {
        if group["keySize"] != 256 || group["ivSize"] != 96 || group["tagSize"] != 128 {
            continue;
        }
        for t in group["tests"].as_array().unwrap() {
            let key = B::new_key(&hexf(t, "key").try_into().unwrap()).unwrap();
            let iv = nonce(&hexf(t, "iv"));
            let (aad, msg) = (hexf(t, "aad"), hexf(t, "msg"));
            let mut sealed = hexf(t, "ct");
            sealed.extend(hexf(t, "tag"));
            let opened = B::open(&key, iv, &aad, &sealed);
            match t["result"].as_str().unwrap() {
                "valid" => {
                    let mut out = Vec::new();
                    B::seal(&key, iv, &aad, &msg, &mut out).unwrap();
                    assert_eq!(out, sealed, "{} tcId {}", B::NAME, t["tcId"]);
                    assert_eq!(opened.unwrap().as_slice(), msg.as_slice());
                }
                "invalid" => assert!(opened.is_err(), "{} tcId {} opened", B::NAME, t["tcId"]),
                other => panic!("unexpected result {other}"),
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn ring_passes_wycheproof_aes_gcm() {
    assert_eq!(wycheproof::<super::ring_backend::Ring>(), 66);
}

#[test]
fn rustcrypto_passes_wycheproof_aes_gcm() {
    assert_eq!(wycheproof::<RustCrypto>(), 66);
}

/// Records of a CAVP `.rsp` file in sections with IVlen 96 and Taglen 128.
fn cavp_records(file: &str) -> Vec<Vec<(String, String)>> {
    let text = std::fs::read_to_string(vector_path(file)).unwrap();
    let (mut records, mut current, mut section_ok) = (Vec::new(), Vec::new(), false);
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            if line.starts_with("[IVlen") {
                section_ok = line == "[IVlen = 96]";
            } else if line.starts_with("[Taglen") {
                section_ok &= line == "[Taglen = 128]";
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            if !current.is_empty() && section_ok {
                records.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        current.push((k.trim().to_string(), v.trim().to_string()));
    }
    if !current.is_empty() && section_ok {
        records.push(current);
    }
    records
}

fn field(record: &[(String, String)], name: &str) -> Option<Vec<u8>> {
    record
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| hex::decode(v).unwrap())
}

fn cavp<B: Backend>() -> (usize, usize) {
    let (mut encrypted, mut decrypted) = (0, 0);
    for r in cavp_records("upstream/nist-cavp/gcmEncryptExtIV256.rsp") {
        let key = B::new_key(&field(&r, "Key").unwrap().try_into().unwrap()).unwrap();
        let mut expected = field(&r, "CT").unwrap();
        expected.extend(field(&r, "Tag").unwrap());
        let mut out = Vec::new();
        B::seal(
            &key,
            nonce(&field(&r, "IV").unwrap()),
            &field(&r, "AAD").unwrap(),
            &field(&r, "PT").unwrap(),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, expected);
        encrypted += 1;
    }
    for r in cavp_records("upstream/nist-cavp/gcmDecrypt256.rsp") {
        let key = B::new_key(&field(&r, "Key").unwrap().try_into().unwrap()).unwrap();
        let mut sealed = field(&r, "CT").unwrap();
        sealed.extend(field(&r, "Tag").unwrap());
        let opened = B::open(
            &key,
            nonce(&field(&r, "IV").unwrap()),
            &field(&r, "AAD").unwrap(),
            &sealed,
        );
        if r.iter().any(|(k, _)| k == "FAIL") {
            assert!(opened.is_err());
        } else {
            assert_eq!(
                opened.unwrap().as_slice(),
                field(&r, "PT").unwrap().as_slice()
            );
        }
        decrypted += 1;
    }
    (encrypted, decrypted)
}

#[test]
fn ring_passes_nist_cavp_gcm() {
    assert_eq!(cavp::<super::ring_backend::Ring>(), (375, 375));
}

#[test]
fn rustcrypto_passes_nist_cavp_gcm() {
    assert_eq!(cavp::<RustCrypto>(), (375, 375));
}

#[test]
fn backends_agree_on_random_inputs() {
    let ring = super::ring_backend::Ring::new_key(&[7; 32]).unwrap();
    let rc = RustCrypto::new_key(&[7; 32]).unwrap();
    for len in [0usize, 1, 15, 16, 17, 255, 4096, 65_537] {
        let pt: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let (mut a, mut b) = (vec![9u8], vec![9u8]);
        super::ring_backend::Ring::seal(&ring, [1; 12], b"aad", &pt, &mut a).unwrap();
        RustCrypto::seal(&rc, [1; 12], b"aad", &pt, &mut b).unwrap();
        assert_eq!(a, b, "len {len}");
        let opened = RustCrypto::open(&rc, [1; 12], b"aad", &a[1..]).unwrap();
        assert_eq!(opened.as_slice(), pt.as_slice());
    }
}

#[test]
fn active_backend_is_reported() {
    let backend = super::aes_backend();
    assert_eq!(backend.name(), "ring");
    assert!(backend.to_string().starts_with("ring ("));
}
