//! Signed keysets: the public keyset document inside a JWS (RFC 7515 compact
//! serialization, one EdDSA/Ed25519 signature, RFC 8037), with a version and
//! an expiry, so that a client that pins the operator's signer keys can tell
//! the keyset it fetched from one a CDN, proxy or static host substituted.
//! docs/FORMAT.md §10 specifies the bytes; this module is that text in code.
//!
//! The verifier trusts nothing from the document before the signature
//! verifies under a pinned key: the header may only name the algorithm
//! (`EdDSA`, nothing else, so no `none` and no HMAC-with-a-public-key
//! confusion), the type and the signer's key id; a header that carries a key
//! (`jwk`, `jku`, `x5u`, `x5c`) or extensions (`crit`) is refused outright.

use crate::clock::{Clock, SystemClock};
use crate::json::{self, Value};
use crate::{Error, Keyset, Result, Sealer, rng};
use base64ct::{Base64UrlUnpadded, Encoding};
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The JWS `typ` header of a signed keyset (RFC 7515 §4.1.9).
const HEADER_TYP: &str = "enseal-keyset+jws";
/// The payload's `typ`: a payload signed for another purpose is no keyset.
const PAYLOAD_TYP: &str = "enseal-keyset";
/// The one JWS algorithm accepted (RFC 8037 §3.1).
const ALG: &str = "EdDSA";

/// Header members that would hand the verifier a key or an extension it
/// must understand: each is refused, as pins are the only source of keys.
const KEY_MEMBERS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// An Ed25519 public key as an RFC 8037 OKP JWK's `x`, with its RFC 7638 thumbprint.
#[derive(Clone, PartialEq, Eq)]
struct Signer {
    key: ed25519_dalek::VerifyingKey,
    kid: String,
}

impl Signer {
    fn new(key: ed25519_dalek::VerifyingKey) -> Signer {
        let x = b64(key.as_bytes());
        // RFC 7638 §3.2: the required members of an OKP key (RFC 8037 §2),
        // in lexicographic order, no whitespace. `x` is base64url, so
        // nothing in it needs JSON escaping.
        let canonical = format!("{{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"{x}\"}}");
        Signer {
            key,
            kid: b64(&Sha256::digest(canonical.as_bytes())),
        }
    }

    fn public_value(&self) -> Value {
        Value::Object(vec![
            ("kty".into(), Value::string("OKP")),
            ("crv".into(), Value::string("Ed25519")),
            ("x".into(), Value::string(b64(self.key.as_bytes()))),
            ("kid".into(), Value::string(self.kid.clone())),
        ])
    }
}

impl core::fmt::Debug for Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Signer").field(&self.kid).finish()
    }
}

/// An Ed25519 JWK's members, checked the same way for a signing key and a pin.
struct OkpJwk<'v> {
    x: Option<&'v str>,
    d: Option<&'v str>,
    kid: Option<&'v str>,
}

fn read_okp(jwk: &Value) -> Result<OkpJwk<'_>> {
    let Value::Object(_) = jwk else {
        return Err(Error::InvalidKey("a signer JWK must be a JSON object"));
    };
    let text = |name: &str, wrong: &'static str| match jwk.get(name) {
        None => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or(Error::InvalidKey(wrong)),
    };
    let kty = text("kty", "signer JWK \"kty\" must be a string")?;
    let crv = text("crv", "signer JWK \"crv\" must be a string")?;
    if kty != Some("OKP") || crv != Some("Ed25519") {
        return Err(Error::InvalidKey(
            "a signer JWK must be {\"kty\":\"OKP\",\"crv\":\"Ed25519\"} (RFC 8037)",
        ));
    }
    if !matches!(
        text("alg", "signer JWK \"alg\" must be a string")?,
        None | Some(ALG)
    ) {
        return Err(Error::InvalidKey("signer JWK \"alg\" must be \"EdDSA\""));
    }
    if !matches!(
        text("use", "signer JWK \"use\" must be a string")?,
        None | Some("sig")
    ) {
        return Err(Error::InvalidKey("signer JWK \"use\" must be \"sig\""));
    }
    Ok(OkpJwk {
        x: text("x", "signer JWK \"x\" must be a string")?,
        d: text("d", "signer JWK \"d\" must be a string")?,
        kid: text("kid", "signer JWK \"kid\" must be a string")?,
    })
}

