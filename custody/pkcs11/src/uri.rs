//! RFC 7512 `pkcs11:` URIs: the path attributes that select a token and an
//! object, the standard query attributes (`pin-source`, `pin-value`,
//! `module-path`), and enseal's own query attributes (`pool-size`,
//! `wait-ms`, and for wrapped keys `max-age`, `max-sessions`).

use enseal::{Error, Result};
use std::path::PathBuf;
use std::time::Duration;
use zeroize::Zeroizing;

/// The environment variable naming the PKCS#11 module when the URI has no `module-path`.
pub const MODULE_ENV: &str = "ENSEAL_PKCS11_MODULE";

/// The default number of sessions a key keeps open.
pub const DEFAULT_POOL_SIZE: usize = 2;
/// The default wait for a free session before an open is refused as busy.
pub const DEFAULT_WAIT: Duration = Duration::from_millis(2_000);

/// What kind of object the URI names (`type=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjectType {
    Private,
    Public,
    SecretKey,
}

/// A parsed `pkcs11:` URI. The PIN is held zeroized and never printed.
pub(crate) struct Pkcs11Uri {
    pub token: Option<String>,
    pub manufacturer: Option<String>,
    pub serial: Option<String>,
    pub model: Option<String>,
    pub slot_id: Option<u64>,
    pub object: Option<String>,
    pub id: Option<Vec<u8>>,
    pub object_type: Option<ObjectType>,
    pub module_path: PathBuf,
    pub pin: Option<Zeroizing<String>>,
    pub pool_size: usize,
    pub wait: Duration,
    /// Query attributes this module does not interpret itself, for the
    /// wrapped-key form (`max-age`, `max-sessions`): name, value.
    pub extra: Vec<(String, String)>,
}

impl std::fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Uri")
            .field("token", &self.token)
            .field("object", &self.object)
            .field("id", &self.id.as_ref().map(|id| hex_lower(id)))
            .field("type", &self.object_type)
            .field("module_path", &self.module_path)
            .field("pin", &self.pin.as_ref().map(|_| "[redacted]"))
            .field("pool_size", &self.pool_size)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

