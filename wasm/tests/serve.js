// A tiny static file server for the browser tests, the example page and the
// benchmark: maps URL prefixes to folders, serves .wasm with its MIME type
// (WebAssembly.instantiateStreaming needs it), and lets callers add routes.
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Headless Debian Chromium through playwright-core (never a downloaded browser); `args` are added to its flags. */
export async function launchChromium(args = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...args],
  });
}

/**
 * The Chromium flag that trusts exactly the certificate at `pemPath` (by the
 * base64 SHA-256 of its SubjectPublicKeyInfo), and nothing else: any other
 * certificate error still fails the page.
 */
export function trustCertificateFlag(pemPath) {
  const spki = new X509Certificate(readFileSync(pemPath)).publicKey.export({ type: 'spki', format: 'der' });
  return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`;
}

/**
 * Starts the intake service (examples/ingest; the binary in env
 * ENSEAL_INGEST_BIN) in development mode on free loopback ports, with a fresh
 * dev directory (throw-away CA and certificates, a signed keyset) and the
 * installed enseal package under /enseal/. `database` is a URL (default: the
 * dev directory's SQLite); `env` is added to the child's environment.
 * Resolves once it prints its addresses; `stop()` ends it with SIGTERM and
 * removes the dev directory (its throw-away keys with it).
 */
export async function startIngest({ database, env = {} } = {}) {
  const bin = process.env.ENSEAL_INGEST_BIN;
  if (!bin) throw new Error('set ENSEAL_INGEST_BIN to the enseal-ingest binary (cargo build -p enseal-ingest)');
  const dev = mkdtempSync(join(tmpdir(), 'enseal-ingest-dev-'));
  // No settle time for GET /records: the tests fetch only acknowledged (committed) rows.
  const args = ['--listen', '127.0.0.1:0', '--internal-listen', '127.0.0.1:0', '--dev-dir', dev, '--records-settle', '0'];
  args.push('--package-dir', fileURLToPath(new URL('node_modules/enseal/', here)));
  if (database) args.push('--database', database);
  const child = spawn(bin, args, { env: { ...process.env, ENSEAL_INGEST_LOG: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const listening = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`enseal-ingest did not print its addresses in 30 s: ${stderr}`)), 30_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/^enseal-ingest: listening intake=(https:\/\/\S+) records=(https:\/\/\S+)$/m);
      if (m) { clearTimeout(timer); resolve({ intake: m[1], records: m[2] }); }
    });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`enseal-ingest exited (${code ?? signal}) before listening: ${stderr}`)); });
  });
  let addresses;
  try {
    addresses = await listening;
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dev, { recursive: true, force: true });
    throw e;
  }
  const stopOnExit = () => { child.kill('SIGKILL'); rmSync(dev, { recursive: true, force: true }); };
  process.once('exit', stopOnExit);
  return {
    ...addresses,
    dev,
    pki: join(dev, 'pki'),
    /** What it logged (never a field value, by its design). */
    stderr: () => stderr,
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const outcome = await exited;
      rmSync(dev, { recursive: true, force: true });
      return outcome;
    },
  };
}

export const here = new URL('./', import.meta.url);
export const repo = new URL('../../', import.meta.url);
/** What every page needs: the installed package, the @hpke peer, the vectors. */
export const standardMounts = {
  '/node_modules/': new URL('node_modules/', here),
  '/tests/': here,
  '/vectors/': new URL('tests/vectors/', repo),
};
