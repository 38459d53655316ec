/**
 * A tiny loopback HTTP server whose every answer is decided by the test (status, headers, body):
 * scripted rate-limit headers, 429s and hostile bodies that the emulator would never send.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ScriptedServer {
  readonly url: string;
  /** Every request seen: its URL, its authorization header and what the handler chose. */
  readonly requests: { url: URL; authorization: string | undefined }[];
  handler: (url: URL, index: number, req: IncomingMessage) => ScriptedAnswer;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const state: ScriptedServer = {
    url: '',
    requests,
    handler: () => ({ status: 500, body: '{}' }),
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://scripted');
    const index = requests.length;
    requests.push({ url, authorization: req.headers.authorization });
    let answer: ScriptedAnswer;
    try {
      answer = state.handler(url, index, req);
    } catch (error) {
      answer = { status: 500, body: JSON.stringify({ title: String(error) }) };
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** A valid page of `ids` (newest first) with an optional next_token. */
export function pageBody(ids: readonly string[], nextToken?: string): string {
  if (ids.length === 0)
    return JSON.stringify({ meta: { result_count: 0, ...(nextToken ? { next_token: nextToken } : {}) } });
  return JSON.stringify({
    data: ids.map((id) => ({ id, text: `post ${id}`, edit_history_tweet_ids: [id] })),
    meta: {
      result_count: ids.length,
      newest_id: ids[0],
      oldest_id: ids[ids.length - 1],
      ...(nextToken ? { next_token: nextToken } : {}),
    },
  });
}
