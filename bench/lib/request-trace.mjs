/**
 * Loaded with `node --import bench/lib/request-trace.mjs ...` into a contender (bench/trace-drain.ts):
 * records, for every outgoing `http.request`/`http.get`, when it was made, when its response began and
 * when its body ended (monotonic ms), and writes them with the process's birth and exit times to
 * `$REQUEST_TRACE_OUT` when the process exits. Nothing else changes: the real request is made.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

const now = () => Number(process.hrtime.bigint() / 1000n) / 1000;
const born = now() - performance.now();
const requests = [];
const request = http.request;
http.request = function traced(...args) {
  const made = now();
  const req = request.apply(this, args);
  req.on('response', (res) => {
    const began = now();
    res.on('end', () => requests.push([made, began, now()]));
  });
  return req;
};
http.get = function tracedGet(...args) {
  const req = http.request(...args);
  req.end();
  return req;
};
syncBuiltinESMExports();
process.on('exit', () => {
  const out = process.env.REQUEST_TRACE_OUT;
  if (out !== undefined && requests.length > 0)
    writeFileSync(out, JSON.stringify({ born, exit: now(), requests }));
});
