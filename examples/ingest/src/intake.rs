//! What an intake submission must be before it is stored. The body is the
//! form's: `{"recordId": "…", "patient": {"name", "dob", "ssn", "diagnosis"}}`
//! with `ssn` and `diagnosis` sealed in the browser to the current keyset, as
//! a record with [`CONTEXT_TEMPLATE`] (docs/FORMAT.md §7.1): each value is
//! bound to its record id and its field.
//!
//! Every refusal names the field and what is wrong with it, never the value:
//! a refusal's message reaches logs and the client, and the value may be an
//! SSN typed in the clear.

use enseal::{ErrorCode, Keyset};
use serde_json::{Map, Value};

/// The fields the form seals, as JSON Pointers into `patient`. The service
/// accepts them only sealed to a key of the current keyset.
pub const PROTECTED: [&str; 2] = ["/ssn", "/diagnosis"];

/// The context template every protected value is sealed with, over the
/// whole submission (`{recordId}`, and `{pointer}`: `/patient/ssn`). It is
/// part of the stored data's contract: the pipeline opens with it, and key
/// rotation re-seals with it (`enseal reseal --context`). The service
/// cannot check it (it holds no private key); a value sealed with another
/// context is stored and fails `DECRYPT_FAILED` where it is opened.
pub const CONTEXT_TEMPLATE: &str = "intake/{recordId}{pointer}";

/// The pointers of the protected values in a submission, for the template.
pub const PROTECTED_IN_RECORD: [&str; 2] = ["/patient/ssn", "/patient/diagnosis"];

/// The padding the form seals with (`padTo`): a diagnosis's length shows
/// only in steps of this many bytes.
pub const PAD_TO: usize = 64;

/// A checked submission, ready to store.
#[derive(Clone, PartialEq, Eq)]
pub struct Intake {
    /// The form's record id (the idempotency key).
    pub record_id: String,
    /// The patient's name, in the clear (the form does not seal it).
    pub name: String,
    /// The date of birth, `YYYY-MM-DD`, in the clear.
    pub dob: String,
    /// The SSN, sealed (text form).
    pub ssn: String,
    /// The diagnosis, sealed (text form).
    pub diagnosis: String,
    /// The key id the protected fields are sealed to.
    pub kid: String,
}

impl std::fmt::Debug for Intake {
    // The clear fields are PII: never in a Debug print (and so not in a log).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("record_id", &self.record_id)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why a submission was refused. Client errors all: nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The body is not JSON (position only: serde's messages quote input).
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// A field is missing, of the wrong type, malformed or not expected.
    Field {
        /// The field, as a JSON Pointer into the body.
        field: String,
        /// What is wrong, in words.
        problem: &'static str,
    },
    /// A protected field is not sealed to a key of the current keyset.
    NotSealed {
        /// The field, as a JSON Pointer into the body.
        field: String,
        /// enseal's code: `BAD_PREFIX` (clear), `UNKNOWN_KEY`, `TRUNCATED`…
        code: ErrorCode,
        /// enseal's message (it never carries the value).
        message: String,
    },
    /// The protected fields are sealed to two different keys: a form seals
    /// a record with one sealer, so this is not one of its submissions.
    MixedKeys,
}

impl Refusal {
    /// The HTTP status: 400 for a body that is not an intake, 422 for an
    /// intake whose protected fields are not sealed as they must be.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Json { .. } | Refusal::Field { .. } => 400,
            Refusal::NotSealed { .. } | Refusal::MixedKeys => 422,
        }
    }

    /// A stable code for clients and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Json { .. } => "INVALID_JSON",
            Refusal::Field { .. } => "INVALID_FIELD",
            Refusal::NotSealed { code, .. } => code.name(),
            Refusal::MixedKeys => "MIXED_KEYS",
        }
    }

    /// The field it is about, if one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Refusal::Field { field, .. } | Refusal::NotSealed { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A sentence for the client and the log.
    pub fn message(&self) -> String {
        match self {
            Refusal::Json { line, column } => {
                format!("the body is not valid JSON (line {line}, column {column})")
            }
            Refusal::Field { field, problem } => format!("{field}: {problem}"),
            Refusal::NotSealed { field, message, .. } => {
                format!("{field} must be sealed to a key of the current keyset: {message}")
            }
            Refusal::MixedKeys => "the protected fields are sealed to different keys".into(),
        }
    }
}

fn field(pointer: &str, problem: &'static str) -> Refusal {
    Refusal::Field {
        field: pointer.to_string(),
        problem,
    }
}

