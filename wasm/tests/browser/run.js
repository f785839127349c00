// Runs in headless Chromium: the shared vectors, the WebCrypto path and the
// @hpke/core interop, through the installed package's browser entry point.
import * as enseal from '/node_modules/enseal/index.js';
import * as lean from '/node_modules/enseal/x25519.js';
import { runVectors, runAsyncPath, runX25519Entry, runJsonHelper } from '/tests/vectors.js';
import { runApi, runMisuse } from '/tests/checks.js';
import { runTemplateVectors, runRecords, runSessionAge } from '/tests/templates.js';
import { peerOpen, peerSession } from '/tests/hpke-peer.js';
import { runSigned } from '/tests/signed.js';

const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

async function interop(vectors) {
  const results = [];
  for (const suite of ['X25519', 'P-256']) {
    const v = vectors.suites.find((s) => s.suite === suite);
    const kp = enseal.KeyPair.fromJwk(v.private_jwk);
    const ring = new enseal.Keyring();
    ring.add(kp);
    const opener = new enseal.Opener(ring);
    const value = new TextEncoder().encode('E11.9 type 2 diabetes');
    const ctx = new TextEncoder().encode('patients/1/dx');
    const sealed = new enseal.Sealer(kp.publicKey).sealBinary(value, ctx);
    results.push(same(await peerOpen(suite, hex(v.private_key), sealed, ctx), value));
    const seal = await peerSession(suite, kp.publicKey.toBytes(), hex(v.kid_hex));
    results.push(same(opener.openBinary(await seal(value, ctx), ctx), value));
  }
  return results;
}

/** What a call before `await init()` throws, for a few entry points. */
function beforeInit() {
  return [() => enseal.KeyPair.generate(), () => new enseal.Keyring(), () => enseal.isSealed('x')].map((attempt) => {
    try {
      attempt();
      return 'did not throw';
    } catch (e) {
      return enseal.isEnsealError(e) ? `${e.code} ${/await init\(\)/.test(e.message)}` : `not an EnsealError: ${e}`;
    }
  });
}

async function main() {
  const early = beforeInit();
  await enseal.init();
  await enseal.init(); // idempotent
  const vectors = await (await fetch('/vectors/enseal-v1.json')).json();
  const templateVectors = await (await fetch('/vectors/context-templates.json')).json();
  const signedCases = await (await fetch('/signed-cases.json')).json();
  const report = {
    userAgent: navigator.userAgent,
    vectors: runVectors(enseal, vectors),
    asyncPath: await runAsyncPath(enseal, [0, 32 * 1024, 1 << 20]),
    interop: await interop(vectors),
    backend: enseal.aesBackend(),
    json: runJsonHelper(enseal),
    beforeInit: early,
    api: runApi(enseal),
    misuse: runMisuse(enseal),
    templates: runTemplateVectors(enseal, templateVectors),
    records: runRecords(enseal),
    sessionAge: await runSessionAge(enseal),
    signed: runSigned(enseal, signedCases),
  };
  await lean.init();
  report.x25519 = await runX25519Entry(enseal, lean, vectors);
  report.jsonX25519 = runJsonHelper(lean);
  report.apiX25519 = runApi(lean);
  report.misuseX25519 = runMisuse(lean);
  report.templatesX25519 = runTemplateVectors(lean, templateVectors);
  report.recordsX25519 = runRecords(lean);
  report.signedX25519 = runSigned(lean, signedCases);
  let bad = null;
  try {
    new enseal.Opener(new enseal.Keyring()).open('nope', 'c');
  } catch (e) {
    bad = { isEnsealError: enseal.isEnsealError(e), instanceOfError: e instanceof Error, code: e.code, errno: e.errno };
  }
  report.error = bad;
  return report;
}

main().then(
  (report) => {
    window.__report = report;
    document.getElementById('out').textContent = JSON.stringify(report, null, 1);
  },
  (e) => {
    window.__report = { crashed: `${e} ${e.stack}` };
  },
);
