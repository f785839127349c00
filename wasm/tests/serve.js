// A tiny static file server for the browser tests, the example page and the
// benchmark: maps URL prefixes to folders, serves .wasm with its MIME type
// (WebAssembly.instantiateStreaming needs it), and lets callers add routes.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

/** Serves `mounts` ({ '/prefix/': folderUrl }); `routes(req, res)` may answer first. */
export function serve(mounts, routes = () => false) {
  const server = createServer(async (req, res) => {
    try {
      if (await routes(req, res)) return;
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const prefix = Object.keys(mounts)
        .sort((a, b) => b.length - a.length)
        .find((p) => path.startsWith(p));
      if (!prefix) throw Object.assign(new Error('no mount'), { code: 'ENOENT' });
      const rel = normalize(path.slice(prefix.length) || 'index.html');
      if (rel.startsWith('..')) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      const file = join(fileURLToPath(mounts[prefix]), rel.endsWith('/') ? `${rel}index.html` : rel);
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500);
      res.end(String(e.message));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })),
  );
}

/** Headless Debian Chromium through playwright-core (never a downloaded browser). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const here = new URL('./', import.meta.url);
export const repo = new URL('../../', import.meta.url);
/** What every page needs: the installed package, the @hpke peer, the vectors. */
export const standardMounts = {
  '/node_modules/': new URL('node_modules/', here),
  '/tests/': here,
  '/vectors/': new URL('tests/vectors/', repo),
};
