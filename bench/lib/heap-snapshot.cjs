// Preload (`node --require bench/lib/heap-snapshot.cjs`) for bench/fairness-profile.ts `--mode heap`:
// writes one heap snapshot to $HEAP_SNAPSHOT_OUT $HEAP_SNAPSHOT_AT_MS after the process started (a
// drain still running then), without keeping the process alive.
const { writeHeapSnapshot } = require('node:v8');
const out = process.env.HEAP_SNAPSHOT_OUT;
const at = Number(process.env.HEAP_SNAPSHOT_AT_MS);
if (out !== undefined && at > 0) setTimeout(() => writeHeapSnapshot(out), at).unref();
