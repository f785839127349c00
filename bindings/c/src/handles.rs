//! The opaque handles and the functions on them. Each function checks its
//! arguments, calls core, and writes its result only on success.

use crate::memory::*;
use crate::status::{enseal_status, guard, produce};
use enseal_core::{KeyPair, Keyring, Keyset, Opener, PublicKey, Sealer, Suite};
use std::ffi::c_char;

/// Suite id of DHKEM(X25519, HKDF-SHA256): the default.
pub const ENSEAL_SUITE_X25519: u16 = 0x0020;
/// Suite id of DHKEM(P-256, HKDF-SHA256).
pub const ENSEAL_SUITE_P256: u16 = 0x0010;
/// Suite id of X-Wing (ML-KEM-768 + X25519), post-quantum hybrid.
pub const ENSEAL_SUITE_XWING: u16 = 0x647a;

/// A recipient key pair (private key included; wiped when freed).
pub struct enseal_keypair {
    inner: KeyPair,
}

/// A recipient public key.
pub struct enseal_public_key {
    inner: PublicKey,
}

/// A public keyset document: several public keys, one primary.
pub struct enseal_keyset {
    inner: Keyset,
}

/// Private keys by key id, for opening.
pub struct enseal_keyring {
    inner: Keyring,
}

/// Seals fields to one public key. Safe to use from many threads at once.
pub struct enseal_sealer {
    inner: Sealer,
}

/// Opens sealed fields with a keyring. Safe to use from many threads at once.
pub struct enseal_opener {
    inner: Opener,
}

// ---- key pairs -------------------------------------------------------------

