/**
 * What group commit saves on this disk: 300 appends of 60 KB (about one page of 100 posts as JSONL),
 * with an fsync after every page, then after every tenth page. `node bench/fsync-cost.mjs`
 * (writes in a temporary directory under the current one, removed at the end).
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const dir = mkdtempSync(join(process.cwd(), '.fsync-cost-'));
const page = Buffer.alloc(60_000, 'x');
try {
  for (const every of [1, 10]) {
    const fd = openSync(join(dir, `every-${every}`), 'a');
    const start = process.hrtime.bigint();
    for (let i = 1; i <= 300; i++) {
      writeSync(fd, page);
      if (i % every === 0) fsyncSync(fd);
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    closeSync(fd);
    console.log(`fsync every ${every} page(s): 300 pages in ${ms.toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true });
}
