//! JavaScript values in and out: `string | Uint8Array` arguments, plain
//! objects through the engine's own JSON, suite names.

use crate::error::{JsResult, OrThrow, to_js};
use enseal_core::{Error, KeyId, Suite};
use js_sys::{JSON, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// The bytes of a `string` (UTF-8) or a `Uint8Array` (copied).
fn try_bytes(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(text) = value.as_string() {
        Some(text.into_bytes())
    } else {
        value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
    }
}

/// A `string` argument, refused with `message` when it is anything else.
pub(crate) fn string(value: &JsValue, message: &'static str) -> JsResult<String> {
    value
        .as_string()
        .ok_or_else(|| to_js(Error::InvalidArgument(message)))
}

/// [`try_bytes`], refused with `message`.
pub(crate) fn bytes(value: &JsValue, message: &'static str) -> JsResult<Vec<u8>> {
    try_bytes(value).ok_or_else(|| to_js(Error::InvalidArgument(message)))
}

/// Value `index` of a batch as bytes; refused as core refuses a batch value.
pub(crate) fn batch_bytes(
    index: usize,
    value: &JsValue,
    message: &'static str,
) -> JsResult<Vec<u8>> {
    try_bytes(value).ok_or_else(|| {
        to_js(Error::Batch {
            index,
            source: Box::new(Error::InvalidArgument(message)),
        })
    })
}

/// A batch's contexts: an array (one per value) or one context for all.
pub(crate) fn contexts(value: &JsValue, message: &'static str) -> JsResult<Vec<Vec<u8>>> {
    if !js_sys::Array::is_array(value) {
        return Ok(vec![bytes(value, message)?]);
    }
    js_sys::Array::from(value)
        .iter()
        .enumerate()
        .map(|(i, c)| batch_bytes(i, &c, message))
        .collect()
}

/// A JSON document given as an object (stringified here) or as JSON text.
pub(crate) fn json_text(value: &JsValue, message: &'static str) -> JsResult<String> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if !value.is_object() {
        return Err(to_js(Error::InvalidArgument(message)));
    }
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| to_js(Error::InvalidJson("value cannot be written as JSON")))
}

/// JSON text as a plain JavaScript value.
pub(crate) fn parse_json(text: &str) -> JsResult<JsValue> {
    JSON::parse(text).map_err(|_| to_js(Error::Internal("JSON produced by enseal did not parse")))
}

/// A result document in the form its input had: JSON text for text (an
/// NDJSON line stays a line, numbers as written), a plain value otherwise.
pub(crate) fn same_form(input: &JsValue, text: &str) -> JsResult<JsValue> {
    if input.is_string() {
        Ok(JsValue::from_str(text))
    } else {
        parse_json(text)
    }
}

/// A suite by name; `undefined` means the default, X25519.
pub(crate) fn suite(name: Option<String>) -> JsResult<Suite> {
    match name {
        None => Ok(Suite::X25519),
        Some(name) => Suite::from_name(&name).or_throw(),
    }
}

/// The bytes of a `Uint8Array` (copied); anything else is refused.
pub(crate) fn byte_array(value: &JsValue, message: &'static str) -> JsResult<Vec<u8>> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| to_js(Error::InvalidArgument(message)))
}

/// A key id given as its text (11 characters of base64url).
pub(crate) fn kid(text: &str) -> JsResult<KeyId> {
    text.parse().or_throw()
}

/// A plain object with these properties.
pub(crate) fn object(properties: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (name, value) in properties {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object.into()
}

/// The elements of a JavaScript array, refused when `value` is not one.
pub(crate) fn array(value: &JsValue, message: &'static str) -> JsResult<Vec<JsValue>> {
    if js_sys::Array::is_array(value) {
        Ok(js_sys::Array::from(value).to_vec())
    } else {
        Err(to_js(Error::InvalidArgument(message)))
    }
}

/// `options[name]` as a whole number of at least `min`, when present.
pub(crate) fn whole_option(
    options: Option<&js_sys::Object>,
    name: &str,
    min: f64,
    message: &'static str,
) -> JsResult<Option<u64>> {
    let Some(options) = options else {
        return Ok(None);
    };
    let value =
        js_sys::Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
    match value.as_f64() {
        Some(n) if n >= min && n <= MAX_SAFE_INTEGER && n.fract() == 0.0 => Ok(Some(n as u64)),
        _ => Err(to_js(Error::InvalidArgument(message))),
    }
}
