import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutes } from '../../../src/api/routes/console.js';

function built(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seqchain-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="assets/app-0123.js"></script>');
  writeFileSync(join(dir, 'assets', 'app-0123.js'), 'export {};');
  writeFileSync(join(dir, 'assets', 'notes.txt'), 'not served');
  return dir;
}

describe('the console routes (/ui)', () => {
  it('serve the page with the CSP and no-cache, hashed assets immutable, and nothing else', async () => {
    const app = Fastify();
    consoleRoutes(app, built());
    const page = await app.inject('/ui/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const asset = await app.inject('/ui/assets/app-0123.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await app.inject('/ui/assets/notes.txt')).statusCode).toBe(404);
    expect((await app.inject('/ui/assets/..%2Findex.html')).statusCode).toBe(404);
    expect((await app.inject('/ui')).headers.location).toBe('/ui/');
  });

  it('say how to build the console when it is not built', async () => {
    const app = Fastify();
    consoleRoutes(app, mkdtempSync(join(tmpdir(), 'seqchain-no-console-')));
    const page = await app.inject('/ui/');
    expect(page.statusCode).toBe(404);
    expect(page.json()).toEqual({ code: 'SEQCHAIN_ERR_NOT_FOUND', message: 'the console is not built: run npm run build' });
  });
});
