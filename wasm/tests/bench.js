// `cargo xtask web-bench`: the web benchmark in Node and in headless Chromium,
// printed as the Markdown tables of docs/PERFORMANCE.md. Not a test.
import * as enseal from 'enseal';
import { readFileSync } from 'node:fs';
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
  console.log(`\nTargets of issue 12 in this run (${where}):`);
  for (const size of [64, 1024]) {
    const floor = cell('bare wasm AES-256-GCM, same AAD (floor)', size).us;
    console.log(`- ${label(size)} sealed synchronously: text form ${ratio(cell('enseal seal, text form (wasm, sync)', size).us, floor)}×, binary form ${ratio(cell('enseal sealBinary (wasm, sync)', size).us, floor)}× the time of bare wasm AES-256-GCM over the same AAD (target within 1.5×)`);
  }
  for (const size of [16 * 1024, 1 << 20]) {
    const floor = cell('WebCrypto raw encrypt + the one copy behind the header', size).us;
    console.log(`- ${label(size)}: sealBinaryAsync at ${(floor / cell('enseal sealBinaryAsync (WebCrypto ≥ 2 KiB)', size).us).toFixed(2)}× the speed of WebCrypto + the one copy (target ≥ 0.8×); raw WebCrypto alone ${(floor / cell('WebCrypto AES-256-GCM raw encrypt', size).us).toFixed(2)}× of that floor`);
  }
  console.log(`\nOther ratios in this run (${where}):`);
  console.log(`- 64 B sealed synchronously (text form) vs @hpke/core single-shot per field: ${ratio(cell('@hpke/core single-shot seal per field', 64).us, seal64)}× faster (the npm issue's target ≥ 100×)`);
  console.log(`- 64 B vs @hpke/core inside one context: ${ratio(cell('@hpke/core one context, ctx.seal per field', 64).us, seal64)}× faster (the npm issue's target ≥ 10×, replaced by the bare-AES floor above)`);
  console.log(`- 64 B vs libsodium sealed box: ${ratio(cell('libsodium crypto_box_seal per field', 64).us, seal64)}× faster`);
  for (const size of [16 * 1024, 1 << 20]) {
    const raw = cell('WebCrypto AES-256-GCM raw encrypt', size).us;
    console.log(`- ${label(size)}: sealBinaryAsync at ${(raw / cell('enseal sealBinaryAsync (WebCrypto ≥ 2 KiB)', size).us).toFixed(2)}× of WebCrypto raw AES-GCM (no header, no copy), sync wasm sealBinary at ${(raw / cell('enseal sealBinary (wasm, sync)', size).us).toFixed(2)}×`);
  }
  console.log(`\nSession set-up (one key encapsulation, new Sealer): ${setup.map((s) => `${s.suite} ${fmt(s.us)}`).join(', ')}`);
}

// The bench-only wasm build with the bare AES-GCM floor (cargo xtask web-bench builds it).
const benchWasm = new URL('../../target/web-bench/', import.meta.url);
const baseline = await import(new URL('baseline/enseal.js', benchWasm));
baseline.initSync({ module: readFileSync(new URL('baseline/enseal_bg.wasm', benchWasm)) });

await sodium.ready;
table(`Node ${process.version}`, await runBench(enseal, sodium, SIZES, baseline));

const site = await serve({ ...standardMounts, '/bench-wasm/': benchWasm, '/': new URL('browser/', here) });
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
