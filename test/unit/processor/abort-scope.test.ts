import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAbortable } from '../../../src/processor/abort-scope.js';

/**
 * runAbortable leaves nothing on the signal once the call settles. On e3f2e9c its abort listener stayed, and with
 * it the call's reply: a pooled keep-alive socket keeps the scope it was opened in, so each pooled socket held a
 * whole parsed reply (a `large` run with realistic catalogs: about 50 MB of the heap). Fails on e3f2e9c.
 */
let server: http.Server;
let url = '';
beforeAll(async () => {
  // Replies at once to /fast; never to anything else.
  server = http.createServer((req, res) => {
    if (req.url === '/fast') res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const get = (path: string) =>
  new Promise<string>((resolve, reject) => {
    http
      .get(`${url}${path}`, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });

describe('runAbortable', () => {
  it('removes its abort listener when the call resolves or rejects (fails on e3f2e9c: it stayed, holding the reply)', async () => {
    const signal = new AbortController().signal;
    expect(await runAbortable(signal, () => get('/fast'))).toBe('ok');
    await expect(runAbortable(signal, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('an abort during the call destroys its request and rejects with the reason', async () => {
    const controller = new AbortController();
    const pending = runAbortable(controller.signal, () => get('/never'));
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