fn decode_32(text: &str, what: &'static str) -> Result<Zeroizing<[u8; 32]>> {
    let mut out = Zeroizing::new([0u8; 32]);
    match Base64UrlUnpadded::decode(text, &mut *out) {
        Ok(bytes) if bytes.len() == 32 => Ok(out),
        _ => Err(Error::InvalidKey(what)),
    }
}

fn public_from_x(x: &str) -> Result<Signer> {
    let bytes = decode_32(x, "signer JWK \"x\" must be 32 bytes of base64url")?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| Error::InvalidKey("signer JWK \"x\" is not an Ed25519 public key"))?;
    if key.is_weak() {
        // A small-order key: signatures under it prove nothing.
        return Err(Error::InvalidKey(
            "signer JWK \"x\" is a weak (small-order) key",
        ));
    }
    Ok(Signer::new(key))
}

fn check_kid(named: Option<&str>, signer: &Signer) -> Result<()> {
    match named {
        Some(kid) if kid != signer.kid => Err(Error::InvalidKey(
            "signer JWK \"kid\" is not the key's RFC 7638 thumbprint",
        )),
        _ => Ok(()),
    }
}

/// An Ed25519 signing key (RFC 8032) for signing keysets, kept offline by the
/// operator. Its JWK form is RFC 8037's private OKP key. The secret is wiped
/// on drop and never shown by `Debug`.
pub struct SigningKey {
    secret: ed25519_dalek::SigningKey,
    public: Signer,
}

impl SigningKey {
    /// A new signing key from the platform's CSPRNG.
    pub fn generate() -> Result<SigningKey> {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng::fill(&mut *seed)?;
        Ok(SigningKey::from_seed(&seed))
    }

    fn from_seed(seed: &[u8; 32]) -> SigningKey {
        let secret = ed25519_dalek::SigningKey::from_bytes(seed);
        let public = Signer::new(secret.verifying_key());
        SigningKey { secret, public }
    }

    /// The key from its private JWK: `{"kty":"OKP","crv":"Ed25519","d":...}`
    /// (RFC 8037 §2). `x`, when present, must be the key's public half and
    /// `kid`, when present, its RFC 7638 thumbprint; `alg` may only be
    /// `EdDSA` and `use` only `sig`. Errors are `INVALID_KEY`.
    pub fn from_jwk(jwk: &str) -> Result<SigningKey> {
        let value =
            json::parse(jwk).map_err(|_| Error::InvalidKey("signer JWK is not valid JSON"))?;
        let okp = read_okp(&value)?;
        let d = okp.d.ok_or(Error::InvalidKey(
            "a private signer JWK needs \"d\": 32 bytes of base64url",
        ))?;
        let seed = decode_32(d, "signer JWK \"d\" must be 32 bytes of base64url")?;
        let key = SigningKey::from_seed(&seed);
        if let Some(x) = okp.x {
            if public_from_x(x)? != key.public {
                return Err(Error::InvalidKey(
                    "signer JWK \"x\" is not the public key of its \"d\"",
                ));
            }
        }
        check_kid(okp.kid, &key.public)?;
        Ok(key)
    }

    /// The private JWK, `{"kty","crv","x","kid","d"}`: secret text, wiped when dropped.
    pub fn to_jwk(&self) -> Zeroizing<String> {
        let mut value = self.public.public_value();
        if let Value::Object(members) = &mut value {
            let seed = Zeroizing::new(self.secret.to_bytes());
            members.push(("d".into(), Value::String(Zeroizing::new(b64(&*seed)))));
        }
        json::to_string(&value)
    }

    /// The public JWK, `{"kty":"OKP","crv":"Ed25519","x":...,"kid":...}`,
    /// what clients pin (in a [`SignerPins`] set).
    pub fn public_jwk(&self) -> String {
        json::public_text(json::to_string(&self.public.public_value()))
    }

    /// The key id: the RFC 7638 JWK thumbprint of the public key (base64url
    /// SHA-256 of `{"crv":"Ed25519","kty":"OKP","x":...}`), the JWS `kid`.
    pub fn kid(&self) -> String {
        self.public.kid.clone()
    }
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.public.kid)
            .finish_non_exhaustive()
    }
}

