// `cargo xtask web-bench`: the web benchmark in Node and in headless Chromium,
// printed as the Markdown tables of docs/PERFORMANCE.md. Not a test.
import * as enseal from 'enseal';
import sodium from 'libsodium-wrappers';
import { runBench } from './bench-core.js';
import { serve, launchChromium, standardMounts, here } from './serve.js';

const SIZES = [64, 1024, 16 * 1024, 1 << 20];
const label = (n) => (n >= 1 << 20 ? `${n >> 20} MiB` : n >= 1024 ? `${n >> 10} KiB` : `${n} B`);
const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(2)} µs`);

function table(where, { rows, setup }) {
  const whats = [...new Set(rows.map((r) => r.what))];
  const cell = (what, size) => rows.find((r) => r.what === what && r.size === size);
  console.log(`\n### ${where}: time per field (fields per second)\n`);
  console.log(`| | ${SIZES.map(label).join(' | ')} |`);
  console.log(`|---|${SIZES.map(() => '---').join('|')}|`);
  for (const what of whats) {
    console.log(`| ${what} | ${SIZES.map((s) => { const c = cell(what, s); return c ? `${fmt(c.us)} (${Math.round(c.perSecond).toLocaleString('en')}/s)` : '–'; }).join(' | ')} |`);
  }
  const seal64 = cell('enseal seal, text form (wasm, sync)', 64).us;
  const ratio = (a, b) => (a / b).toFixed(a / b >= 10 ? 0 : 2);
  console.log(`\nRatios in this run (${where}):`);
  console.log(`- 64 B sealed synchronously (text form) vs @hpke/core single-shot per field: ${ratio(cell('@hpke/core single-shot seal per field', 64).us, seal64)}× faster (target ≥ 100× in Chromium)`);
  console.log(`- 64 B vs @hpke/core inside one context: ${ratio(cell('@hpke/core one context, ctx.seal per field', 64).us, seal64)}× faster (target ≥ 10×)`);
  console.log(`- 64 B vs libsodium sealed box: ${ratio(cell('libsodium crypto_box_seal per field', 64).us, seal64)}× faster`);
  for (const size of [16 * 1024, 1 << 20]) {
    const raw = cell('WebCrypto AES-256-GCM raw encrypt', size).us;
    console.log(`- ${label(size)}: sealBinaryAsync at ${(raw / cell('enseal sealBinaryAsync (WebCrypto ≥ 2 KiB)', size).us).toFixed(2)}× of WebCrypto raw AES-GCM, sync wasm seal at ${(raw / cell('enseal seal (wasm, sync)', size).us).toFixed(2)}× (target ≥ 0.8× for large values)`);
  }
  console.log(`\nSession set-up (one key encapsulation, new Sealer): ${setup.map((s) => `${s.suite} ${fmt(s.us)}`).join(', ')}`);
}

await sodium.ready;
table(`Node ${process.version}`, await runBench(enseal, sodium, SIZES));

const site = await serve({ ...standardMounts, '/': new URL('browser/', here) });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${site.url}/bench.html?sizes=${encodeURIComponent(JSON.stringify(SIZES))}`);
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 300_000 });
  const result = await page.evaluate(() => window.__bench);
  if (result.crashed) throw new Error(result.crashed);
  table(`Chromium ${browser.version()} (headless)`, result);
} finally {
  await browser.close();
  site.server.close();
}
