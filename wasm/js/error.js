// The one error class of enseal in JavaScript. The wasm module constructs it
// (see src/error.rs), so every failure is an EnsealError with a stable `code`.

/** An enseal failure. `code` is stable across versions and languages. */
export class EnsealError extends Error {
  constructor(code, errno, message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EnsealError';
    this.code = code;
    this.errno = errno;
  }
}

/** True when `value` is an EnsealError (a type guard in TypeScript). */
export function isEnsealError(value) {
  return value instanceof EnsealError;
}
