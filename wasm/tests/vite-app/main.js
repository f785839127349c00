// A page built by `vite build` with no configuration: the bare import and the
// .wasm asset must resolve through the package alone.
import { init, KeyPair, Keyring, Opener, Sealed, Sealer, isEnsealError } from 'enseal';
import * as lean from 'enseal/x25519';

async function main() {
  await init();
  const key = KeyPair.generate('P-256');
  const ring = new Keyring();
  ring.add(key);
  const sealed = new Sealer(key.publicKey).seal('078-05-1120', 'patients/1/ssn');
  const opened = new Opener(ring).openString(Sealed.parse(sealed), 'patients/1/ssn');
  let code = null;
  try {
    new Opener(ring).open(sealed, 'patients/2/ssn');
  } catch (e) {
    code = isEnsealError(e) ? e.code : String(e);
  }
  // The async methods live in a side-effect module the bundler must keep.
  const attachment = new Uint8Array(64 * 1024).fill(7);
  const sealedAttachment = await new Sealer(key.publicKey).sealBinaryAsync(attachment, 'patients/1/scan');
  const reopened = await new Opener(ring).openBinaryAsync(sealedAttachment, 'patients/1/scan');
  const attachmentOk = reopened.length === attachment.length && reopened.every((b) => b === 7);
  // The X25519-only entry and its own .wasm resolve through the package's exports too.
  await lean.init();
  const leanKey = lean.KeyPair.generate();
  const leanRing = new lean.Keyring();
  leanRing.add(leanKey);
  const leanSealed = await new lean.Sealer(leanKey.publicKey).sealAsync('E11.9', 'patients/1/dx');
  const x25519Ok = new lean.Opener(leanRing).openString(leanSealed, 'patients/1/dx') === 'E11.9';
  return { sealedPrefix: sealed.slice(0, 8), opened, code, attachmentOk, x25519Ok };
}

main().then(
  (r) => (window.__report = r),
  (e) => (window.__report = { crashed: String(e) }),
);
