/**
 * The web console (/ui) in a real browser: Debian's Chromium driven by playwright-core, against
 * two replicas on the real stack (Kafka, ZooKeeper, Redis), with the log view on. Each test saves
 * a screenshot in .stack/screenshots (docs/CONSOLE.md shows copies). Chromium comes from
 * scripts/lib/chromium.sh (npm test runs it).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { CONSOLE_CSP } from '../../../src/api/routes/console.js';
import { ChainFixture } from '../../helpers/chain-fixture.js';

const TOKEN = 'console-test-token-0123456789abcdef';
const SHOTS = join(REPO, '.stack', 'screenshots');
const RECORDS = 3_000;

let fixture: ChainFixture;
let browser: Browser;
let page: Page;
let follower: { id: string; api: string };
let leaderId: string;
/** Every URL the page asked for: nothing may leave the replica's own origin. */
const requested: string[] = [];
const pageErrors: string[] = [];
/** Answers of 400 and above the page got: only the refusals the ops test asks for. */
const failedResponses: string[] = [];

const consistencyLength = async (from: string, to: string): Promise<number> =>
  ((await (await fetch(`${follower.api}/v1/proofs/consistency?from=${from}&to=${to}`)).json()) as { proof: string[] }).proof.length;
/** Where the chain's first cut ends: a tree size with a signed checkpoint. */
async function lastSeqOfFirstCut(): Promise<string> {
  let last = '';
  for (let from: string | null = '1'; from !== null; ) {
    const page = (await (await fetch(`${follower.api}/v1/chain?from=${from}`)).json()) as { next: string | null; entries: { seq: string; cutId: string }[] };
    for (const e of page.entries) {
      if (e.cutId !== '1') return last;
      last = e.seq;
    }
    from = page.next;
  }
  return last;
}
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const text = async (testId: string) => (await page.getByTestId(testId).first().textContent())?.trim() ?? '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const keyFile = join(mkdtempSync(join(tmpdir(), 'seqchain-console-')), 'log.key');
  const origin = `console.test/${Date.now()}`;
  expect((await runCli(['log-keygen', '--origin', origin, '--out', keyFile])).code).toBe(0);
  fixture = new ChainFixture({
    SEQCHAIN_LOG_VIEW_ENABLED: 'true',
    SEQCHAIN_LOG_VIEW_ORIGIN: origin,
    SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile,
    SEQCHAIN_API_TOKEN: TOKEN,
  });
  await fixture.init(4);
  const [r1, r2] = [`${fixture.chain}-r1`, `${fixture.chain}-r2`];
  fixture.set.start(r1);
  await waitFor('r1 leads', async () => (await fixture.set.leader())?.replicaId === r1, 60_000);
  fixture.set.start(r2);
  leaderId = r1;
  follower = { id: r2, api: await fixture.set.apiUrl(r2) };
  await fixture.produce(RECORDS);
  await waitFor(`${RECORDS} sequenced`, async () => (await fixture.set.sequenced()) >= RECORDS, 120_000, 100);
  // The follower's index and checkpoint have caught up when it serves a checkpoint of the whole backlog.
  await waitFor(
    'the follower serves proofs to the head',
    async () => {
      const res = await fetch(`${follower.api}/v1/proofs/inclusion?seq=${RECORDS}`);
      return res.ok;
    },
    60_000,
    200,
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('request', (req) => requested.push(req.url()));
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('response', (res) => {
    if (res.status() >= 400) failedResponses.push(`${res.status()} ${new URL(res.url()).pathname}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('the web console in Chromium (real stack, two replicas, log view on)', () => {
  it('is served with a strict CSP and hashed, immutable assets; the overview advances while records are produced, without reload', async () => {
    const res = await page.goto(`${follower.api}/ui/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toBe(CONSOLE_CSP);
    const asset = await fetch(`${follower.api}/ui/assets/${(await page.locator('script[type=module]').getAttribute('src'))!.replace('assets/', '')}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    await waitFor('the head shown', async () => Number(await text('head-seq')) >= RECORDS, 20_000);
    const before = Number(await text('head-seq'));
    expect(await text('leader')).toBe(leaderId);
    await page.evaluate('window.marker = 1'); // gone if the page reloads
    await fixture.produce(2_000, { rate: 1_000 });
    await waitFor('the head advances on screen', async () => Number(await text('head-seq')) >= before + 2_000, 30_000, 200);
    expect(await page.evaluate('window.marker')).toBe(1);
    expect(await page.getByTestId('lag-bar').count()).toBe(4);
    const points = await page.locator('svg.chart').first().getAttribute('data-points');
    expect(Number(points)).toBeGreaterThanOrEqual(2);
    // The leader's recent cuts, newest first, each linking to its last record.
    await expect.poll(() => page.getByTestId('recent-cut').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const newestLastSeq = async () => Number(await page.getByTestId('recent-cut').first().getByRole('link').textContent());
    await expect.poll(newestLastSeq, { timeout: 10_000 }).toBe(before + 2_000);
    await shot('overview');
  }, 90_000);

  it('finds a record by seq, by partition/offset and by digest; its proof is verified in the browser', async () => {
    await page.goto(`${follower.api}/ui/#/explorer`);
    await page.getByLabel(/Find a record/).fill('5');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/record\/5$/);
    expect(await text('record-seq')).toBe('5');
    await expect.poll(() => text('proof-verdict'), { timeout: 15_000 }).toMatch(/^Verified: record 5 is leaf 4 of the tree of size \d+/);
    await shot('record-verified');

    const seven = (await (await fetch(`${follower.api}/v1/records/7`)).json()) as { position: { partition: number; offset: string }; digest: string };
    await page.goto(`${follower.api}/ui/#/explorer`);
    await page.getByLabel(/Find a record/).fill(`${seven.position.partition}/${seven.position.offset}`);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(/#\/record\/7$/);
    expect(await text('record-position')).toBe(`${seven.position.partition} / ${seven.position.offset}`);
    expect(await text('record-digest')).toBe(seven.digest);

    const eleven = (await (await fetch(`${follower.api}/v1/records/11`)).json()) as { digest: string };
    await page.goto(`${follower.api}/ui/#/explorer`);
    await page.getByLabel(/Find a record/).fill(eleven.digest.toUpperCase());
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/record\/11$/);
    expect(await text('record-digest')).toBe(eleven.digest);
  }, 60_000);

  it('a proof tampered on the way (request interception) shows "failed", naming the part', async () => {
    await page.route('**/v1/proofs/inclusion*', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { proof: string[] };
      body.proof[0] = Buffer.alloc(32, 0x5a).toString('base64');
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(`${follower.api}/ui/#/record/9`);
    await expect.poll(() => text('proof-verdict'), { timeout: 15_000 }).toMatch(/^Failed \(proof\): the proof does not lead to the checkpoint’s root/);
    await shot('record-tampered');
    await page.unroute('**/v1/proofs/inclusion*');
  }, 60_000);

  it('the log page checks the latest checkpoint and a consistency proof between two cut ends in the browser; a tampered proof fails', async () => {
    const firstCut = await lastSeqOfFirstCut();
    await page.goto(`${follower.api}/ui/#/log`);
    await expect.poll(() => text('checkpoint-verdict'), { timeout: 15_000 }).toMatch(/^Signature verified \(Ed25519, key [0-9a-f]{8}\)$/);
    const latest = await text('checkpoint-size');
    expect(Number(latest)).toBeGreaterThan(Number(firstCut));
    await page.getByLabel('From size').fill(firstCut);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect
      .poll(() => text('consistency-verdict'), { timeout: 15_000 })
      .toBe(
        `Verified: the tree of size ${firstCut} is a prefix of the tree of size ${latest} (${await consistencyLength(firstCut, latest)} hashes, both checkpoints signed).`,
      );
    await shot('log-consistency');

    await page.route('**/v1/proofs/consistency*', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { proof: string[] };
      body.proof[body.proof.length - 1] = Buffer.alloc(32, 0x33).toString('base64');
      await route.fulfill({ response: res, json: body });
    });
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => text('consistency-verdict'), { timeout: 15_000 }).toMatch(/^Failed \(proof\): /);
    await page.unroute('**/v1/proofs/consistency*');
  }, 60_000);

  it('ops buttons refuse without the token and pause and resume with it; the token never reaches a URL or storage', async () => {
    await page.goto(`${follower.api}/ui/#/ops`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => text('ops-result')).toMatch(/^401 SEQCHAIN_ERR_UNAUTHORIZED/);
    expect((await fixture.set.leader())?.replicaId).toBe(leaderId);

    await page.getByLabel(/Ops token/).fill(TOKEN);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => text('ops-result')).toMatch(/"paused": true/);
    await shot('ops-paused');
    await page.goto(`${follower.api}/ui/#/overview`);
    await expect.poll(() => text('state'), { timeout: 10_000 }).toMatch(/^paused by /);
    await page.goto(`${follower.api}/ui/#/ops`);
    // A new page view: the token was kept in the page's memory only while it lived.
    await page.getByLabel(/Ops token/).fill(TOKEN);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => text('ops-result')).toMatch(/"wasPaused": true/);
    // Ranged verify, in chunks with progress: the whole chain so far.
    await page.getByLabel('From seq').fill('1');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => text('verify-result'), { timeout: 30_000 })
      .toMatch(/^Verified seqs 1–\d+: [\d,]+ records recomputed from the source topic and linked\.$/);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(TOKEN);
    expect(requested.some((u) => u.includes(TOKEN))).toBe(false);
  }, 60_000);

  it('a failover shows the new leader without reload', async () => {
    await page.goto(`${follower.api}/ui/#/overview`);
    await expect.poll(() => text('leader'), { timeout: 10_000 }).toBe(leaderId);
    await fixture.set.kill(leaderId, 'SIGKILL');
    await expect.poll(() => text('leader'), { timeout: 20_000, interval: 200 }).toBe(follower.id);
    await shot('overview-after-failover');
  }, 60_000);

  it('reads on a narrow screen, works from the keyboard, and asked nothing of any other origin', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${follower.api}/ui/#/overview`);
    await page.reload();
    await expect.poll(() => text('head-seq')).not.toBe('');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    const focused = () => page.evaluate('document.activeElement?.textContent');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Explorer');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/explorer$/);
    await shot('narrow-explorer');
    const origin = new URL(follower.api).origin;
    expect(requested.filter((u) => !u.startsWith(origin))).toEqual([]);
    // The browser logs each refused request as an error: the ops test's 401 is the only one, on purpose.
    expect(failedResponses).toEqual(['401 /v1/ops/pause']);
    expect(pageErrors.filter((e) => !e.startsWith('Failed to load resource:'))).toEqual([]);
  }, 60_000);
});
