// The client-side sealing cost per intake form, in headless Chromium, on the
// intake service's own page (a benchmark, not a test: nothing here asserts a
// time). It is what a browser spends before the request leaves, so the load
// report (docs/INGEST-REPORT.md) counts it apart from the service's latency.
//
//   cd wasm/tests && ENSEAL_INGEST_BIN=…/enseal-ingest node bench-form.js
//
// The service runs in development mode on SQLite (no database is touched:
// nothing is submitted). In the page, as form.js does: import the package's
// X25519 entry from /enseal/x25519.js, init(), fetch /keyset.jws, verify it
// under the signers pinned in the page, Sealer.fromKeyset; then time
// `sealer.sealJson(record, ['/ssn', '/diagnosis'], crypto.randomUUID())`
// per form. Two changes to the page, both for measuring only: form.js is not
// run (so that the one-time costs are this script's, from a cold start), and
// the page is served cross-origin isolated (COOP/COEP added on the way),
// because Chromium gives other pages a 100 µs timer and isolated ones 5 µs.
// Prints one JSON object and writes it to target/ingest/bench/browser-seal.json.
import { request } from 'node:https';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, repo, startIngest, trustCertificateFlag } from './serve.js';

const FORMS = Number(process.env.BENCH_FORMS ?? 2000);
const WARMUP = 200;
/** Fresh browser contexts for the one-time costs (each a cold start). */
const COLD_STARTS = 7;
/** A typical form: what the intake page sends. */
const record = { name: 'Ada Lovelace', dob: '1815-12-10', ssn: '078-05-1120', diagnosis: 'E11.9 type 2 diabetes mellitus, without complications' };

