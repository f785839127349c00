//! Context templates (docs/FORMAT.md §7.1), records sealed and opened with
//! them, and re-sealing for key rotation: each a translation of core's
//! `ContextTemplate`, `Sealer::seal_record*`, `Opener::open_record*`,
//! `Opener::reseal*`. Every rule (how a field renders, which pointers may be
//! sealed, what is already current) is core's.

use crate::{Opener, Result, Sealer};
use enseal_core as core_api;
use enseal_core::Context;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A parsed context template, e.g. `patients/{id}{pointer}`: the context of
/// each value of a record, from the record's own fields. Parse once, render
/// per value. Its text is the object's string form (`toString()` in Kotlin,
/// `description` in Swift).
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct ContextTemplate {
    pub(crate) inner: core_api::ContextTemplate,
}

impl fmt::Display for ContextTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.inner.as_str())
    }
}

#[uniffi::export]
impl ContextTemplate {
    /// Parses `template`; a malformed one is `InvalidTemplate`, naming the problem.
    #[uniffi::constructor]
    pub fn parse(template: String) -> Result<Arc<Self>> {
        Ok(Arc::new(ContextTemplate {
            inner: core_api::ContextTemplate::parse(&template)?,
        }))
    }

    /// The record fields the template reads, as written (`id`, `/patient/id`), in order.
    pub fn fields(&self) -> Vec<String> {
        self.inner.fields().into_iter().map(str::to_owned).collect()
    }

    /// Whether the template has `{pointer}` (gives each value of a record its own context).
    pub fn has_pointer(&self) -> bool {
        self.inner.has_pointer()
    }

    /// The context of the value at `pointer`, each field's text taken from
    /// `fields` (keyed by the field as written); a field `fields` lacks is
    /// `InvalidTemplate`.
    pub fn render(&self, pointer: String, fields: HashMap<String, String>) -> Result<Vec<u8>> {
        Ok(self
            .inner
            .render(&pointer, |name| fields.get(name).map(String::as_str))?
            .into_bytes())
    }

    /// The context of the value at `pointer` of the JSON record `record` (an object).
    pub fn render_json(&self, record: String, pointer: String) -> Result<Vec<u8>> {
        Ok(self.inner.render_json(&record, &pointer)?.into_bytes())
    }
}

/// What `Opener.reseal` did with one value.
#[derive(Debug, uniffi::Record)]
pub struct Resealed {
    /// The value to store: the new text form, or the original when it was current.
    pub text: String,
    /// True when the value was already on the target's key and was left as it is.
    pub already_current: bool,
}

/// A record after `Opener.reseal_record`: its JSON text and what was done.
#[derive(Debug, uniffi::Record)]
pub struct ResealedRecord {
    /// The record's JSON text, with the re-sealed values in place.
    pub json: String,
    /// Values sealed anew to the target key.
    pub resealed: u64,
    /// Values already on the target key, left as they are.
    pub already_current: u64,
}

impl From<core_api::ResealedRecord> for ResealedRecord {
    fn from(r: core_api::ResealedRecord) -> Self {
        ResealedRecord {
            json: r.json,
            resealed: r.resealed as u64,
            already_current: r.already_current as u64,
        }
    }
}

fn strs(pointers: &[String]) -> Vec<&str> {
    pointers.iter().map(String::as_str).collect()
}

#[uniffi::export]
impl Sealer {
    /// Seals the values at `pointers` of the JSON record `json`, each with
    /// the context `template` gives it and padded to a multiple of `pad_to`
    /// bytes (0: none).
    #[uniffi::method(default(pad_to = 16))]
    pub fn seal_record(
        &self,
        json: String,
        pointers: Vec<String>,
        template: Arc<ContextTemplate>,
        pad_to: u32,
    ) -> Result<String> {
        let json = Zeroizing::new(json);
        Ok(self.inner.seal_record_padded(
            &json,
            &strs(&pointers),
            &template.inner,
            pad_to as usize,
        )?)
    }
}

#[uniffi::export]
impl Opener {
    /// Opens exactly the values at `pointers` of the record `json`, sealed with `template`.
    pub fn open_record(
        &self,
        json: String,
        pointers: Vec<String>,
        template: Arc<ContextTemplate>,
    ) -> Result<String> {
        Ok(self
            .inner
            .open_record(&json, &strs(&pointers), &template.inner)?
            .as_str()
            .to_owned())
    }

    /// Opens every sealed string of the record `json`, with `template`'s contexts.
    pub fn open_record_all(&self, json: String, template: Arc<ContextTemplate>) -> Result<String> {
        Ok(self
            .inner
            .open_record_all(&json, &template.inner)?
            .as_str()
            .to_owned())
    }

    /// Re-seals the text-form `value` (sealed with `context`) to `to`'s key;
    /// a value already on that key is left as it is, decided from its key id
    /// without opening it. A value whose key is not in this opener's keyring
    /// is `UnknownKey`.
    pub fn reseal(&self, value: String, context: Vec<u8>, to: Arc<Sealer>) -> Result<Resealed> {
        let resealed = self
            .inner
            .reseal(&value, Context::bytes(&context), &to.inner)?;
        let already_current = resealed == core_api::Resealed::AlreadyCurrent;
        Ok(Resealed {
            text: resealed.into_text(&value),
            already_current,
        })
    }

    /// Re-seals to `to` the values at `pointers` of the record `json` (sealed
    /// with `template`), leaving those already on `to`'s key. All or nothing.
    pub fn reseal_record(
        &self,
        json: String,
        pointers: Vec<String>,
        template: Arc<ContextTemplate>,
        to: Arc<Sealer>,
    ) -> Result<ResealedRecord> {
        Ok(self
            .inner
            .reseal_record(&json, &strs(&pointers), &template.inner, &to.inner)?
            .into())
    }

    /// As `reseal_record`, for every sealed string of the record.
    pub fn reseal_record_all(
        &self,
        json: String,
        template: Arc<ContextTemplate>,
        to: Arc<Sealer>,
    ) -> Result<ResealedRecord> {
        Ok(self
            .inner
            .reseal_record_all(&json, &template.inner, &to.inner)?
            .into())
    }
}
