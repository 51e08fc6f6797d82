// Test support (not served): headless Chromium driven over the DevTools protocol on a pipe
// (no WebSocket and no npm package needed), and a loopback HTTP server that serves the
// verify assets at the paths mahasil-server uses.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Chromium to drive: MAHASIL_CHROMIUM, else Debian's package; null when there is none. */
export function chromiumPath() {
  const candidates = [process.env.MAHASIL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/** The policy the verify pages are served with: scripts, fetches and workers of this origin only. */
export const VERIFY_PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const ASSET_TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/**
 * A loopback server answering `routes` (path → {body, type}) and, for `/V/<TOKEN>`, the
 * online page `onlinePage(token)`. Resolves to `{origin, stop}`; `stop` closes every
 * connection so the browser meets a refused connection, as on a dead network.
 */
export async function serve(routes, onlinePage) {
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    const key = url.pathname === '/api/v1/revocations' ? url.pathname + url.search : url.pathname;
    const route = routes[key] ?? (url.pathname.startsWith('/V/') ? { body: onlinePage(url.pathname.slice(3)), type: ASSET_TYPES['.html'] } : null);
    if (route === null) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': route.type, 'content-security-policy': VERIFY_PAGE_CSP, 'cache-control': 'no-cache' });
    response.end(route.body);
  });
  return listenOnLoopback(server);
}

/**
 * Starts `server` on a free loopback port. Resolves to `{origin, stop}`; `stop` closes
 * every connection so a browser meets a refused connection, as on a dead network.
 */
export async function listenOnLoopback(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const stop = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return { origin, stop };
}

/** A route for a file of this folder (or beside it) with its content type. */
export async function fileRoute(url) {
  const ext = url.pathname.slice(url.pathname.lastIndexOf('.'));
  return { body: await readFile(url), type: ASSET_TYPES[ext] ?? 'application/octet-stream' };
}

/**
 * A headless Chromium with one page. `page.navigate(url)`, `page.evaluate(expression)`,
 * `page.waitFor(expression, ms)`; `page.errors` collects exceptions thrown in pages.
 */
export async function launchBrowser(executable) {
  const profile = await mkdtemp(join(tmpdir(), 'mahasil-verify-chromium-'));
  // The flags keep Chromium off the network it cannot reach here (updates, sync, QUIC).
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--remote-debugging-pipe',
    'about:blank',
  ];
  // Its own process group, so that closing it also ends the helpers it starts.
  const child = spawn(executable, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const cdp = new PipeConnection(child.stdio[3], child.stdio[4]);
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const page = new Page(cdp, sessionId);
  await page.send('Runtime.enable');
  await page.send('Page.enable');
  const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  const close = async () => {
    // Asked first, so it flushes and stops writing to its profile; then the whole group
    // is ended in case a helper outlives it. Helpers may still be letting go of files
    // for a moment, so removing the profile retries on ENOTEMPTY and EBUSY.
    cdp.send('Browser.close', {}).catch(() => {});
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group has already gone
    }
    await exited;
    await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  };
  return { page, close };
}

/** DevTools protocol messages: JSON, each ended by a NUL byte. */
class PipeConnection {
  constructor(input, output) {
    this.input = input;
    // A write after Chromium has gone fails with EPIPE; the waiting call times out instead.
    input.on('error', () => {});
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let buffer = '';
    output.setEncoding('utf8');
    output.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\0')) >= 0) {
        this.receive(JSON.parse(buffer.slice(0, end)));
        buffer = buffer.slice(end + 1);
      }
    });
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    this.input.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }

  receive(message) {
    if (message.id !== undefined) {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(`${waiting.method}: ${message.error.message}`));
      else waiting?.resolve(message.result);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }
}

class Page {
  constructor(cdp, sessionId) {
    this.cdp = cdp;
    this.sessionId = sessionId;
    this.errors = [];
    cdp.listeners.push((m) => {
      if (m.method === 'Runtime.exceptionThrown') this.errors.push(m.params.exceptionDetails);
    });
  }

  send(method, params = {}) {
    return this.cdp.send(method, params, this.sessionId);
  }

  async navigate(url) {
    await this.send('Page.navigate', { url });
  }

  async evaluate(expression) {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
    return result.value;
  }

  /**
   * Polls `expression` until it is truthy; its value, or an error after `ms`. A document
   * being replaced by a navigation cannot answer; that is retried like a falsy value.
   */
  async waitFor(expression, ms) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await this.evaluate(`(() => { try { return ${expression}; } catch { return null; } })()`).catch(() => null);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
