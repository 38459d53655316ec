import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type Page, runBareLoop, runContender } from './common.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const MAX_ATTEMPTS = 30;

function get(url: string, token: string): Promise<{ status: number; body: Buffer; reset: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent, headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const raw = Buffer.concat(chunks);
            const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
            resolve({
              status: res.statusCode ?? 0,
              body,
              reset: Number(res.headers['x-rate-limit-reset'] ?? 0),
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
  });
}

async function fetchPage(url: string, token: string): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await get(url, token);
      if (res.status === 200) return JSON.parse(res.body.toString('utf8')) as Page;
      if (res.status === 429) {
        await new Promise((r) => setTimeout(r, Math.max(50, res.reset * 1000 - Date.now() + 50)));
      } else if (res.status < 500 || attempt >= MAX_ATTEMPTS) {
        throw new Error(`HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
      }
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || (error instanceof Error && error.message.startsWith('HTTP ')))
        throw error;
    }
  }
}

await runContender('bare http loop', async () => {
  await runBareLoop(fetchPage);
  agent.destroy();
});