/// The signer public keys a client trusts to sign its keyset. Pin the new
/// key next to the old one before the operator switches signers, so that
/// rotation never strands a client.
#[derive(Clone, Debug)]
pub struct SignerPins {
    signers: Vec<Signer>,
}

impl SignerPins {
    /// The pins from a JWK set, `{"keys":[public OKP Ed25519 JWKs]}` (RFC
    /// 7517 §5). At least one key; none may hold `d` (the pin set is public);
    /// a `kid` given must be the key's RFC 7638 thumbprint; duplicates are
    /// refused. A bad set is `INVALID_KEYSET`, a bad key in it `INVALID_KEY`.
    pub fn from_jwks(jwks: &str) -> Result<SignerPins> {
        let shape = || Error::InvalidKeyset("signer pins: expected {\"keys\": [JWK, ...]}".into());
        let doc = json::parse(jwks).map_err(|_| shape())?;
        let Some(Value::Array(keys)) = doc.get("keys") else {
            return Err(shape());
        };
        if keys.is_empty() {
            return Err(Error::InvalidKeyset(
                "signer pins: the set holds no key, so nothing would verify".into(),
            ));
        }
        let mut signers: Vec<Signer> = Vec::with_capacity(keys.len());
        for (i, jwk) in keys.iter().enumerate() {
            let okp = read_okp(jwk)?;
            if okp.d.is_some() {
                return Err(Error::InvalidKeyset(format!(
                    "signer pins: keys[{i}] holds a private key (\"d\"): pin public keys only"
                )));
            }
            let x = okp.x.ok_or(Error::InvalidKey("a signer JWK needs \"x\""))?;
            let signer = public_from_x(x)?;
            check_kid(okp.kid, &signer)?;
            if signers.iter().any(|s| s.kid == signer.kid) {
                return Err(Error::InvalidKeyset(format!(
                    "signer pins: keys[{i}] is pinned twice"
                )));
            }
            signers.push(signer);
        }
        Ok(SignerPins { signers })
    }

    /// Number of pinned signers.
    pub fn len(&self) -> usize {
        self.signers.len()
    }

    /// Always false: a pin set holds at least one key.
    pub fn is_empty(&self) -> bool {
        self.signers.is_empty()
    }

    /// The key ids (RFC 7638 thumbprints) of the pinned signers, in set order.
    pub fn kids(&self) -> Vec<String> {
        self.signers.iter().map(|s| s.kid.clone()).collect()
    }

    fn get(&self, kid: &str) -> Option<&Signer> {
        self.signers.iter().find(|s| s.kid == kid)
    }
}

/// A keyset whose signature verified under a pinned signer, with the signed
/// version and expiry.
#[derive(Clone, Debug)]
pub struct VerifiedKeyset {
    keyset: Keyset,
    version: u64,
    expires: u64,
    signer: String,
}

impl VerifiedKeyset {
    /// The keyset document the signer signed.
    pub fn keyset(&self) -> &Keyset {
        &self.keyset
    }

    /// The signed version (≥ 1). A client that keeps state stores the
    /// highest it accepted and passes it as `min_version` next time.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The signed expiry (`exp`, Unix seconds): fetch a new keyset by then.
    pub fn expires(&self) -> u64 {
        self.expires
    }

    /// The key id (RFC 7638 thumbprint) of the pinned signer that signed it.
    pub fn signer(&self) -> &str {
        &self.signer
    }
}

impl Keyset {
    /// This keyset as a signed keyset (docs/FORMAT.md §10): a JWS compact
    /// serialization signed by `signer`, with `version` (≥ 1) and expiring at
    /// `expires` (Unix seconds, later than now). Issued now, by the system clock.
    pub fn sign(&self, signer: &SigningKey, version: u64, expires: u64) -> Result<String> {
        self.sign_at(signer, version, expires, SystemClock.now()?)
    }

