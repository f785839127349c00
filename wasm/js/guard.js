// Misuse that the generated glue reports with a plain JavaScript error becomes
// an EnsealError with a code, as every failure inside the wasm module is: a
// call before `await init()`, an object used after `free()`, an argument of
// the wrong class (`new Sealer('key')`). Only the failure path pays: a guarded
// method is the glue's method inside one try/catch.
import { EnsealError } from './error.js';

const misuse = (message, cause) => new EnsealError('INVALID_ARGUMENT', 1, message, cause);

/** The classes and functions of the public API, in the order of the `.d.ts`. */
export const CLASSES = ['ContextTemplate', 'KeyPair', 'Keyring', 'Keyset', 'Opener', 'PublicKey', 'Sealed', 'Sealer', 'SignerPins', 'VerifiedKeyset'];
export const FUNCTIONS = ['aesBackend', 'errorCodes', 'isSealed', 'jsonContext', 'version'];

/**
 * The public API of one glue module (one wasm build): each class behind a
 * proxy whose constructor, static methods, methods and getters throw
 * EnsealError, and each function likewise. The glue's own classes are kept
 * (objects the glue creates are instances of the exported classes).
 */
export function guarded(glue) {
  // Probed only once something failed: whichever way the module was loaded
  // (init(), the glue's initSync), a loaded module answers.
  const loaded = () => {
    try {
      glue.errorCodes();
      return true;
    } catch {
      return false;
    }
  };
  const className = (value) =>
    CLASSES.find((name) => glue[name] && value instanceof glue[name]) ?? 'object';

  function translate(error, self, args) {
    if (error instanceof EnsealError) return error;
    if (!loaded()) return misuse('enseal is not initialized: await init() before using it', error);
    const freed = [self, ...args].find((v) => v !== null && typeof v === 'object' && v.__wbg_ptr === 0);
    if (freed !== undefined) return misuse(`this ${className(freed)} was used after free()`, error);
    const expected = /^expected instance of (\w+)$/.exec(error?.message ?? '');
    if (expected) return misuse(`expected a ${expected[1]}`, error);
    if (error instanceof WebAssembly.RuntimeError) {
      return new EnsealError('INTERNAL', 3, 'enseal failed inside its wasm module (a bug: please report it)', error);
    }
    // Anything else the glue throws is about the arguments' JavaScript types.
    return misuse(`invalid argument: ${error?.message ?? String(error)}`, error);
  }

  const wrap = (fn) =>
    function guardedCall(...args) {
      try {
        return Reflect.apply(fn, this, args);
      } catch (e) {
        throw translate(e, this, args);
      }
    };

  function guardMembers(target) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(target))) {
      if (name === 'constructor' || name === 'prototype' || name.startsWith('__')) continue;
      if (typeof d.value === 'function') {
        Object.defineProperty(target, name, { ...d, value: wrap(d.value) });
      } else if (d.get) {
        Object.defineProperty(target, name, { ...d, get: wrap(d.get) });
      }
    }
  }

  const api = {};
  for (const name of CLASSES) {
    const cls = glue[name];
    guardMembers(cls);
    guardMembers(cls.prototype);
    api[name] = new Proxy(cls, {
      construct(target, args, newTarget) {
        try {
          return Reflect.construct(target, args, newTarget);
        } catch (e) {
          throw translate(e, undefined, args);
        }
      },
    });
  }
  for (const name of FUNCTIONS) api[name] = wrap(glue[name]);
  // The async methods' halves (webcrypto.js) are guarded with the rest.
  guardMembers(glue.WebCryptoJob.prototype);
  return api;
}
