import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { SqliteRunHistory } from '../../src/adapters/stores/run-history-sqlite.js';
import type { RunRecord } from '../../src/core/ports/run-history.js';
import { cliBundle, ROOT, runCli } from '../cli/run-cli.js';
import { launchChromium } from './chromium.js';

const TOKEN = 'browser-test-token-7c21';
const STREAMS = ['coffee', 'music', 'cloud'] as const;

/** The few DOM calls the page is read with (the project compiles without the DOM library). */
interface Node {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<Node>;
  readonly textContent: string | null;
}

/** What the page draws, read from the DOM. */
interface Drawn {
  readonly charts: Record<
    string,
    { series: { name: string; total: number; points: number }[]; axes: string[] }
  >;
  readonly behind: string[];
  readonly streamRows: Record<string, number>;
  readonly requests: string[];
}

describe('the HTML report in a real browser (Debian Chromium via playwright-core)', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let runs: RunRecord[];
  let html: string;
  let deliveredLines: number;

  beforeAll(async () => {
    await cliBundle();
    emulator = await startEmulator({
      seed: 16,
      posts: 3000,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN],
      rateLimits: { search_recent: 8 },
      windowSeconds: 2,
      faults: { scripted: [{ path: '/2/tweets/search/recent', nth: 3, fault: '429' }] },
    });
    dir = await mkdtemp(join(tmpdir(), 'tp-report-browser-'));
    await writeFile(
      join(dir, 'streams.yaml'),
      `store: sqlite:state.db\nsink: jsonl:posts.jsonl\ninitial: 2d\nstreams:\n${STREAMS.map((q) => `  - name: ${q}\n    query: ${q}\n`).join('')}`,
    );
    const env = { X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emulator.url };
    const poll = async (...extra: string[]) => {
      const r = await runCli(['poll', '--config', 'streams.yaml', '--min-interval', '0', ...extra], {
        cwd: dir,
        env,
        timeoutMs: 60_000,
      });
      expect([0], r.stderr.slice(-2000)).toContain(r.code);
    };
    // A multi-stream history: a run stopped by its budget, one that catches up, new posts, one more,
    // and a last one stopped early so a stream is left behind.
    await poll('--max-tweets', '400');
    await poll('--max-tweets', '100000');
    emulator.publish({ posts: Array.from({ length: 40 }, (_, i) => ({ text: `coffee music cloud ${i}` })) });
    await poll('--max-tweets', '100000');
    emulator.publish({ posts: Array.from({ length: 40 }, (_, i) => ({ text: `coffee late ${i}` })) });
    await poll('--max-tweets', '15');
    const report = await runCli(['report', '--store', 'sqlite:state.db', '--out', 'report.html'], {
      cwd: dir,
      env,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^report written: report\.html \(4 runs, 3 streams, [0-9]+ bytes\)/);
    html = await readFile(join(dir, 'report.html'), 'utf8');
    const history = new SqliteRunHistory({ path: join(dir, 'state.db'), readonly: true });
    runs = await history.list();
    await history.close();
    deliveredLines = (await readFile(join(dir, 'posts.jsonl'), 'utf8')).split('\n').filter(Boolean).length;
  }, 180_000);

  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens offline and draws each chart from the store, with its series, totals and axis labels', async () => {
    // Prepare: the store's own totals per stream (and the sink agrees with them).
    expect(runs).toHaveLength(4);
    const storeTotal = (stream: string, pick: (s: RunRecord['streams'][number]) => number) =>
      runs
        .flatMap((r) => r.streams)
        .filter((s) => s.stream === stream)
        .reduce((a, s) => a + pick(s), 0);
    const posts = Object.fromEntries(STREAMS.map((s) => [s, storeTotal(s, (x) => x.posts)]));
    expect(Object.values(posts).reduce((a, b) => a + b, 0)).toBe(deliveredLines);
    for (const s of STREAMS) expect(posts[s]).toBeGreaterThan(0);
    const rateLimited = runs.flatMap((r) => r.streams).reduce((a, s) => a + s.rate_limited, 0);
    expect(rateLimited).toBeGreaterThanOrEqual(1);

    // Act: open the file with every non-file request refused and recorded.
    const browser = await launchChromium();
    let drawn: Drawn;
    try {
      const requests: string[] = [];
      await browser.context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = await browser.context.newPage();
      await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
      const dom = await page.evaluate(() => {
        const document = (globalThis as unknown as { document: Node }).document;
        const charts: Record<
          string,
          { series: { name: string; total: number; points: number }[]; axes: string[] }
        > = {};
        for (const fig of document.querySelectorAll('figure[data-chart]')) {
          charts[fig.getAttribute('data-chart') ?? ''] = {
            series: [...fig.querySelectorAll('g.series')].map((g) => ({
              name: g.getAttribute('data-series') ?? '',
              total: Number(g.getAttribute('data-total')),
              points: Number(g.getAttribute('data-points')),
            })),
            axes: [...fig.querySelectorAll('text.axis-label')].map((t) => t.textContent ?? ''),
          };
        }
        const behind = [...document.querySelectorAll('table[data-table=behind] tbody tr')].map(
          (tr) => tr.getAttribute('data-stream') ?? '',
        );
        const streamRows = Object.fromEntries(
          [...document.querySelectorAll('table[data-table=streams] tbody tr')].map((tr) => [
            tr.getAttribute('data-stream') ?? '',
            Number(tr.getAttribute('data-posts')),
          ]),
        );
        return { charts, behind, streamRows };
      });
      drawn = { ...dom, requests };
      // The screenshot the README shows (docs/report.png) is refreshed with SAVE_REPORT_SCREENSHOT=1;
      // otherwise it lands in .tmp/ so that a test run does not change a tracked file.
      const shot = join(ROOT, '.tmp', `report-${process.pid}.png`);
      await mkdir(join(ROOT, '.tmp'), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      const png = await readFile(shot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      if (process.env.SAVE_REPORT_SCREENSHOT === '1') await copyFile(shot, join(ROOT, 'docs', 'report.png'));
      await rm(shot, { force: true });
    } finally {
      await browser.close();
    }

    // Assess
    expect(drawn.requests).toEqual([]);
    const { charts } = drawn;
    expect(Object.keys(charts).sort()).toEqual(['activity', 'gaps', 'lag', 'posts', 'spend']);
    expect(charts.posts?.series.map((s) => s.name)).toEqual([...STREAMS].sort());
    for (const s of charts.posts?.series ?? []) {
      expect(s.total, s.name).toBe(posts[s.name]);
      expect(s.points, s.name).toBe(runs.filter((r) => r.streams.some((x) => x.stream === s.name)).length);
    }
    expect(drawn.streamRows).toEqual(posts);
    expect(charts.activity?.series.map((s) => [s.name, s.total])).toEqual([
      ['requests', runs.flatMap((r) => r.streams).reduce((a, s) => a + s.requests, 0)],
      ['429s', rateLimited],
      ['waits', runs.flatMap((r) => r.streams).reduce((a, s) => a + s.waits, 0)],
    ]);
    expect(charts.lag?.series).toHaveLength(STREAMS.length);
    expect(charts.posts?.axes).toEqual(['run start (UTC)', 'posts per run']);
    expect(charts.activity?.axes).toEqual(['run start (UTC)', 'per run']);
    expect(charts.lag?.axes).toEqual(['run start (UTC)', 'freshness lag']);
    expect(charts.spend?.axes).toEqual(['day (UTC)', 'spend (USD)']);
    // The last run stopped at 15 posts: whatever did not catch up is listed as behind.
    const last = runs.at(-1)!;
    expect(drawn.behind.sort()).toEqual(
      last.streams
        .filter((s) => s.outcome !== 'caught_up' || s.owed_age_seconds !== null)
        .map((s) => s.stream)
        .sort(),
    );
    expect(drawn.behind.length).toBeGreaterThan(0);
    expect(html).not.toMatch(/<script/i);
  });
});
