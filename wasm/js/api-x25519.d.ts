// The public API over the glue-x25519/ wasm build: the generated declarations, with
// the async methods of webcrypto.d.ts merged into Sealer and Opener.
import type { AsyncOpener, AsyncSealer } from './webcrypto.js';
import type { Sealed } from './glue-x25519/enseal.js';

declare module './glue-x25519/enseal.js' {
  interface Sealer extends AsyncSealer {}
  interface Opener extends AsyncOpener<Sealed> {}
}

export { ContextTemplate, KeyPair, Keyring, Keyset, Opener, PublicKey, Sealed, Sealer, SignerPins, VerifiedKeyset, aesBackend, errorCodes, isSealed, jsonContext, version } from './glue-x25519/enseal.js';
export type { AesBackend, Bytes, KeysetEntry, SessionLimits, SuiteName } from './glue-x25519/enseal.js';
export { EnsealError, isEnsealError, type EnsealErrorCode } from './error.js';
