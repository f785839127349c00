/**
 * The stable error codes: the same names and numbers as core, C, Python,
 * Kotlin and Swift. Checked against core's list (`errorCodes()`, from
 * `ErrorCode::ALL`) by the package's tests, so none can be missing here.
 */
export type EnsealErrorCode =
  | 'INVALID_ARGUMENT' // 1
  | 'RANDOMNESS_UNAVAILABLE' // 2: no crypto.getRandomValues
  | 'INTERNAL' // 3: a bug in enseal, never caller misuse
  | 'BUFFER_TOO_SMALL' // 4: a caller's output buffer is too short (C's seal_into/open_into)
  | 'AUDIT_FAILED' // 5: an audit event could not be recorded (openers that audit: not in the browser)
  | 'BAD_PREFIX' // 100
  | 'BAD_ENCODING' // 101
  | 'TRUNCATED' // 102
  | 'TOO_LARGE' // 103
  | 'UNSUPPORTED_VERSION' // 104
  | 'UNSUPPORTED_SUITE' // 105
  | 'UNKNOWN_KEY' // 200
  | 'DECRYPT_FAILED' // 201: wrong key, wrong context or tampered data
  | 'KEY_UNAVAILABLE' // 202: the HSM or KMS holding the private key is unavailable (not in the browser)
  | 'INVALID_KEY' // 300
  | 'INVALID_KEYSET' // 301
  | 'KEY_EXPIRED' // 302
  | 'KEYSET_UNSIGNED' // 303: signers are pinned but the keyset is not a signed JWS
  | 'KEYSET_BAD_SIGNATURE' // 304: the keyset's signature does not verify under a pinned signer
  | 'KEYSET_EXPIRED' // 305: the signed keyset is past its expiry
  | 'KEYSET_ROLLBACK' // 306: the signed keyset is older than one already accepted
  | 'INVALID_JSON' // 400
  | 'INVALID_POINTER' // 401: not RFC 6901, `*` on an object, or overlapping pointers
  | 'PATH_NOT_FOUND' // 402
  | 'ALREADY_SEALED' // 403: already sealed, or a clear string starts with enseal1.
  | 'NOT_SEALED' // 404: a value openJson was told to open is not sealed
  | 'INVALID_TEMPLATE'; // 405: a context template is malformed, or a record lacks a field it names

/**
 * An enseal failure. Messages name what is wrong and where (a JSON Pointer,
 * a key id), never key material or plaintext.
 */
export declare class EnsealError extends Error {
  readonly name: 'EnsealError';
  /** Stable code name, e.g. `'DECRYPT_FAILED'`. */
  readonly code: EnsealErrorCode;
  /** Stable number of the code, e.g. `201`: the number C and uniffi bindings use. */
  readonly errno: number;
  /** For misuse the glue reports (a call before `init()`, a wrong class): its original error. */
  readonly cause?: unknown;
}

/** True when `value` is an {@link EnsealError}. */
export declare function isEnsealError(value: unknown): value is EnsealError;
