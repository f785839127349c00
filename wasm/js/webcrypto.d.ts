// The async methods of `Sealer` and `Opener` (webcrypto.js), merged into each
// wasm build's classes by api-all.d.ts and api-x25519.d.ts.

/** A value or a context: a string is taken as its UTF-8 bytes (as the glue's `Bytes`). */
type Bytes = string | Uint8Array;

export interface AsyncSealer {
  /**
   * As `Sealer.seal` (the text form `enseal1.…`), but values of 2 KiB and
   * more are encrypted by WebCrypto (hardware AES) instead of wasm, without
   * being copied into wasm memory. Same format.
   */
  sealAsync(value: Bytes, context: Bytes): Promise<string>;
  /** As `Sealer.sealBinary`, with the WebCrypto path of {@link AsyncSealer.sealAsync}. */
  sealBinaryAsync(value: Bytes, context: Bytes): Promise<Uint8Array>;
}

/** `S` is the `Sealed` class of the same build. */
export interface AsyncOpener<S> {
  /**
   * As `Opener.open` (the text form, or a `Sealed`, to the plaintext's
   * bytes), but values of 2 KiB and more are decrypted by WebCrypto
   * (hardware AES) instead of wasm.
   */
  openAsync(sealed: string | S, context: Bytes): Promise<Uint8Array>;
  /** As `Opener.openBinary` (the binary form), with the WebCrypto path of {@link AsyncOpener.openAsync}. */
  openBinaryAsync(sealed: Uint8Array, context: Bytes): Promise<Uint8Array>;
}

/** Adds the async methods to the classes of one glue module (internal). */
export declare function installAsyncMethods(glue: object): void;