    /// As [`Keyset::sign`], issued at `now` (Unix seconds) instead of the clock's time.
    pub fn sign_at(
        &self,
        signer: &SigningKey,
        version: u64,
        expires: u64,
        now: u64,
    ) -> Result<String> {
        if version == 0 {
            return Err(Error::InvalidArgument(
                "a signed keyset's version starts at 1",
            ));
        }
        if expires <= now {
            return Err(Error::InvalidArgument(
                "a signed keyset's expiry must be later than its issue time",
            ));
        }
        let keyset = json::parse(&self.to_json())
            .map_err(|_| Error::Internal("a keyset's own JSON does not parse"))?;
        let number = |n: u64| Value::Number(Zeroizing::new(n.to_string()));
        let payload = Value::Object(vec![
            ("typ".into(), Value::string(PAYLOAD_TYP)),
            ("version".into(), number(version)),
            ("iat".into(), number(now)),
            ("exp".into(), number(expires)),
            ("keyset".into(), keyset),
        ]);
        let header = Value::Object(vec![
            ("alg".into(), Value::string(ALG)),
            ("typ".into(), Value::string(HEADER_TYP)),
            ("kid".into(), Value::string(signer.public.kid.clone())),
        ]);
        let header = json::public_text(json::to_string(&header));
        let payload = json::public_text(json::to_string(&payload));
        let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let signature = signer.secret.sign(input.as_bytes());
        Ok(format!("{input}.{}", b64(&signature.to_bytes())))
    }

    /// Verifies a signed keyset (docs/FORMAT.md §10) against `pins`, now by
    /// the system clock. `min_version` is the highest version the caller
    /// accepted before (when it keeps state): a lower one is a rollback.
    ///
    /// Errors, in the order checked: `KEYSET_UNSIGNED` (not a compact JWS:
    /// say, the plain keyset JSON), `KEYSET_BAD_SIGNATURE` (a header other
    /// than `alg: EdDSA`, the type and a pinned `kid`, or a signature that
    /// does not verify), `INVALID_KEYSET` (a verified payload without a
    /// valid `typ`/`version`/`iat`/`exp`), `KEYSET_EXPIRED`,
    /// `KEYSET_ROLLBACK`, then `INVALID_KEYSET` for the keyset document itself.
    pub fn from_signed(
        jws: &str,
        pins: &SignerPins,
        min_version: Option<u64>,
    ) -> Result<VerifiedKeyset> {
        Keyset::from_signed_at(jws, pins, min_version, SystemClock.now()?)
    }

    /// As [`Keyset::from_signed`], with `now` (Unix seconds) instead of the clock's time.
    pub fn from_signed_at(
        jws: &str,
        pins: &SignerPins,
        min_version: Option<u64>,
        now: u64,
    ) -> Result<VerifiedKeyset> {
        let jws = Compact::split(jws)?;
        let header = jws.header()?;
        let signer = pins.get(&header.kid).ok_or(Error::KeysetBadSignature(
            "it is not by a pinned signer (\"kid\")",
        ))?;
        let payload = jws.verify(&signer.key)?;
        // Only from here on is the payload the signer's.
        let invalid = |what: &str| Error::InvalidKeyset(format!("signed keyset payload: {what}"));
        let text = core::str::from_utf8(&payload).map_err(|_| invalid("not UTF-8"))?;
        let doc = json::parse(text).map_err(|_| invalid("not valid JSON"))?;
        if doc.get("typ").and_then(Value::as_str) != Some(PAYLOAD_TYP) {
            return Err(invalid("\"typ\" must be \"enseal-keyset\""));
        }
        let whole = |name: &str| doc.get(name).and_then(Value::as_u64);
        let version = whole("version")
            .filter(|v| *v >= 1)
            .ok_or_else(|| invalid("\"version\" must be a whole number, at least 1"))?;
        let iat = whole("iat").ok_or_else(|| invalid("\"iat\" must be Unix seconds"))?;
        let expires = whole("exp").ok_or_else(|| invalid("\"exp\" must be Unix seconds"))?;
        if expires <= iat {
            return Err(invalid("\"exp\" is not after \"iat\""));
        }
        if now > expires {
            return Err(Error::KeysetExpired { expires });
        }
        if let Some(accepted) = min_version {
            if version < accepted {
                return Err(Error::KeysetRollback { version, accepted });
            }
        }
        let keyset = doc
            .get("keyset")
            .ok_or_else(|| invalid("no \"keyset\" member"))?;
        let keyset = Keyset::from_json(&json::to_string(keyset))?;
        Ok(VerifiedKeyset {
            keyset,
            version,
            expires,
            signer: signer.kid.clone(),
        })
    }
}

