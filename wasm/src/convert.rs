//! JavaScript values in and out: `string | Uint8Array` arguments, plain
//! objects through the engine's own JSON, suite names.

use crate::error::{JsResult, OrThrow, to_js};
use enseal_core::{Error, Suite};
use js_sys::{JSON, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// The bytes of a `string` (UTF-8) or a `Uint8Array` (copied).
pub(crate) fn bytes(value: &JsValue, message: &'static str) -> JsResult<Vec<u8>> {
    if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if let Some(array) = value.dyn_ref::<Uint8Array>() {
        Ok(array.to_vec())
    } else {
        Err(to_js(Error::InvalidArgument(message)))
    }
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

/// A suite by name; `undefined` means the default, X25519.
pub(crate) fn suite(name: Option<String>) -> JsResult<Suite> {
    match name {
        None => Ok(Suite::X25519),
        Some(name) => Suite::from_name(&name).or_throw(),
    }
}

/// Opened bytes as a string, refused when they are not UTF-8.
pub(crate) fn utf8(bytes: &[u8]) -> JsResult<String> {
    core::str::from_utf8(bytes).map(str::to_owned).map_err(|_| {
        to_js(Error::InvalidArgument(
            "opened value is not UTF-8 text; use openBytes",
        ))
    })
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
