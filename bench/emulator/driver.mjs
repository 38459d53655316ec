// Load generator for bench/emulator/run.ts, run in a child process so that the server's
// process.cpuUsage() only counts the emulator. Follows next_token/pagination_token through the
// result set (restarting at the end) with keep-alive connections.
// argv: baseUrl pathAndQuery tokenParam requests concurrency acceptGzip
import { Agent, request } from 'node:http';

const [base, path, tokenParam, total, concurrency, gzip] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const headers = { authorization: 'Bearer bench', ...(gzip === '1' ? { 'accept-encoding': 'gzip' } : {}) };
let issued = 0;
let bytes = 0;
const statuses = {};

function get(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function worker() {
  let token;
  while (issued < Number(total)) {
    issued++;
    const url = `${base}${path}${token ? `&${tokenParam}=${token}` : ''}`;
    const { status, body } = await get(url);
    statuses[status] = (statuses[status] ?? 0) + 1;
    bytes += body.length;
    token = undefined;
    if (status === 200 && gzip !== '1') token = JSON.parse(body.toString()).meta?.next_token;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const ms = performance.now() - started;
agent.destroy();
process.stdout.write(`${JSON.stringify({ requests: Number(total), ms, bytes, statuses })}\n`);
