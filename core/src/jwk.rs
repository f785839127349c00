//! JWK (RFC 7517) shapes: RFC 8037 `OKP` for X25519, `EC` for P-256, and the
//! `AKP` shape of draft-ietf-jose-pqc-kem style for X-Wing. Keysets add
//! `suite`, `created` and `not_after` members to the same object.

use crate::json::{self, Value};
use crate::{Error, KeyId, Result, Suite};
use base64ct::{Base64UrlUnpadded, Encoding};
use zeroize::{Zeroize, Zeroizing};

/// The members enseal reads and writes; others are ignored on reading.
#[derive(Default)]
pub(crate) struct Jwk {
    pub(crate) kty: String,
    pub(crate) crv: Option<String>,
    pub(crate) alg: Option<String>,
    pub(crate) kid: Option<String>,
    pub(crate) use_: Option<String>,
    pub(crate) x: Option<String>,
    pub(crate) y: Option<String>,
    pub(crate) pub_: Option<String>,
    pub(crate) d: Option<SecretMember>,
    pub(crate) priv_: Option<SecretMember>,
    pub(crate) suite: Option<String>,
    pub(crate) created: Option<u64>,
    pub(crate) not_after: Option<u64>,
}

/// A private-key member, wiped when the JWK is dropped.
#[derive(Default)]
pub(crate) struct SecretMember(String);

impl Drop for SecretMember {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

const XWING_ALG: &str = "X-Wing";

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn unb64(member: Option<&String>, len: usize, what: &'static str) -> Result<Zeroizing<Vec<u8>>> {
    let text = member.ok_or(Error::InvalidKey(what))?;
    let bytes =
        Zeroizing::new(Base64UrlUnpadded::decode_vec(text).map_err(|_| Error::InvalidKey(what))?);
    if bytes.len() != len {
        return Err(Error::InvalidKey(what));
    }
    Ok(bytes)
}

/// A JWK's JSON text; wiped on drop, as a private JWK's is secret.
pub(crate) fn to_json(jwk: &Jwk) -> Zeroizing<String> {
    json::to_string(&jwk.to_value())
}

pub(crate) fn from_json(text: &str) -> Result<Jwk> {
    let value = json::parse(text).map_err(|_| Error::InvalidKey("JWK is not valid JSON"))?;
    Jwk::from_value(&value).map_err(Error::InvalidKey)
}

/// The JWKs of a document's `"keys"` array (keysets and keyrings). `Ok(None)`
/// when the array is missing; an error naming the key for a bad JWK in it.
pub(crate) fn key_list(doc: &Value) -> core::result::Result<Option<Vec<Jwk>>, String> {
    let Some(Value::Array(keys)) = doc.get("keys") else {
        return Ok(None);
    };
    keys.iter()
        .enumerate()
        .map(|(i, key)| Jwk::from_value(key).map_err(|e| format!("keys[{i}]: {e}")))
        .collect::<core::result::Result<_, _>>()
        .map(Some)
}

/// `Ok(None)` for an absent member; the member's own error for one of
/// another type than `read` takes, `null` included (FORMAT.md §6: a known
/// member of the wrong type refuses the key; `"d": null` is no public key).
fn optional<'v, T>(
    object: &'v Value,
    (name, wrong_type): (&str, &'static str),
    read: impl Fn(&'v Value) -> Option<T>,
) -> core::result::Result<Option<T>, &'static str> {
    match object.get(name) {
        None => Ok(None),
        Some(value) => read(value).map(Some).ok_or(wrong_type),
    }
}

/// A member name with the error for a value of the wrong type or `null`.
macro_rules! member {
    ($name:literal, $kind:literal) => {
        (
            $name,
            concat!("JWK \"", $name, "\" must be ", $kind, " (null is refused)"),
        )
    };
}

impl Jwk {
    /// The JWK in a parsed JSON object; an error when it is not an object,
    /// `kty` is missing, or a member enseal reads has the wrong type.
    pub(crate) fn from_value(object: &Value) -> core::result::Result<Jwk, &'static str> {
        let Value::Object(_) = object else {
            return Err("a JWK must be a JSON object");
        };
        let text = |member| optional(object, member, |v| v.as_str().map(str::to_owned));
        let secret = |member| {
            optional(object, member, |v| {
                v.as_str().map(|s| SecretMember(s.to_owned()))
            })
        };
        let whole = |member| optional(object, member, Value::as_u64);
        Ok(Jwk {
            kty: text(member!("kty", "a string"))?.ok_or("JWK has no \"kty\"")?,
            crv: text(member!("crv", "a string"))?,
            alg: text(member!("alg", "a string"))?,
            kid: text(member!("kid", "a string"))?,
            use_: text(member!("use", "a string"))?,
            x: text(member!("x", "a string"))?,
            y: text(member!("y", "a string"))?,
            pub_: text(member!("pub", "a string"))?,
            d: secret(member!("d", "a string"))?,
            priv_: secret(member!("priv", "a string"))?,
            suite: text(member!("suite", "a string"))?,
            created: whole(member!("created", "a whole number of seconds"))?,
            not_after: whole(member!("not_after", "a whole number of seconds"))?,
        })
    }

    /// The JWK as a JSON object, members in a fixed order.
    pub(crate) fn to_value(&self) -> Value {
        let texts = [
            ("kty", Some(self.kty.as_str())),
            ("crv", self.crv.as_deref()),
            ("alg", self.alg.as_deref()),
            ("kid", self.kid.as_deref()),
            ("use", self.use_.as_deref()),
            ("x", self.x.as_deref()),
            ("y", self.y.as_deref()),
            ("pub", self.pub_.as_deref()),
            ("d", self.d.as_ref().map(|m| m.0.as_str())),
            ("priv", self.priv_.as_ref().map(|m| m.0.as_str())),
            ("suite", self.suite.as_deref()),
        ];
        let numbers = [("created", self.created), ("not_after", self.not_after)];
        let texts = texts
            .into_iter()
            .filter_map(|(name, v)| Some((name, Value::string(v?))));
        let numbers = numbers
            .into_iter()
            .filter_map(|(name, v)| Some((name, Value::Number(Zeroizing::new(v?.to_string())))));
        Value::Object(
            texts
                .chain(numbers)
                .map(|(n, v)| (n.to_owned(), v))
                .collect(),
        )
    }

