//! The public keyset document a frontend fetches: several public keys with
//! their dates, and which one is primary. Sealers built from it seal to the primary.

use crate::clock::{Clock, SystemClock};
use crate::json::{self, Value};
use crate::jwk;
use crate::{Error, KeyId, PublicKey, Result};

/// One public key of a keyset, with its validity dates (Unix seconds, as JWT NumericDate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeysetEntry {
    key: PublicKey,
    created: u64,
    not_after: Option<u64>,
}

impl KeysetEntry {
    /// An entry. `not_after`, when given, must be later than `created`.
    pub fn new(key: PublicKey, created: u64, not_after: Option<u64>) -> Result<KeysetEntry> {
        if not_after.is_some_and(|end| end <= created) {
            return Err(Error::InvalidKeyset(format!(
                "key {}: not_after is not after created",
                key.kid()
            )));
        }
        Ok(KeysetEntry {
            key,
            created,
            not_after,
        })
    }

    /// The public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// When the key was created, in Unix seconds.
    pub fn created(&self) -> u64 {
        self.created
    }

    /// After this time (Unix seconds) nothing new may be sealed to the key; `None` means no end.
    pub fn not_after(&self) -> Option<u64> {
        self.not_after
    }

    /// True when the key may no longer be sealed to at time `now` (Unix seconds).
    pub fn is_expired_at(&self, now: u64) -> bool {
        self.not_after.is_some_and(|end| now > end)
    }
}

/// A set of recipient public keys, one of them primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyset {
    entries: Vec<KeysetEntry>,
    primary: KeyId,
}

impl Keyset {
    /// A keyset holding one key, which is primary.
    pub fn new(primary: KeysetEntry) -> Keyset {
        Keyset {
            primary: primary.key.kid(),
            entries: vec![primary],
        }
    }

    /// A keyset holding `key` as its primary, created at `created` (Unix
    /// seconds; `None`: now, from the system clock), sealable until
    /// `not_after` (`None`: no end).
    pub fn from_public_key(
        key: &PublicKey,
        created: Option<u64>,
        not_after: Option<u64>,
    ) -> Result<Keyset> {
        Ok(Keyset::new(entry(key, created, not_after)?))
    }

    /// Adds `key` (not primary), dated as in [`Keyset::from_public_key`]. A
    /// key already in the keyset is refused.
    pub fn add(
        &mut self,
        key: &PublicKey,
        created: Option<u64>,
        not_after: Option<u64>,
    ) -> Result<()> {
        self.add_entry(entry(key, created, not_after)?)
    }

    /// Adds an entry (not primary). A second key with the same key id is refused.
    pub fn add_entry(&mut self, entry: KeysetEntry) -> Result<()> {
        if self.get(&entry.key.kid()).is_some() {
            return Err(Error::InvalidKeyset(format!(
                "duplicate key id {}",
                entry.key.kid()
            )));
        }
        self.entries.push(entry);
        Ok(())
    }

    /// Makes the key with this id primary: sealers built from the keyset
    /// seal to it from now on.
    pub fn promote(&mut self, kid: &KeyId) -> Result<()> {
        if self.get(kid).is_none() {
            return Err(Error::InvalidKeyset(format!(
                "primary key id {kid} is not in the keyset"
            )));
        }
        self.primary = *kid;
        Ok(())
    }

    /// Removes the key with this id, so that no new value is sealed to it
    /// (its private key keeps opening old values from the keyring). The
    /// primary cannot be retired: promote another key first.
    pub fn retire(&mut self, kid: &KeyId) -> Result<()> {
        if *kid == self.primary {
            return Err(Error::InvalidKeyset(format!(
                "key {kid} is the primary: promote another key before retiring it"
            )));
        }
        let before = self.entries.len();
        self.entries.retain(|e| e.key.kid() != *kid);
        if self.entries.len() == before {
            return Err(Error::InvalidKeyset(format!("no key {kid} in the keyset")));
        }
        Ok(())
    }

