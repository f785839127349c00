// A page built by `vite build` with no configuration: the bare import and the
// .wasm asset must resolve through the package alone.
import { init, KeyPair, Keyring, Opener, Sealer, isEnsealError } from 'enseal';

async function main() {
  await init();
  const key = KeyPair.generate('P-256');
  const ring = new Keyring();
  ring.add(key);
  const sealed = new Sealer(key.publicKey).seal('078-05-1120', 'patients/1/ssn');
  const opened = new Opener(ring).open(sealed, 'patients/1/ssn');
  let code = null;
  try {
    new Opener(ring).open(sealed, 'patients/2/ssn');
  } catch (e) {
    code = isEnsealError(e) ? e.code : String(e);
  }
  return { sealedPrefix: sealed.slice(0, 8), opened, code };
}

main().then(
  (r) => (window.__report = r),
  (e) => (window.__report = { crashed: String(e) }),
);
