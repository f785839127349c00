//! The benchmark's floor for a small field (`cargo xtask web-bench`, feature
//! `bench-baseline`, never in the package): bare AES-256-GCM in wasm, the
//! same RustCrypto `aes-gcm` core uses, over a value and an AAD handed in
//! from JavaScript and returned as a `Uint8Array`, with the key schedule done
//! once as a session does. What sealing costs beyond it is enseal's.

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit, Nonce};
use std::cell::Cell;
use wasm_bindgen::prelude::*;

/// AES-256-GCM with one key and a counter nonce.
#[wasm_bindgen(js_name = AesGcmBaseline, skip_typescript)]
pub struct AesGcmBaseline {
    cipher: Aes256Gcm,
    counter: Cell<u64>,
}

#[wasm_bindgen(js_class = AesGcmBaseline)]
impl AesGcmBaseline {
    /// A cipher for a 32-byte key.
    #[wasm_bindgen(constructor)]
    pub fn new(key: &[u8]) -> Result<AesGcmBaseline, JsError> {
        let cipher =
            Aes256Gcm::new_from_slice(key).map_err(|_| JsError::new("a key is 32 bytes"))?;
        Ok(AesGcmBaseline {
            cipher,
            counter: Cell::new(0),
        })
    }

    /// `ciphertext || tag` of `plaintext` with `aad`, under the next nonce.
    pub fn encrypt(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, JsError> {
        let n = self.counter.get();
        self.counter.set(n + 1);
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&n.to_be_bytes());
        // As core's backend: ciphertext written beside the input, then the tag.
        let mut out = Vec::with_capacity(plaintext.len() + 16);
        out.resize(plaintext.len(), 0);
        let buf = InOutBuf::new(plaintext, &mut out).map_err(|_| JsError::new("lengths"))?;
        let tag = self
            .cipher
            .encrypt_inout_detached(&Nonce::from(nonce), aad, buf)
            .map_err(|_| JsError::new("AES-GCM failed"))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }
}