    /// The key id of the primary key.
    pub fn primary_kid(&self) -> KeyId {
        self.primary
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Always false: a keyset holds at least its primary key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The primary entry.
    pub fn primary(&self) -> &KeysetEntry {
        // `new`, `set_primary` and `from_json` keep the primary in `entries`.
        self.get(&self.primary).unwrap_or_else(|| &self.entries[0])
    }

    /// The entry with this key id.
    pub fn get(&self, kid: &KeyId) -> Option<&KeysetEntry> {
        self.entries.iter().find(|e| e.key.kid() == *kid)
    }

    /// Checks, without any private key, that `text` is a field sealed to a
    /// key of this keyset that is not past its `not_after`, and returns it
    /// parsed: what a service that stores sealed fields (and holds no
    /// private key) checks before it accepts one. Errors: whatever
    /// [`Sealed::parse`] refuses (`BAD_PREFIX` for a clear value,
    /// `BAD_ENCODING`, `TRUNCATED`, `UNSUPPORTED_VERSION`,
    /// `UNSUPPORTED_SUITE`), then `UNKNOWN_KEY` for a key id not in this
    /// keyset (a prefix alone is not enough: anyone can seal to a key of
    /// their own), then `KEY_EXPIRED` for a key past its `not_after` (no
    /// sealer seals to it any more). Only opening checks the tag, so a value
    /// with a tampered body still passes here and fails `DECRYPT_FAILED`
    /// where it is opened. The time is the system clock's.
    ///
    /// [`Sealed::parse`]: crate::Sealed::parse
    pub fn check_sealed(&self, text: &str) -> Result<crate::Sealed> {
        self.check_sealed_at(text, SystemClock.now()?)
    }

    /// As [`Keyset::check_sealed`], at `now` (Unix seconds).
    pub fn check_sealed_at(&self, text: &str, now: u64) -> Result<crate::Sealed> {
        let sealed = crate::Sealed::parse(text)?;
        // A key id hashes its suite's kem_id (docs/FORMAT.md §2), so finding the
        // entry by kid also finds the suite.
        match self.get(&sealed.kid()) {
            None => Err(Error::UnknownKey(sealed.kid())),
            Some(entry) if entry.is_expired_at(now) => Err(Error::KeyExpired(sealed.kid())),
            Some(_) => Ok(sealed),
        }
    }

    /// Every entry, in document order.
    pub fn entries(&self) -> &[KeysetEntry] {
        &self.entries
    }

    /// Parses a keyset document (docs/FORMAT.md §6). Every key is validated:
    /// its kid must match the key, kids are unique, the primary exists, and
    /// no key carries a private member (`d`, `priv`).
    pub fn from_json(json: &str) -> Result<Keyset> {
        let shape =
            || Error::InvalidKeyset("expected {\"primary\": kid, \"keys\": [JWK, ...]}".into());
        let doc = json::parse(json).map_err(|_| shape())?;
        let primary = doc
            .get("primary")
            .and_then(Value::as_str)
            .ok_or_else(shape)?;
        let jwks = jwk::key_list(&doc)
            .map_err(Error::InvalidKeyset)?
            .ok_or_else(shape)?;
        let primary: KeyId = primary
            .parse()
            .map_err(|_| Error::InvalidKeyset("\"primary\" is not a key id".into()))?;
        let mut entries: Vec<KeysetEntry> = Vec::with_capacity(jwks.len());
        for (i, jwk) in jwks.iter().enumerate() {
            if let Some(member) = jwk.private_member() {
                return Err(Error::InvalidKeyset(format!(
                    "keys[{i}] holds a private key (\"{member}\"): a keyset is published \
                     to every sealer and must carry public keys only"
                )));
            }
            let key = PublicKey::from_jwk_struct(jwk).map_err(|e| e.in_entry(i))?;
            if jwk.kid.is_none() || jwk.suite.is_none() {
                return Err(Error::InvalidKeyset(format!(
                    "keys[{i}]: \"kid\" and \"suite\" are required"
                )));
            }
            let created = jwk.created.ok_or_else(|| {
                Error::InvalidKeyset(format!("keys[{i}]: \"created\" is required"))
            })?;
            let entry = KeysetEntry::new(key, created, jwk.not_after)?;
            if entries.iter().any(|e| e.key.kid() == entry.key.kid()) {
                return Err(Error::InvalidKeyset(format!(
                    "duplicate key id {}",
                    entry.key.kid()
                )));
            }
            entries.push(entry);
        }
        if !entries.iter().any(|e| e.key.kid() == primary) {
            return Err(Error::InvalidKeyset(format!(
                "primary key id {primary} is not in the keyset"
            )));
        }
        Ok(Keyset { entries, primary })
    }

    /// The keyset document as JSON text.
    pub fn to_json(&self) -> String {
        let keys = self
            .entries
            .iter()
            .map(|e| {
                let mut jwk = e.key.to_jwk_struct();
                jwk.suite = Some(e.key.suite().name().into());
                jwk.created = Some(e.created);
                jwk.not_after = e.not_after;
                jwk.to_value()
            })
            .collect();
        let doc = Value::Object(vec![
            ("primary".into(), Value::string(self.primary.to_string())),
            ("keys".into(), Value::Array(keys)),
        ]);
        json::public_text(json::to_string_pretty(&doc))
    }
}

/// An entry for `key`; `created: None` is now.
fn entry(key: &PublicKey, created: Option<u64>, not_after: Option<u64>) -> Result<KeysetEntry> {
    let created = match created {
        Some(at) => at,
        None => SystemClock.now()?,
    };
    KeysetEntry::new(key.clone(), created, not_after)
}
