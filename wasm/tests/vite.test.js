// `vite build` of a page that imports 'enseal' and 'enseal/x25519' with no Vite configuration,
// then the built page in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { serve, launchChromium, here } from './serve.js';

test('a Vite-built page seals and opens with no configuration', async () => {
  const root = fileURLToPath(new URL('vite-app/', here));
  const outDir = fileURLToPath(new URL('vite-app/dist/', here));
  rmSync(outDir, { recursive: true, force: true });
  await build({ root, logLevel: 'warn', configFile: false, build: { outDir, emptyOutDir: true } });
  const assets = await readdir(new URL('vite-app/dist/assets/', here));
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `not two .wasm (all suites, X25519 only): ${assets}`);
  const site = await serve({ '/': new URL('vite-app/dist/', here) });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => window.__report !== undefined, null, { timeout: 30_000 });
    const report = await page.evaluate(() => window.__report);
    assert.deepEqual(report, { sealedPrefix: 'enseal1.', opened: '078-05-1120', code: 'DECRYPT_FAILED', attachmentOk: true, x25519Ok: true });
  } finally {
    await browser.close();
    site.server.close();
  }
});