fn bad(what: impl Into<String>) -> Error {
    Error::InvalidKeyLocation(what.into())
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 3986 percent-decoding (RFC 7512 §2.3: attribute values are percent-encoded).
fn percent_decode(value: &str, name: &str) -> Result<Vec<u8>> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad(format!("pkcs11 URI: bad percent-encoding in {name}")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn text(value: &str, name: &str) -> Result<String> {
    String::from_utf8(percent_decode(value, name)?)
        .map_err(|_| bad(format!("pkcs11 URI: {name} is not UTF-8")))
}

/// Percent-encodes `value` for a `pkcs11:` path attribute (RFC 7512 §2.3:
/// everything but unreserved characters and a few sub-delimiters).
pub(crate) fn percent_encode(value: &[u8]) -> String {
    let mut out = String::new();
    for &b in value {
        if b.is_ascii_alphanumeric() || b"-._~:[]@!$'()*+,=".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Pkcs11Uri {
    /// Parses `uri`. `pin-source` files are read here; the module path
    /// falls back to `ENSEAL_PKCS11_MODULE`.
    pub fn parse(uri: &str) -> Result<Pkcs11Uri> {
        let rest = uri
            .strip_prefix("pkcs11:")
            .ok_or_else(|| bad("not a pkcs11: URI"))?;
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut parsed = Pkcs11Uri {
            token: None,
            manufacturer: None,
            serial: None,
            model: None,
            slot_id: None,
            object: None,
            id: None,
            object_type: None,
            module_path: PathBuf::new(),
            pin: None,
            pool_size: DEFAULT_POOL_SIZE,
            wait: DEFAULT_WAIT,
            extra: Vec::new(),
        };
        // RFC 7512 §2.3: an attribute appears at most once.
        let once = |name: &str, seen: &mut Vec<String>| -> Result<()> {
            if seen.iter().any(|n| n == name) {
                return Err(bad(format!("pkcs11 URI: attribute {name} is given twice")));
            }
            seen.push(name.to_string());
            Ok(())
        };
        let mut seen_names: Vec<String> = Vec::new();
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (name, value) = attr
                .split_once('=')
                .ok_or_else(|| bad(format!("pkcs11 URI: path attribute {attr:?} has no '='")))?;
            once(name, &mut seen_names)?;
            match name {
                "token" => parsed.token = Some(text(value, name)?),
                "manufacturer" => parsed.manufacturer = Some(text(value, name)?),
                "serial" => parsed.serial = Some(text(value, name)?),
                "model" => parsed.model = Some(text(value, name)?),
                "slot-id" => {
                    parsed.slot_id = Some(
                        value
                            .parse()
                            .map_err(|_| bad("pkcs11 URI: slot-id is not a number"))?,
                    )
                }
                "object" => parsed.object = Some(text(value, name)?),
                "id" => parsed.id = Some(percent_decode(value, name)?),
                "type" => {
                    parsed.object_type = Some(match value {
                        "private" => ObjectType::Private,
                        "public" => ObjectType::Public,
                        "secret-key" => ObjectType::SecretKey,
                        other => {
                            return Err(bad(format!(
                                "pkcs11 URI: type={other} (expected private, public or secret-key)"
                            )));
                        }
                    })
                }
                // Selectors of the library and slot that enseal does not match on:
                // refusing them beats silently matching a different object.
                other => {
                    return Err(bad(format!(
                        "pkcs11 URI: path attribute {other:?} is not supported"
                    )));
                }
            }
        }
        let mut module = None;
        // Query text is never echoed in an error: a PIN with an unencoded '&'
        // would split into attributes, and any of them could be part of it.
        for (position, attr) in query
            .unwrap_or("")
            .split('&')
            .filter(|a| !a.is_empty())
            .enumerate()
        {
            let (name, value) = attr.split_once('=').ok_or_else(|| {
                bad(format!(
                    "pkcs11 URI: query attribute {} has no '=' (percent-encode '&' and '=' in a PIN)",
                    position + 1
                ))
            })?;
            if matches!(name, "pin-value" | "pin-source")
                && seen_names
                    .iter()
                    .any(|n| n == "pin-value" || n == "pin-source")
            {
                return Err(bad("pkcs11 URI: give one PIN, pin-value or pin-source"));
            }
            if matches!(
                name,
                "module-path" | "pool-size" | "wait-ms" | "max-age" | "max-sessions"
            ) {
                once(name, &mut seen_names)?;
            } else if matches!(name, "pin-value" | "pin-source") {
                seen_names.push(name.to_string());
            }
            match name {
                "pin-value" => {
                    let pin = Zeroizing::new(percent_decode(value, name)?);
                    parsed.pin = Some(Zeroizing::new(
                        String::from_utf8(pin.to_vec())
                            .map_err(|_| bad("pkcs11 URI: pin-value is not UTF-8"))?,
                    ));
                }
                "pin-source" => {
                    let source = text(value, name)?;
                    let path = source.strip_prefix("file:").unwrap_or(&source);
                    let path = path.strip_prefix("//").unwrap_or(path);
                    let contents = Zeroizing::new(std::fs::read(path).map_err(|e| {
                        bad(format!("pkcs11 URI: pin-source {path}: {}", e.kind()))
                    })?);
                    let mut pin = Zeroizing::new(
                        String::from_utf8(contents.to_vec())
                            .map_err(|_| bad("pkcs11 URI: the pin-source file is not UTF-8"))?,
                    );
                    // A file written by `echo` ends with a newline that is not part of the PIN.
                    while pin.ends_with('\n') || pin.ends_with('\r') {
                        pin.pop();
                    }
                    parsed.pin = Some(pin);
                }
                "module-path" => module = Some(PathBuf::from(text(value, name)?)),
                "module-name" => {
                    return Err(bad(
                        "pkcs11 URI: module-name is not supported, give module-path",
                    ));
                }
                "pool-size" => {
                    parsed.pool_size = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or_else(|| bad("pkcs11 URI: pool-size must be 1 to 64"))?
                }
                "wait-ms" => {
                    parsed.wait = Duration::from_millis(
                        value
                            .parse()
                            .map_err(|_| bad("pkcs11 URI: wait-ms is not a number"))?,
                    )
                }
                "max-age" | "max-sessions" => {
                    parsed.extra.push((name.to_string(), text(value, name)?))
                }
                _ => {
                    return Err(bad(format!(
                        "pkcs11 URI: query attribute {} is not supported (module-path, pin-source, \
                         pin-value, pool-size, wait-ms; max-age, max-sessions for wrapped:)",
                        position + 1
                    )));
                }
            }
        }
        parsed.module_path = match module {
            Some(m) => m,
            None => std::env::var_os(MODULE_ENV).map(PathBuf::from).ok_or_else(|| {
                bad(format!(
                    "pkcs11 URI: no module-path= and {MODULE_ENV} is not set (which PKCS#11 library?)"
                ))
            })?,
        };
        Ok(parsed)
    }

    /// The URI without its query (no PIN, no module path): what a wrapped
    /// key file records about its wrapping key.
    pub fn path_only(uri: &str) -> &str {
        uri.split_once('?').map_or(uri, |(path, _)| path)
    }

    /// A description for messages: the token and object, never the PIN.
    pub fn describe(&self) -> String {
        let mut out = String::from("pkcs11:");
        let mut parts = Vec::new();
        if let Some(t) = &self.token {
            parts.push(format!("token={}", percent_encode(t.as_bytes())));
        }
        if let Some(o) = &self.object {
            parts.push(format!("object={}", percent_encode(o.as_bytes())));
        }
        if let Some(id) = &self.id {
            parts.push(format!("id={}", percent_encode(id)));
        }
        out.push_str(&parts.join(";"));
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_rfc7512_attributes_and_hides_the_pin() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=My%20Token;object=k1;id=%01%02;type=private?module-path=/x.so&pin-value=12%334&pool-size=3&wait-ms=5",
        )
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("My Token"));
        assert_eq!(uri.id.as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(uri.object_type, Some(ObjectType::Private));
        assert_eq!(uri.pin.as_deref().map(String::as_str), Some("1234"));
        assert_eq!((uri.pool_size, uri.wait), (3, Duration::from_millis(5)));
        let debug = format!("{uri:?}");
        assert!(
            !debug.contains("1234") && debug.contains("[redacted]"),
            "{debug}"
        );
        assert_eq!(
            uri.describe(),
            "pkcs11:token=My%20Token;object=k1;id=%01%02"
        );
    }

    #[test]
    fn malformed_uris_are_invalid_key_locations() {
        for uri in [
            "pkcs11:token=a;type=cert?module-path=/x",
            "pkcs11:token=a;library-manufacturer=x?module-path=/x",
            "pkcs11:token=a?module-path=/x&pool-size=0",
            "pkcs11:id=%zz?module-path=/x",
            "pkcs11:token=a?module-path=/x&unknown=1",
            "pkcs11:token=a?module-path=/x&pin-source=file:/nonexistent/pin",
            "file:/x",
            // RFC 7512: each attribute once; one PIN.
            "pkcs11:token=a;token=b?module-path=/x",
            "pkcs11:token=a?module-path=/x&module-path=/y",
            "pkcs11:token=a?module-path=/x&pin-value=1&pin-source=file:/p",
        ] {
            let err = Pkcs11Uri::parse(uri).unwrap_err();
            assert_eq!(
                err.code(),
                enseal::ErrorCode::InvalidArgument,
                "{uri}: {err}"
            );
        }
    }

    #[test]
    fn no_part_of_a_pin_with_an_unencoded_ampersand_is_echoed() {
        for uri in [
            "pkcs11:token=a?module-path=/x&pin-value=ab&cdSecret",
            "pkcs11:token=a?module-path=/x&pin-value=ab&cdSecret=ef",
        ] {
            let err = Pkcs11Uri::parse(uri).unwrap_err().to_string();
            assert!(!err.contains("cdSecret") && !err.contains("ab"), "{err}");
        }
    }
}
