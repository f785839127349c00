// `Opener.open` and `openString` take a `Sealed` as well as the text form. An
// exported Rust method takes one JavaScript type per argument, so a `Sealed`
// goes to the methods that take it (`_openSealed`, `_openSealedString`) and
// a string to the generated ones; everything else is refused by Rust.

/** Lets one glue module's Opener take a Sealed in `open` and `openString`. */
export function acceptSealed({ Opener, Sealed }) {
  for (const [name, viaSealed] of [
    ['open', '_openSealed'],
    ['openString', '_openSealedString'],
  ]) {
    const viaText = Opener.prototype[name];
    Object.defineProperty(Opener.prototype, name, {
      ...Object.getOwnPropertyDescriptor(Opener.prototype, name),
      value(sealed, context) {
        if (sealed instanceof Sealed) return this[viaSealed](sealed, context);
        if (isForeignSealed(sealed)) return viaText.call(this, sealed.toText(), context);
        return viaText.call(this, sealed, context);
      },
    });
  }
}

/**
 * A `Sealed` of the other entry: `enseal` and `enseal/x25519` are separate
 * wasm builds, so one's `Sealed` is not an instance of the other's; it opens
 * through its text form.
 */
export function isForeignSealed(value) {
  return (
    typeof value === 'object' &&
    value !== null &&
    value.constructor?.name === 'Sealed' &&
    typeof value.toText === 'function'
  );
}