impl Sealer {
    /// A sealer on the primary key of a signed keyset that verifies under
    /// `pins` (as [`Keyset::from_signed`], now by the system clock), like
    /// [`Sealer::from_keyset`] on the verified keyset. Nothing is sealed to a
    /// keyset that does not verify.
    pub fn from_signed_keyset(
        jws: &str,
        pins: &SignerPins,
        min_version: Option<u64>,
    ) -> Result<Sealer> {
        let verified = Keyset::from_signed(jws, pins, min_version)?;
        Sealer::from_keyset(verified.keyset())
    }
}

/// The three parts of a JWS compact serialization (RFC 7515 §7.1).
struct Compact<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

/// The protected header's one member enseal uses, once the header passed the rules.
struct Header {
    kid: String,
}

impl<'a> Compact<'a> {
    /// Three base64url segments joined by two dots, the first not empty,
    /// surrounding ASCII whitespace aside (a served file may end in a
    /// newline); anything else is no JWS at all: `KEYSET_UNSIGNED`. An empty
    /// signature is a JWS still (RFC 7515's unsecured `alg: none` form),
    /// refused by the header rules as a bad signature.
    fn split(text: &'a str) -> Result<Compact<'a>> {
        let text = text.trim_ascii();
        let b64url = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let mut parts = text.split('.');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(header), Some(payload), Some(signature), None)
                if !header.is_empty() && b64url(header) && b64url(payload) && b64url(signature) =>
            {
                Ok(Compact {
                    header,
                    payload,
                    signature,
                })
            }
            _ => Err(Error::KeysetUnsigned),
        }
    }

    /// The protected header, held to docs/FORMAT.md §10's rules. Nothing in
    /// it is trusted: it only selects the pinned key to verify with.
    fn header(&self) -> Result<Header> {
        let bad = Error::KeysetBadSignature;
        let bytes = Base64UrlUnpadded::decode_vec(self.header)
            .map_err(|_| bad("its header is not base64url"))?;
        let text = String::from_utf8(bytes).map_err(|_| bad("its header is not UTF-8"))?;
        let doc = json::parse(&text).map_err(|_| bad("its header is not a JSON object"))?;
        let Value::Object(members) = &doc else {
            return Err(bad("its header is not a JSON object"));
        };
        if doc.get("alg").and_then(Value::as_str) != Some(ALG) {
            return Err(bad("its algorithm (\"alg\") is not EdDSA"));
        }
        if doc.get("crit").is_some() {
            return Err(bad(
                "its header names extensions (\"crit\"), which enseal refuses",
            ));
        }
        if KEY_MEMBERS.iter().any(|m| doc.get(m).is_some()) {
            return Err(bad(
                "its header carries a key (\"jwk\", \"jku\", \"x5u\" or \"x5c\"); signers come from the pins only",
            ));
        }
        if doc.get("typ").and_then(Value::as_str) != Some(HEADER_TYP) {
            return Err(bad("its type (\"typ\") is not \"enseal-keyset+jws\""));
        }
        if members
            .iter()
            .any(|(name, _)| !matches!(name.as_str(), "alg" | "typ" | "kid"))
        {
            return Err(bad("its header has members other than alg, typ and kid"));
        }
        let kid = doc
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(bad("its header names no signer (\"kid\")"))?;
        Ok(Header {
            kid: kid.to_owned(),
        })
    }

    /// Checks the signature over `header.payload` under `key` with
    /// `verify_strict` (no small-order keys or non-canonical `S`/`R`), and
    /// returns the decoded payload: the only way to read it. The payload's
    /// base64url is signed text, so decoding it is the signer's matter:
    /// a bad one is an invalid keyset, not a bad signature.
    fn verify(&self, key: &ed25519_dalek::VerifyingKey) -> Result<Vec<u8>> {
        let bad = Error::KeysetBadSignature;
        let mut sig = [0u8; 64];
        match Base64UrlUnpadded::decode(self.signature, &mut sig) {
            Ok(bytes) if bytes.len() == 64 => {}
            _ => return Err(bad("the signature is not 64 bytes of base64url")),
        }
        let signature = ed25519_dalek::Signature::from_bytes(&sig);
        let input_len = self.header.len() + 1 + self.payload.len();
        let mut input = String::with_capacity(input_len);
        input.push_str(self.header);
        input.push('.');
        input.push_str(self.payload);
        key.verify_strict(input.as_bytes(), &signature)
            .map_err(|_| bad("the signature does not verify under the pinned signer"))?;
        Base64UrlUnpadded::decode_vec(self.payload)
            .map_err(|_| Error::InvalidKeyset("signed keyset payload: not base64url".into()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::test_support::read_json;

    /// RFC 8037 A.1-A.4: the key, its thumbprint and the EdDSA JWS over
    /// "Example of Ed25519 signing", through the same primitives a signed
    /// keyset goes through.
    #[test]
    fn rfc8037_vector() {
        let v = read_json("upstream/jose/rfc8037-ed25519.json");
        let jws = v["jws"].as_str().unwrap();
        let public = public_from_x(v["public_jwk"]["x"].as_str().unwrap()).unwrap();
        assert_eq!(public.kid, v["thumbprint"].as_str().unwrap());

        let compact = Compact::split(jws).unwrap();
        let payload = compact.verify(&public.key).unwrap();
        assert_eq!(payload, v["payload"].as_str().unwrap().as_bytes());
        let header = Base64UrlUnpadded::decode_vec(compact.header).unwrap();
        assert_eq!(header, v["protected_header"].as_str().unwrap().as_bytes());

        // Ed25519 is deterministic: the private JWK re-signs the same bytes.
        let key = SigningKey::from_jwk(&v["private_jwk"].to_string()).unwrap();
        assert_eq!(key.kid(), v["thumbprint"].as_str().unwrap());
        let (input, signature) = jws.rsplit_once('.').unwrap();
        assert_eq!(
            b64(&key.secret.sign(input.as_bytes()).to_bytes()),
            signature
        );

        // One bit off anywhere in the signature and it no longer verifies.
        let mut sig = Base64UrlUnpadded::decode_vec(signature).unwrap();
        sig[17] ^= 0x04;
        let tampered = format!("{input}.{}", b64(&sig));
        assert!(matches!(
            Compact::split(&tampered).unwrap().verify(&public.key),
            Err(Error::KeysetBadSignature(_))
        ));

        // A valid JWS, but not a signed keyset: no typ, no kid.
        let pins = SignerPins::from_jwks(&format!("{{\"keys\":[{}]}}", v["public_jwk"])).unwrap();
        assert!(matches!(
            Keyset::from_signed_at(jws, &pins, None, 0),
            Err(Error::KeysetBadSignature(_))
        ));
    }

    /// docs/FORMAT.md §10's example, computed there independently (Python
    /// `cryptography`), is what this module signs: header, payload, key id
    /// and signature byte for byte.
    #[test]
    fn format_md_example() {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/FORMAT.md"))
                .unwrap();
        let section = &doc[doc.find("## 10. Signed keysets").unwrap()..];
        let after = section.split("one line in the file):\n").nth(1).unwrap();
        let expected: String = after.split("```").next().unwrap().lines().collect();

        let v = read_json("upstream/jose/rfc8037-ed25519.json");
        let signer = SigningKey::from_jwk(&v["private_jwk"].to_string()).unwrap();
        let pk: [u8; 32] = [
            0xa6, 0x03, 0x10, 0x63, 0xd1, 0xe7, 0xb8, 0xf0, 0xd1, 0x66, 0x03, 0xe8, 0x75, 0x8d,
            0x1c, 0x8f, 0xfe, 0x97, 0x79, 0x46, 0x8b, 0x09, 0xe0, 0x93, 0x98, 0x0a, 0xf6, 0x6f,
            0x01, 0x84, 0xa4, 0x41,
        ];
        let key = crate::PublicKey::from_bytes(crate::Suite::X25519, &pk).unwrap();
        let keyset = Keyset::from_public_key(&key, Some(1_764_547_200), None).unwrap();
        let jws = keyset
            .sign_at(&signer, 1, 1_767_139_200, 1_764_547_200)
            .unwrap();
        assert_eq!(jws, expected);

        let pins = SignerPins::from_jwks(&format!("{{\"keys\":[{}]}}", v["public_jwk"])).unwrap();
        let verified = Keyset::from_signed_at(&jws, &pins, Some(1), 1_767_139_200).unwrap();
        assert_eq!(verified.keyset(), &keyset);
        assert_eq!(verified.signer(), v["thumbprint"].as_str().unwrap());
    }
}
