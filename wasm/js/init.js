// `init()` for one wasm build, shared by the browser entries.

/**
 * Returns `init(input?)` for the glue's default export: it loads and
 * instantiates the wasm module once; later calls return the same promise.
 */
export function initOnce(initWasm) {
  let ready;
  return (input) => {
    ready ??= initWasm(input === undefined ? undefined : { module_or_path: input });
    return ready.then(() => undefined);
  };
}
