//! core's `Error` as the JavaScript `EnsealError` class of `js/error.js`
//! (`code` = the stable name, `errno` = the stable number).

use enseal_core::Error;
use wasm_bindgen::prelude::*;

// A raw module path: the package puts the glue in `glue/` and this file next
// to the entry points, so the wrapper and the wasm module share one class.
#[wasm_bindgen(raw_module = "../error.js")]
extern "C" {
    #[wasm_bindgen(js_name = EnsealError)]
    type JsEnsealError;

    #[wasm_bindgen(constructor, js_class = "EnsealError")]
    fn new(code: &str, errno: u16, message: &str) -> JsEnsealError;
}

/// What every fallible export returns to JavaScript.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// The thrown `EnsealError` for a core error.
pub(crate) fn to_js(error: Error) -> JsValue {
    let code = error.code();
    JsEnsealError::new(code.name(), code.as_u16(), &error.to_string()).into()
}

/// `?` on core results inside exports.
pub(crate) trait OrThrow<T> {
    fn or_throw(self) -> JsResult<T>;
}

impl<T> OrThrow<T> for Result<T, Error> {
    fn or_throw(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}
