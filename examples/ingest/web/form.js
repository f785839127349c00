// Seals the SSN and diagnosis in the browser, then POSTs JSON: the server,
// its logs and its database only ever see `enseal1.…` values.
// The clinic's keys are X25519, so the page loads the X25519-only build (~116 KB
// gzipped instead of ~147 KB); the main entry './enseal/index.js' has every suite.
import { init, Keyset, Sealer, SignerPins } from './enseal/x25519.js';

const SENSITIVE = ['/ssn', '/diagnosis'];
/** The highest keyset version this browser accepted: an older one is a rollback. */
const ACCEPTED_VERSION = 'enseal.keysetVersion';
const form = document.getElementById('intake');
const status = document.getElementById('status');
/** Set only once a signed keyset verified: until then nothing is sealed or sent. */
let sealer = null;

// Attached before anything else, so that a submission before (or without) a
// verified keyset never falls through to the browser's own form submission,
// which would send every field in the clear.
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sealer === null) return;
  const record = Object.fromEntries(new FormData(form));
  const recordId = crypto.randomUUID();
  // Each value is bound to its field and this record: it cannot be pasted elsewhere.
  const body = { recordId, patient: sealer.sealJson(record, SENSITIVE, recordId) };
  const response = await fetch('/intake', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  status.textContent = response.ok ? `submitted ${recordId}\n${JSON.stringify(body.patient, null, 1)}` : `failed: ${response.status}`;
});

async function start() {
  await init();
  // The signers are the page's configuration, not the keyset server's: whoever
  // serves keyset.jws (a CDN, a proxy) cannot substitute a key of its own.
  const pins = SignerPins.fromJwks(document.getElementById('keyset-signers').textContent);
  const jws = await (await fetch('/keyset.jws')).text();
  const accepted = Number(localStorage.getItem(ACCEPTED_VERSION) ?? 0);
  let verified;
  try {
    verified = Keyset.fromSigned(jws, pins, { minVersion: accepted });
  } catch (e) {
    status.textContent = `keyset refused: ${e.code ?? ''} ${e.message}\nnothing will be sealed or sent`;
    return;
  }
  localStorage.setItem(ACCEPTED_VERSION, String(Math.max(accepted, verified.version)));
  // The clinic publishes its public keyset; the private key never reaches the browser.
  sealer = Sealer.fromKeyset(verified.keyset);
  form.querySelector('button').disabled = false;
  status.textContent = `ready: sealing to key ${verified.keyset.primaryKid} (keyset version ${verified.version}, signed by ${verified.signer})`;
}

start().catch((e) => {
  status.textContent = `enseal failed to start: ${e.code ?? ''} ${e.message}`;
});
