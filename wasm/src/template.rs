//! `ContextTemplate`: the context of each value of a record, from a template
//! over the record's own fields (docs/FORMAT.md §7.1). Parsing, rendering and
//! their rules are core's; this file converts JavaScript values.

use crate::convert;
use crate::error::{JsResult, OrThrow, to_js};
use enseal_core as core_api;
use enseal_core::Error;
use js_sys::{Map, Object, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A parsed context template such as `'patients/{id}{pointer}'`: `{pointer}`
/// is the JSON Pointer of the value, `{name}` a top-level field of the
/// record, `{/a/b}` the field at that pointer, `{{` and `}}` literal braces.
/// Parse once, then seal and open records with it
/// ({@link Sealer.sealRecord}, {@link Opener.openRecord}); the same rule in
/// every language, so a record sealed here opens anywhere.
#[wasm_bindgen]
pub struct ContextTemplate {
    pub(crate) inner: core_api::ContextTemplate,
}

#[wasm_bindgen]
impl ContextTemplate {
    /// Parses `template`; a malformed one (an unclosed `{`, a lone `}`, an
    /// empty `{}`, a `{/…}` that is not a JSON Pointer) throws
    /// `INVALID_TEMPLATE` saying which and where.
    pub fn parse(template: &str) -> JsResult<ContextTemplate> {
        Ok(ContextTemplate {
            inner: core_api::ContextTemplate::parse(template).or_throw()?,
        })
    }

    /// The context (its UTF-8 bytes, for {@link Opener.open} and
    /// {@link Sealer.seal}) of the value at JSON Pointer `pointer`, with the
    /// record's fields given by name as the template writes them (`id`,
    /// `'/patient/id'`), in an object or a `Map`: a string as it is, a number
    /// as JavaScript writes it, `true`/`false` (enseal escapes `~` and `/`).
    /// A field the template reads that is absent, `null` or `undefined`
    /// throws `INVALID_TEMPLATE` naming it; another type of value,
    /// `INVALID_ARGUMENT`.
    pub fn render(
        &self,
        pointer: &str,
        #[wasm_bindgen(
            unchecked_param_type = "Record<string, string | number | boolean> | Map<string, string | number | boolean>"
        )]
        fields: JsValue,
    ) -> JsResult<Uint8Array> {
        if !fields.is_object() {
            return Err(to_js(Error::InvalidArgument(
                "the fields must be an object or a Map",
            )));
        }
        // The fields' text first (JavaScript values to strings), then core's rendering.
        let names = self.inner.fields();
        let mut texts: Vec<(&str, Option<String>)> = Vec::with_capacity(names.len());
        for name in names {
            texts.push((name, field_text(&fields, name)?));
        }
        let context = self
            .inner
            .render(pointer, |name| {
                texts
                    .iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, text)| text.as_deref())
            })
            .or_throw()?;
        Ok(Uint8Array::from(context.as_bytes()))
    }

    /// The context of the value at JSON Pointer `pointer` of `record` (an
    /// object, or JSON text such as an NDJSON line), its fields read from the
    /// record: a missing field, `null`, an object or an array throws
    /// `INVALID_TEMPLATE` naming the field.
    #[wasm_bindgen(js_name = renderJson)]
    pub fn render_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object | string")] record: JsValue,
        pointer: &str,
    ) -> JsResult<Uint8Array> {
        let text = convert::json_text(&record, "a record must be an object or JSON text")?;
        let context = self.inner.render_json(&text, pointer).or_throw()?;
        Ok(Uint8Array::from(context.as_bytes()))
    }

    /// The template as it was written.
    #[wasm_bindgen(getter)]
    pub fn text(&self) -> String {
        self.inner.as_str().to_owned()
    }

    /// The record fields the template reads, as written, in order
    /// (`{pointer}` is not one).
    #[wasm_bindgen(getter)]
    pub fn fields(&self) -> Vec<String> {
        self.inner.fields().into_iter().map(str::to_owned).collect()
    }

    /// Whether the template has `{pointer}`, giving each value of a record its
    /// own context (sealing two or more values of a record with a template
    /// without it throws `INVALID_TEMPLATE`).
    #[wasm_bindgen(getter, js_name = hasPointer)]
    pub fn has_pointer(&self) -> bool {
        self.inner.has_pointer()
    }
}

/// Field `name` of an object or Map, as text; `None` when it is absent,
/// `null` or `undefined`.
fn field_text(fields: &JsValue, name: &str) -> JsResult<Option<String>> {
    let key = JsValue::from_str(name);
    let value = if let Some(map) = fields.dyn_ref::<Map>() {
        map.get(&key)
    } else {
        // Own properties only: `{constructor}` is not Object's constructor.
        let object: &Object = fields.unchecked_ref();
        if !Object::has_own(object, &key) {
            return Ok(None);
        }
        js_sys::Reflect::get(fields, &key).unwrap_or(JsValue::UNDEFINED)
    };
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Some(flag.to_string()));
    }
    if let Some(number) = value.as_f64().filter(|n| n.is_finite()) {
        let written = js_sys::Number::from(number)
            .to_string_with_radix(10)
            .ok()
            .and_then(|s| s.as_string());
        if let Some(written) = written {
            return Ok(Some(written));
        }
    }
    Err(to_js(Error::InvalidArgument(
        "a field's value must be a string, a finite number or a boolean",
    )))
}
