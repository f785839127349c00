// Seals the SSN and diagnosis in the browser, then POSTs JSON: the server,
// its logs and its database only ever see `enseal1.…` values.
// The clinic's keys are X25519, so the page loads the X25519-only build (92 KB
// gzipped instead of 125 KB); the main entry './enseal/index.js' has every suite.
import { init, Keyset, Sealer } from './enseal/x25519.js';

const SENSITIVE = ['/ssn', '/diagnosis'];
const form = document.getElementById('intake');
const status = document.getElementById('status');

async function start() {
  await init();
  // The clinic publishes its public keyset; the private key never reaches the browser.
  const keyset = Keyset.fromJson(await (await fetch('/keyset.json')).json());
  const sealer = Sealer.fromKeyset(keyset);
  form.querySelector('button').disabled = false;
  status.textContent = `ready: sealing to key ${keyset.primaryKid}`;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
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
}

start().catch((e) => {
  status.textContent = `enseal failed to start: ${e.code ?? ''} ${e.message}`;
});
