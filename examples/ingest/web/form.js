// Seals the SSN and diagnosis in the browser, then POSTs JSON: the server,
// its logs and its database only ever see `enseal1.…` values.
// The clinic's keys are X25519, so the page loads the X25519-only build (~116 KB
// gzipped instead of ~147 KB); the main entry './enseal/index.js' has every suite.
import { ContextTemplate, init, Keyset, Sealer, SignerPins } from './enseal/x25519.js';

/** The fields sealed here: the service refuses a submission where either is not sealed. */
const SENSITIVE = ['/patient/ssn', '/patient/diagnosis'];
/**
 * Each value's context (docs/FORMAT.md §7.1): bound to this submission and to
 * its field, so it cannot be pasted into another record or field. The same
 * template opens them (the pipeline) and re-seals them at key rotation
 * (`enseal reseal --context`): it is part of the stored data's contract.
 */
const CONTEXT_TEMPLATE = 'intake/{recordId}{pointer}';
/** Plaintexts are padded to 64 bytes: a diagnosis's length shows only in 64-byte steps. */
const PAD_TO = 64;
/** The highest keyset version this browser accepted: an older one is a rollback. */
const ACCEPTED_VERSION = 'enseal.keysetVersion';
const form = document.getElementById('intake');
const status = document.getElementById('status');
/** Set only once a signed keyset verified: until then nothing is sealed or sent. */
let sealer = null;
/** CONTEXT_TEMPLATE parsed, once enseal is initialized. */
let context = null;

/**
 * The submission of the form as filled: its record id (the idempotency key)
 * and its sealed body, made once and sent again unchanged on a retry or a
 * second click (even after it was stored), so that the service stores it
 * once. Editing the form makes a new one.
 */
let pending = null;
form.addEventListener('input', () => {
  pending = null;
});

const RETRIES = 4;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs the pending body until the service answers; retries (same body) on 503 and network errors. */
async function send(submission) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await fetch('/intake', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: submission.text,
      });
      if (response.status !== 503 || attempt === RETRIES) return response;
    } catch (e) {
      if (attempt === RETRIES) throw e;
    }
    await sleep(250 * 2 ** attempt);
  }
}

// Attached before anything else, so that a submission before (or without) a
// verified keyset never falls through to the browser's own form submission,
// which would send every field in the clear.
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sealer === null) return;
  const button = form.querySelector('button');
  if (pending === null) {
    const patient = Object.fromEntries(new FormData(form));
    const recordId = crypto.randomUUID();
    const body = sealer.sealRecord({ recordId, patient }, SENSITIVE, context, { padTo: PAD_TO });
    pending = { recordId, body, text: JSON.stringify(body) };
  }
  const submission = pending;
  button.disabled = true;
  status.textContent = `sending ${submission.recordId}…`;
  try {
    const response = await send(submission);
    if (response.ok) {
      // 201, or 200 for a submission that was already stored.
      status.textContent = `submitted ${submission.recordId}\n${JSON.stringify(submission.body.patient, null, 1)}`;
    } else {
      const { error } = await response.json().catch(() => ({}));
      status.textContent = `failed: ${response.status} ${error?.code ?? ''} ${error?.message ?? ''}`;
    }
  } catch (e) {
    status.textContent = `not sent (${e.message}); submit again to retry: it is stored once`;
  } finally {
    button.disabled = false;
  }
});

async function start() {
  await init();
  context = ContextTemplate.parse(CONTEXT_TEMPLATE);
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