/** GET `url` trusting only `ca`: the page as the service serves it. */
function get(url, ca) {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

const svc = await startIngest();
const browser = await launchChromium([trustCertificateFlag(join(svc.pki, 'server.pem'))]);
try {
  const ca = readFileSync(join(svc.pki, 'ca.pem'));
  const page = await get(`${svc.intake}/`, ca);
  if (page.status !== 200) throw new Error(`GET / answered ${page.status}`);
  const isolatedPage = { ...page.headers, 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

  /** A fresh context on the service's page, isolated, with form.js not run. */
  async function coldPage() {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.route(`${svc.intake}/`, (route) => route.fulfill({ status: 200, headers: isolatedPage, body: page.body }));
    await tab.route('**/form.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }));
    await tab.goto(`${svc.intake}/`);
    return { context, tab };
  }

  /** In the page: what form.js does before the first seal, timed step by step (ms). */
  const start = async () => {
    const t0 = performance.now();
    const m = await import('/enseal/x25519.js');
    globalThis.benchModule = m;
    const t1 = performance.now();
    await m.init();
    const t2 = performance.now();
    const pins = m.SignerPins.fromJwks(document.getElementById('keyset-signers').textContent);
    const jws = await (await fetch('/keyset.jws')).text();
    const t3 = performance.now();
    const verified = m.Keyset.fromSigned(jws, pins, { minVersion: 0 });
    globalThis.benchSealer = m.Sealer.fromKeyset(verified.keyset);
    const t4 = performance.now();
    // A real visitor seals one form per page load: the first seal also sets up the session (one HPKE encapsulation).
    globalThis.benchSealer.sealJson({ name: 'A', dob: '2000-01-01', ssn: '000-00-0000', diagnosis: 'x' }, ['/ssn', '/diagnosis'], crypto.randomUUID());
    const t5 = performance.now();
    return { isolated: self.crossOriginIsolated, importMs: t1 - t0, initMs: t2 - t1, keysetFetchMs: t3 - t2, verifyMs: t4 - t3, firstSealMs: t5 - t4 };
  };

  const cold = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const { context, tab } = await coldPage();
    cold.push(await tab.evaluate(start));
    await context.close();
  }

  const { context, tab } = await coldPage();
  await tab.evaluate(start);
  /** In the page: `forms` seals of one kind, each timed, after `warmup` untimed ones. */
  const timeSeals = ({ record, forms, warmup, kind }) => {
    const sealer = globalThis.benchSealer;
    let seal;
    if (kind === 'sealJson') {
      const pointers = ['/ssn', '/diagnosis'];
      seal = () => ({ recordId: 'x', patient: sealer.sealJson(record, pointers, crypto.randomUUID()) });
    } else {
      // The whole submission sealed by a context template, values padded to 64 bytes.
      const pointers = ['/patient/ssn', '/patient/diagnosis'];
      const template = globalThis.benchModule.ContextTemplate.parse('intake/{recordId}{pointer}');
      seal = () => sealer.sealRecord({ recordId: crypto.randomUUID(), patient: record }, pointers, template, { padTo: 64 });
    }
    let last = performance.now();
    let tick = Infinity;
    for (let seen = 0; seen < 20;) {
      const now = performance.now();
      if (now !== last) { tick = Math.min(tick, now - last); last = now; seen++; }
    }
    let sealed;
    for (let i = 0; i < warmup; i++) sealed = seal();
    const times = new Float64Array(forms);
    const begin = performance.now();
    for (let i = 0; i < forms; i++) {
      const s = performance.now();
      sealed = seal();
      times[i] = performance.now() - s;
    }
    const total = performance.now() - begin;
    return { times: Array.from(times), total, tickMs: tick, bodyBytes: JSON.stringify({ ...sealed, recordId: crypto.randomUUID() }).length };
  };
  const run = await tab.evaluate(timeSeals, { record, forms: FORMS, warmup: WARMUP, kind: 'sealJson' });
  const runRecord = await tab.evaluate(timeSeals, { record, forms: FORMS, warmup: WARMUP, kind: 'sealRecord' });
  await context.close();

  const us = (ms) => Math.round(ms * 1000 * 10) / 10;
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  const stats = ({ times, total }) => {
    const sorted = [...times].sort((a, b) => a - b);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    return {
      median: us(q(0.5)),
      p90: us(q(0.9)),
      p99: us(q(0.99)),
      mean: us(times.reduce((a, b) => a + b, 0) / times.length),
      min: us(sorted[0]),
      max: us(sorted[sorted.length - 1]),
      // The whole loop over the count: the mean without per-call timer reads.
      meanOfLoop: us(total / times.length),
    };
  };
  const coldStep = (key) => us(median(cold.map((c) => c[key])));
  const result = {
    what: "client-side sealing per intake form: sealer.sealJson(record, ['/ssn','/diagnosis'], crypto.randomUUID()) in the service's page",
    chromium: browser.version(),
    entry: '/enseal/x25519.js',
    crossOriginIsolated: cold.every((c) => c.isolated),
    timerResolutionUs: us(run.tickMs),
    forms: FORMS,
    warmup: WARMUP,
    recordBytes: JSON.stringify(record).length,
    sealedBodyBytes: run.bodyBytes,
    perFormUs: stats(run),
    // The same form sealed as a whole submission: sealer.sealRecord({recordId, patient},
    // ['/patient/ssn','/patient/diagnosis'], ContextTemplate 'intake/{recordId}{pointer}', {padTo: 64}).
    sealRecordPadded: { sealedBodyBytes: runRecord.bodyBytes, perFormUs: stats(runRecord) },
    oneTimeUs: {
      coldStarts: COLD_STARTS,
      // Medians over fresh browser contexts (HTTP cache empty): module
      // import, init() (fetch, compile and instantiate the wasm), fetching
      // keyset.jws, Keyset.fromSigned + Sealer.fromKeyset, and the first
      // form's seal (which also sets up the session).
      import: coldStep('importMs'),
      init: coldStep('initMs'),
      keysetFetch: coldStep('keysetFetchMs'),
      verify: coldStep('verifyMs'),
      firstSeal: coldStep('firstSealMs'),
      initPlusVerify: us(median(cold.map((c) => c.initMs + c.verifyMs))),
      total: us(median(cold.map((c) => c.importMs + c.initMs + c.keysetFetchMs + c.verifyMs + c.firstSealMs))),
    },
  };
  const out = fileURLToPath(new URL('target/ingest/bench/', repo));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'browser-seal.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await svc.stop();
}