/// Generates a fresh key pair of `suite` (ENSEAL_SUITE_*). Thread-safe.
///
/// # Safety
/// `out` must be valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_generate(
    suite: u16,
    out: *mut *mut enseal_keypair,
) -> enseal_status {
    let make = || {
        let inner = KeyPair::generate(Suite::from_kem_id(suite)?)?;
        Ok(new_handle(enseal_keypair { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A key pair from a serialized private key (32 bytes; the seed for X-Wing). Thread-safe.
///
/// # Safety
/// `key` must point to `key_len` readable bytes; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_from_private_bytes(
    suite: u16,
    key: *const u8,
    key_len: usize,
    out: *mut *mut enseal_keypair,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let key = unsafe { bytes_arg(key, key_len) }?;
        let inner = KeyPair::from_private_bytes(Suite::from_kem_id(suite)?, key)?;
        Ok(new_handle(enseal_keypair { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A key pair from a private JWK (NUL-terminated JSON). Thread-safe.
///
/// # Safety
/// `jwk` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_from_jwk(
    jwk: *const c_char,
    out: *mut *mut enseal_keypair,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = KeyPair::from_jwk(unsafe { str_arg(jwk) }?)?;
        Ok(new_handle(enseal_keypair { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The private JWK of a key pair. Secret: free it with enseal_string_free,
/// which wipes it. Thread-safe.
///
/// # Safety
/// `pair` must be a live key pair; `out_jwk` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_to_jwk(
    pair: *const enseal_keypair,
    out_jwk: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let pair = unsafe { handle(pair) }?;
        let text = secret_string_result(pair.inner.to_jwk())?;
        Ok(text)
    };
    // SAFETY: `produce` checks `out_jwk` for NULL before writing through it.
    unsafe { produce(out_jwk, make) }
}

/// The serialized private key (32 bytes). Secret: free with enseal_bytes_free. Thread-safe.
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_private_bytes(
    pair: *const enseal_keypair,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let pair = unsafe { handle(pair) }?;
        Ok(secret_bytes_result(pair.inner.private_bytes()))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A new handle to the public half of a key pair. Thread-safe.
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_public_key(
    pair: *const enseal_keypair,
    out: *mut *mut enseal_public_key,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let pair = unsafe { handle(pair) }?;
        let inner = pair.inner.public_key().clone();
        Ok(new_handle(enseal_public_key { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The key id (11 characters of base64url); free with enseal_string_free. Thread-safe.
///
/// # Safety
/// `pair` must be a live key pair; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_kid(
    pair: *const enseal_keypair,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let kid = string_result(unsafe { handle(pair) }?.inner.kid().to_string())?;
        Ok(kid)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Wipes and frees a key pair and sets `*pair` to NULL. NULL is allowed.
///
/// # Safety
/// `pair` must be NULL, or point to NULL or to a live key pair not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keypair_free(pair: *mut *mut enseal_keypair) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(pair) }
}

// ---- public keys -------------------------------------------------------------

/// A public key from its serialization (32, 65 or 1216 bytes by suite). Thread-safe.
///
/// # Safety
/// `key` must point to `key_len` readable bytes; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_from_bytes(
    suite: u16,
    key: *const u8,
    key_len: usize,
    out: *mut *mut enseal_public_key,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let key = unsafe { bytes_arg(key, key_len) }?;
        let inner = PublicKey::from_bytes(Suite::from_kem_id(suite)?, key)?;
        Ok(new_handle(enseal_public_key { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A public key from a JWK. Thread-safe.
///
/// # Safety
/// `jwk` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_from_jwk(
    jwk: *const c_char,
    out: *mut *mut enseal_public_key,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = PublicKey::from_jwk(unsafe { str_arg(jwk) }?)?;
        Ok(new_handle(enseal_public_key { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The public key as a JWK; free with enseal_string_free. Thread-safe.
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_to_jwk(
    key: *const enseal_public_key,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let text = string_result(unsafe { handle(key) }?.inner.to_jwk())?;
        Ok(text)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The serialized public key; free with enseal_bytes_free. Thread-safe.
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_bytes(
    key: *const enseal_public_key,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let bytes = unsafe { handle(key) }?.inner.as_bytes().to_vec();
        Ok(bytes_result(bytes))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The key id (11 characters of base64url); free with enseal_string_free. Thread-safe.
///
/// # Safety
/// `key` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_kid(
    key: *const enseal_public_key,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let kid = string_result(unsafe { handle(key) }?.inner.kid().to_string())?;
        Ok(kid)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Frees a public key and sets `*key` to NULL. NULL is allowed.
///
/// # Safety
/// `key` must be NULL, or point to NULL or to a live public key not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_public_key_free(key: *mut *mut enseal_public_key) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(key) }
}

// ---- keysets and keyrings ----------------------------------------------------

/// Parses and validates a public keyset document (docs/FORMAT.md §6). Thread-safe.
///
/// # Safety
/// `json` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_from_json(
    json: *const c_char,
    out: *mut *mut enseal_keyset,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Keyset::from_json(unsafe { str_arg(json) }?)?;
        Ok(new_handle(enseal_keyset { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// The keyset document as JSON; free with enseal_string_free. Thread-safe.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_to_json(
    keyset: *const enseal_keyset,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let text = string_result(unsafe { handle(keyset) }?.inner.to_json())?;
        Ok(text)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Frees a keyset and sets `*keyset` to NULL. NULL is allowed.
///
/// # Safety
/// `keyset` must be NULL, or point to NULL or to a live keyset not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyset_free(keyset: *mut *mut enseal_keyset) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(keyset) }
}

/// An empty keyring. Thread-safe.
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_new(out: *mut *mut enseal_keyring) -> enseal_status {
    let make = || {
        Ok(new_handle(enseal_keyring {
            inner: Keyring::new(),
        }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A keyring from a private JWK set `{"keys": [...]}`. Thread-safe.
///
/// # Safety
/// `jwks` must be a NUL-terminated string; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_from_jwks(
    jwks: *const c_char,
    out: *mut *mut enseal_keyring,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Keyring::from_jwks(unsafe { str_arg(jwks) }?)?;
        Ok(new_handle(enseal_keyring { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Adds a copy of `pair` to `keyring` (a duplicate key id is ENSEAL_INVALID_KEYSET).
/// Not thread-safe for the keyring: no other thread may use it during the call.
///
/// # Safety
/// `keyring` and `pair` must be live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_add(
    keyring: *mut enseal_keyring,
    pair: *const enseal_keypair,
) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        let pair = unsafe { handle(pair) }?;
        // SAFETY: the caller promises a live keyring used by no other thread now.
        let keyring = unsafe { keyring.as_mut() }.ok_or(invalid("a handle is NULL"))?;
        keyring.inner.add(pair.inner.clone())
    })
}

/// Number of keys in the keyring. Thread-safe unless keys are being added.
///
/// # Safety
/// `keyring` must be a live keyring; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_len(
    keyring: *const enseal_keyring,
    out: *mut usize,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let len = unsafe { handle(keyring) }?.inner.len();
        Ok(len)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Wipes and frees a keyring and sets `*keyring` to NULL. NULL is allowed.
///
/// # Safety
/// `keyring` must be NULL, or point to NULL or to a live keyring not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_keyring_free(keyring: *mut *mut enseal_keyring) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(keyring) }
}

// ---- sealing -------------------------------------------------------------------

/// A sealer for `recipient`. `field_limit` is the number of fields per session
/// before a fresh encapsulation (1 to 2^32), or 0 for the default (2^32). Thread-safe.
///
/// Fork-safe: a sealer used in a child after `fork()` starts a fresh session
/// there before its first field, so parent and child never share a (key,
/// nonce). A snapshot restore (VM clone, Lambda SnapStart, CRaC) duplicates
/// the process without a fork and cannot be detected: call
/// enseal_sealer_rekey right after restoring.
///
/// # Safety
/// `recipient` must be a live public key; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_new(
    recipient: *const enseal_public_key,
    field_limit: u64,
    out: *mut *mut enseal_sealer,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let recipient = &unsafe { handle(recipient) }?.inner;
        let inner = match field_limit {
            0 => Sealer::new(recipient)?,
            limit => Sealer::with_field_limit(recipient, limit)?,
        };
        Ok(new_handle(enseal_sealer { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// A sealer for the keyset's primary key. When that key has a `not_after`,
/// the clock is read before every seal (and every rekey or new session), and
/// each fails with ENSEAL_KEY_EXPIRED once it has passed, so a long-lived
/// sealer stops at the end of its key's cryptoperiod; this function also
/// refuses an already expired key. Thread-safe.
///
/// Fork-safe, and after a snapshot restore call enseal_sealer_rekey, as for
/// enseal_sealer_new.
///
/// # Safety
/// `keyset` must be a live keyset; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_from_keyset(
    keyset: *const enseal_keyset,
    out: *mut *mut enseal_sealer,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Sealer::from_keyset(&unsafe { handle(keyset) }?.inner)?;
        Ok(new_handle(enseal_sealer { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Seals `plaintext` bound to `context`; the binary sealed field goes to `out`
/// (free with enseal_bytes_free). Pointers may be NULL when their length is 0.
/// Thread-safe: many threads may seal with one sealer at once.
///
/// # Safety
/// Byte pointers must be readable for their lengths; `sealer` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal(
    sealer: *const enseal_sealer,
    plaintext: *const u8,
    plaintext_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (sealer, plaintext, context) = unsafe {
            (
                handle(sealer)?,
                bytes_arg(plaintext, plaintext_len)?,
                bytes_arg(context, context_len)?,
            )
        };
        let sealed = sealer.inner.seal(plaintext, context)?;
        Ok(bytes_result(sealed))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// As enseal_sealer_seal, returning the text form ("enseal1." + base64url);
/// free with enseal_string_free. Thread-safe.
///
/// # Safety
/// Byte pointers must be readable for their lengths; `sealer` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal_text(
    sealer: *const enseal_sealer,
    plaintext: *const u8,
    plaintext_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (sealer, plaintext, context) = unsafe {
            (
                handle(sealer)?,
                bytes_arg(plaintext, plaintext_len)?,
                bytes_arg(context, context_len)?,
            )
        };
        let text = string_result(sealer.inner.seal_text(plaintext, context)?)?;
        Ok(text)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Seals the values at `pointers` (RFC 6901 JSON Pointers, `*` over array
/// elements; `*` on an object and overlapping pointers are
/// ENSEAL_INVALID_POINTER) in the JSON document `json`; the sealed document
/// goes to `out` (free with enseal_string_free). Each value's JSON text is
/// padded with spaces to a multiple of 16 bytes before sealing, so that
/// `true` and `false` (and short values) seal to the same length; see
/// enseal_sealer_seal_json_padded for another bucket. A clear string that
/// starts with "enseal1." without being a sealed value is
/// ENSEAL_ALREADY_SEALED. `record_id` may be NULL. Thread-safe.
///
/// # Safety
/// `json` and each of the `pointer_count` entries of `pointers` must be
/// NUL-terminated strings; `record_id` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal_json(
    sealer: *const enseal_sealer,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    record_id: *const c_char,
    out: *mut *mut c_char,
) -> enseal_status {
    // SAFETY: forwarded from the function's contract.
    unsafe {
        enseal_sealer_seal_json_padded(
            sealer,
            json,
            pointers,
            pointer_count,
            record_id,
            enseal_core::DEFAULT_JSON_PADDING,
            out,
        )
    }
}

/// As enseal_sealer_seal_json, padding each value's JSON text with spaces to
/// a multiple of `pad_to` bytes: 0 or 1 for no padding, 16 is the default,
/// e.g. 64 to hide the length of names; more than 65536 is
/// ENSEAL_INVALID_ARGUMENT. Thread-safe.
///
/// # Safety
/// As enseal_sealer_seal_json.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_seal_json_padded(
    sealer: *const enseal_sealer,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    record_id: *const c_char,
    pad_to: usize,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (sealer, json, record_id, list) = unsafe {
            (
                handle(sealer)?,
                str_arg(json)?,
                opt_str_arg(record_id)?,
                pointer_list(pointers, pointer_count)?,
            )
        };
        let sealed = sealer
            .inner
            .seal_json_text_padded(json, &list, record_id, pad_to)?;
        string_result(sealed)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Starts a fresh session now (a new encapsulation): to separate batches, and
/// right after the process was restored from a snapshot (VM clone, Lambda
/// SnapStart, CRaC), which no sealer can detect. ENSEAL_KEY_EXPIRED once a
/// keyset sealer's key is past its not-after date. Thread-safe.
///
/// # Safety
/// `sealer` must be a live sealer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_rekey(sealer: *const enseal_sealer) -> enseal_status {
    guard(|| {
        // SAFETY: forwarded from the function's contract.
        unsafe { handle(sealer) }?.inner.rekey()
    })
}

/// The `count` NUL-terminated strings at `pointers`.
///
/// # Safety
/// `pointers` must be NULL (with `count` 0) or hold `count` readable entries,
/// each NULL or NUL-terminated.
unsafe fn pointer_list<'a>(
    pointers: *const *const c_char,
    count: usize,
) -> Result<Vec<&'a str>, enseal_core::Error> {
    if pointers.is_null() && count > 0 {
        return Err(invalid("the pointer array is NULL but its count is not 0"));
    }
    let mut list = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: the caller promises `count` readable entries.
        list.push(unsafe { str_arg(*pointers.add(i)) }?);
    }
    Ok(list)
}

/// Frees a sealer and sets `*sealer` to NULL. NULL is allowed.
///
/// # Safety
/// `sealer` must be NULL, or point to NULL or to a live sealer no thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_sealer_free(sealer: *mut *mut enseal_sealer) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(sealer) }
}

// ---- opening -------------------------------------------------------------------

/// An opener over a copy of `keyring`. Thread-safe.
///
/// # Safety
/// `keyring` must be a live keyring; `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_new(
    keyring: *const enseal_keyring,
    out: *mut *mut enseal_opener,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let inner = Opener::new(unsafe { handle(keyring) }?.inner.clone());
        Ok(new_handle(enseal_opener { inner }))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens a binary sealed field sealed with `context`; the plaintext goes to
/// `out` (free with enseal_bytes_free, which wipes it). Thread-safe.
///
/// # Safety
/// Byte pointers must be readable for their lengths; `opener` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open(
    opener: *const enseal_opener,
    sealed: *const u8,
    sealed_len: usize,
    context: *const u8,
    context_len: usize,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, sealed, context) = unsafe {
            (
                handle(opener)?,
                bytes_arg(sealed, sealed_len)?,
                bytes_arg(context, context_len)?,
            )
        };
        let plaintext = opener.inner.open(sealed, context)?;
        Ok(secret_bytes_result(plaintext))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens a sealed value in text form. Thread-safe.
///
/// # Safety
/// `text` must be NUL-terminated; `context` readable for `context_len`; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_text(
    opener: *const enseal_opener,
    text: *const c_char,
    context: *const u8,
    context_len: usize,
    out: *mut enseal_bytes,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, text, context) = unsafe {
            (
                handle(opener)?,
                str_arg(text)?,
                bytes_arg(context, context_len)?,
            )
        };
        let plaintext = opener.inner.open_text(text, context)?;
        Ok(secret_bytes_result(plaintext))
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens the values at `pointers` (the syntax of enseal_sealer_seal_json) in
/// the JSON document `json`, restoring each value's JSON type; the opened
/// document goes to `out` (free with enseal_string_free, which wipes it).
/// Exactly those values are opened: a value there that is not a sealed
/// string is ENSEAL_NOT_SEALED, and strings elsewhere stay as they are, so a
/// client cannot have a sealed value it planted in a clear field opened. This
/// is the way for servers. `record_id` may be NULL. Thread-safe.
///
/// # Safety
/// `json` and each of the `pointer_count` entries of `pointers` must be
/// NUL-terminated strings; `record_id` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_json(
    opener: *const enseal_opener,
    json: *const c_char,
    pointers: *const *const c_char,
    pointer_count: usize,
    record_id: *const c_char,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, json, record_id, list) = unsafe {
            (
                handle(opener)?,
                str_arg(json)?,
                opt_str_arg(record_id)?,
                pointer_list(pointers, pointer_count)?,
            )
        };
        secret_string_result(opener.inner.open_json_text(json, &list, record_id)?)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Opens every string that starts with "enseal1." in the JSON document
/// `json`, wherever it is; the opened document goes to `out` (free with
/// enseal_string_free, which wipes it). For tools that do not know the
/// document's schema; servers use enseal_opener_open_json. `record_id` may be
/// NULL. Thread-safe.
///
/// # Safety
/// `json` NUL-terminated; `record_id` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_open_json_all(
    opener: *const enseal_opener,
    json: *const c_char,
    record_id: *const c_char,
    out: *mut *mut c_char,
) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let (opener, json, record_id) =
            unsafe { (handle(opener)?, str_arg(json)?, opt_str_arg(record_id)?) };
        secret_string_result(opener.inner.open_json_text_all(json, record_id)?)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Wipes and frees an opener and sets `*opener` to NULL. NULL is allowed.
///
/// # Safety
/// `opener` must be NULL, or point to NULL or to a live opener no thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_opener_free(opener: *mut *mut enseal_opener) {
    // SAFETY: forwarded from the function's contract.
    unsafe { free_handle(opener) }
}

// ---- utilities -----------------------------------------------------------------

/// Writes whether `text` is a well-formed sealed value (no key needed). Thread-safe.
///
/// # Safety
/// `text` must be NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_is_sealed(text: *const c_char, out: *mut bool) -> enseal_status {
    let make = || {
        // SAFETY: forwarded from the function's contract.
        let sealed = enseal_core::is_sealed(unsafe { str_arg(text) }?);
        Ok(sealed)
    };
    // SAFETY: `produce` checks `out` for NULL before writing through it.
    unsafe { produce(out, make) }
}

/// Which AES-256-GCM implementation this build uses ("ring" or "aes-gcm", a
/// static string: never free it) and whether the CPU's AES instructions are in use. Thread-safe.
///
/// # Safety
/// `name` and `hardware` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn enseal_aes_backend(
    name: *mut *const c_char,
    hardware: *mut bool,
) -> enseal_status {
    guard(|| {
        out_arg(name)?;
        out_arg(hardware)?;
        let backend = enseal_core::aes_backend();
        let static_name: &'static [u8] = if backend.name() == "ring" {
            b"ring\0"
        } else {
            b"aes-gcm\0"
        };
        // SAFETY: both checked by out_arg.
        unsafe {
            write_out(name, static_name.as_ptr().cast());
            write_out(hardware, backend.hardware_accelerated());
        }
        Ok(())
    })
}