    pub(crate) fn public(suite: Suite, pk: &[u8], kid: KeyId) -> Jwk {
        let mut jwk = Jwk {
            kid: Some(kid.to_string()),
            use_: Some("enc".into()),
            ..Jwk::default()
        };
        match suite {
            Suite::X25519 => {
                jwk.kty = "OKP".into();
                jwk.crv = Some("X25519".into());
                jwk.x = Some(b64(pk));
            }
            Suite::P256 => {
                jwk.kty = "EC".into();
                jwk.crv = Some("P-256".into());
                // SEC1 uncompressed: 0x04 || x || y
                let coords = pk.get(1..).unwrap_or_default();
                let (x, y) = coords.split_at(coords.len() / 2);
                jwk.x = Some(b64(x));
                jwk.y = Some(b64(y));
            }
            Suite::XWing => {
                jwk.kty = "AKP".into();
                jwk.alg = Some(XWING_ALG.into());
                jwk.pub_ = Some(b64(pk));
            }
        }
        jwk
    }

    pub(crate) fn with_private(mut self, suite: Suite, sk: &[u8]) -> Jwk {
        match suite {
            Suite::X25519 | Suite::P256 => self.d = Some(SecretMember(b64(sk))),
            Suite::XWing => self.priv_ = Some(SecretMember(b64(sk))),
        }
        self
    }

    fn suite(&self) -> Result<Suite> {
        if let Some(u) = &self.use_ {
            if u != "enc" {
                return Err(Error::InvalidKey("JWK \"use\" must be \"enc\""));
            }
        }
        let suite = match (self.kty.as_str(), self.crv.as_deref(), self.alg.as_deref()) {
            ("OKP", Some("X25519"), _) => Suite::X25519,
            ("EC", Some("P-256"), _) => Suite::P256,
            ("AKP", _, Some(XWING_ALG)) => Suite::XWing,
            ("OKP" | "EC", _, _) => {
                return Err(Error::InvalidKey(
                    "unsupported JWK curve (expected X25519 or P-256)",
                ));
            }
            ("AKP", _, _) => {
                return Err(Error::InvalidKey(
                    "unsupported AKP algorithm (expected X-Wing)",
                ));
            }
            _ => {
                return Err(Error::InvalidKey(
                    "unsupported JWK key type (expected OKP, EC or AKP)",
                ));
            }
        };
        if let Some(named) = &self.suite {
            if Suite::from_name(named).ok() != Some(suite) {
                return Err(Error::InvalidKey(
                    "JWK \"suite\" does not match its key type",
                ));
            }
        }
        Ok(suite)
    }

    /// The suite and serialized public key.
    pub(crate) fn public_part(&self) -> Result<(Suite, Zeroizing<Vec<u8>>)> {
        let suite = self.suite()?;
        let bytes = match suite {
            Suite::X25519 => unb64(
                self.x.as_ref(),
                32,
                "JWK \"x\" must be 32 bytes of base64url",
            )?,
            Suite::P256 => {
                let x = unb64(
                    self.x.as_ref(),
                    32,
                    "JWK \"x\" must be 32 bytes of base64url",
                )?;
                let y = unb64(
                    self.y.as_ref(),
                    32,
                    "JWK \"y\" must be 32 bytes of base64url",
                )?;
                let mut point = Zeroizing::new(Vec::with_capacity(65));
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                point
            }
            Suite::XWing => unb64(
                self.pub_.as_ref(),
                suite.public_key_len(),
                "JWK \"pub\" must be 1216 bytes of base64url",
            )?,
        };
        Ok((suite, bytes))
    }

    /// The name of the private-key member this JWK carries, if any.
    pub(crate) fn private_member(&self) -> Option<&'static str> {
        match (&self.d, &self.priv_) {
            (Some(_), _) => Some("d"),
            (None, Some(_)) => Some("priv"),
            (None, None) => None,
        }
    }

    /// The public part when the JWK has its public members (a private JWK may omit them).
    pub(crate) fn public_part_if_present(&self) -> Result<Option<(Suite, Zeroizing<Vec<u8>>)>> {
        let present = self.x.is_some() || self.y.is_some() || self.pub_.is_some();
        if present {
            self.public_part().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The suite and serialized private key.
    pub(crate) fn private_part(&self) -> Result<(Suite, Zeroizing<Vec<u8>>)> {
        let suite = self.suite()?;
        let bytes = match suite {
            Suite::X25519 | Suite::P256 => unb64(
                self.d.as_ref().map(|m| &m.0),
                32,
                "private JWK needs \"d\": 32 bytes of base64url",
            )?,
            Suite::XWing => unb64(
                self.priv_.as_ref().map(|m| &m.0),
                32,
                "private JWK needs \"priv\": 32 bytes of base64url",
            )?,
        };
        Ok((suite, bytes))
    }

    /// When the JWK names a kid, it must be the one computed from the key.
    pub(crate) fn check_kid(&self, computed: KeyId) -> Result<()> {
        match &self.kid {
            Some(kid) if kid.parse::<KeyId>()? != computed => Err(Error::InvalidKey(
                "JWK \"kid\" does not match the key's computed key id",
            )),
            _ => Ok(()),
        }
    }
}
