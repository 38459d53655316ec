import { type Page, runBareLoop, runContender } from './common.js';

const MAX_ATTEMPTS = 30;

async function fetchPage(url: string, token: string): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (res.status === 200) return (await res.json()) as Page;
      const body = await res.text();
      if (res.status === 429) {
        const reset = Number(res.headers.get('x-rate-limit-reset') ?? 0) * 1000;
        await new Promise((r) => setTimeout(r, Math.max(50, reset - Date.now() + 50)));
      } else if (res.status < 500 || attempt >= MAX_ATTEMPTS) {
        throw new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`);
      }
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || (error instanceof Error && error.message.startsWith('HTTP ')))
        throw error;
      // Network error, reset, truncated or invalid JSON: retry the same page.
    }
  }
}

await runContender('bare fetch loop', () => runBareLoop(fetchPage));