/// Takes `name` out of `object` as a string of 1 to `max` characters.
fn string(
    object: &mut Map<String, Value>,
    name: &str,
    pointer: &str,
    max: usize,
) -> Result<String, Refusal> {
    match object.remove(name) {
        None => Err(field(pointer, "missing")),
        Some(Value::String(s)) if s.is_empty() => Err(field(pointer, "empty")),
        Some(Value::String(s)) if s.chars().count() > max => Err(field(pointer, "too long")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(field(pointer, "must be a string")),
    }
}

/// Whether `s` is shaped `YYYY-MM-DD`.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The record id: the form's `crypto.randomUUID()`, or any 1 to 64 of
/// `[A-Za-z0-9._-]` (it is also part of every sealed field's context).
fn is_record_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A submission's body as JSON; then [`check_parsed`] (two steps, so that
/// the service can time them apart).
pub fn parse(body: &[u8]) -> Result<Value, Refusal> {
    serde_json::from_slice(body).map_err(|e| Refusal::Json {
        line: e.line(),
        column: e.column(),
    })
}

/// Checks a parsed submission against `keyset`. Unknown members are refused
/// rather than dropped: a field the service does not know may be PHI that
/// was never sealed.
pub fn check_parsed(doc: Value, keyset: &Keyset) -> Result<Intake, Refusal> {
    fields(doc, |text| {
        keyset
            .check_sealed(text)
            .map(|value| value.kid().to_string())
            .map_err(|e| (e.code(), e.to_string()))
    })
}

/// The kid a plaintext-baseline row carries.
#[cfg(feature = "plaintext-baseline")]
pub const PLAINTEXT_KID: &str = "plaintext-baseline";

/// The load report's baseline only (feature `plaintext-baseline`, never in a
/// normal build): [`check_parsed`] with the sealed-field check left out, so
/// the protected fields may be clear. Everything else is checked the same.
#[cfg(feature = "plaintext-baseline")]
pub fn check_parsed_plaintext(doc: Value) -> Result<Intake, Refusal> {
    fields(doc, |_| Ok(PLAINTEXT_KID.to_string()))
}

/// `kid_of` says which key a protected field's text is sealed to, or why it
/// is not (enseal's code and message).
fn fields(
    doc: Value,
    kid_of: impl Fn(&str) -> Result<String, (ErrorCode, String)>,
) -> Result<Intake, Refusal> {
    let Value::Object(mut doc) = doc else {
        return Err(field("", "must be a JSON object"));
    };
    let record_id = string(&mut doc, "recordId", "/recordId", 64)?;
    if !is_record_id(&record_id) {
        return Err(field("/recordId", "must be 1 to 64 of A-Z a-z 0-9 . _ -"));
    }
    let mut patient = match doc.remove("patient") {
        None => return Err(field("/patient", "missing")),
        Some(Value::Object(p)) => p,
        Some(_) => return Err(field("/patient", "must be an object")),
    };
    if let Some(extra) = doc.keys().next() {
        return Err(Refusal::Field {
            field: format!("/{}", escape(extra)),
            problem: "not a field of an intake",
        });
    }
    let name = string(&mut patient, "name", "/patient/name", 200)?;
    let dob = string(&mut patient, "dob", "/patient/dob", 10)?;
    if !is_date(&dob) {
        return Err(field("/patient/dob", "must be a date, YYYY-MM-DD"));
    }
    // A sealed SSN is ~130 characters and a sealed diagnosis grows with it;
    // the body limit bounds both.
    let mut sealed = Vec::with_capacity(PROTECTED.len());
    for pointer in PROTECTED {
        let path = format!("/patient{pointer}");
        let text = match patient.remove(&pointer[1..]) {
            None => {
                return Err(Refusal::Field {
                    field: path,
                    problem: "missing",
                });
            }
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(Refusal::Field {
                    field: path,
                    problem: "must be a sealed string",
                });
            }
        };
        match kid_of(&text) {
            Ok(kid) => sealed.push((text, kid)),
            Err((code, message)) => {
                return Err(Refusal::NotSealed {
                    field: path,
                    code,
                    message,
                });
            }
        }
    }
    if let Some(extra) = patient.keys().next() {
        return Err(Refusal::Field {
            field: format!("/patient/{}", escape(extra)),
            problem: "not a field of an intake",
        });
    }
    let kid = sealed[0].1.clone();
    if sealed.iter().any(|(_, k)| *k != kid) {
        return Err(Refusal::MixedKeys);
    }
    let mut sealed = sealed.into_iter().map(|(text, _)| text);
    let (Some(ssn), Some(diagnosis)) = (sealed.next(), sealed.next()) else {
        return Err(field("/patient", "missing a protected field"));
    };
    Ok(Intake {
        record_id,
        name,
        dob,
        ssn,
        diagnosis,
        kid,
    })
}

/// A member name as a JSON Pointer token (RFC 6901), cut to 64 characters:
/// it came from the client and goes into a message.
fn escape(name: &str) -> String {
    name.chars()
        .take(64)
        .collect::<String>()
        .replace('~', "~0")
        .replace('/', "~1")
}
