import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { describe, expect, it } from 'vitest';
import { agentFor, bypassesProxy, proxyFor } from '../../src/adapters/x-api/proxy.js';
import { isLoopbackHost } from '../../src/config/transport.js';

const OPTIONS = { keepAlive: true, maxSockets: 4 };

describe('NO_PROXY matching (bypassesProxy)', () => {
  it.each([
    ['https://api.x.com', 'api.x.com', true],
    ['https://api.x.com', 'x.com', true],
    ['https://api.x.com', '.x.com', true],
    ['https://api.x.com', '*.x.com', true],
    ['https://api.x.com', 'other.com, x.com', true],
    ['https://api.x.com', '*', true],
    ['https://api.x.com', 'api.x.com:443', true],
    ['https://api.x.com', 'api.x.com:8443', false],
    ['https://notx.com', 'x.com', false],
    ['https://api.x.com', 'pi.x.com', false],
    ['https://api.x.com', '', false],
    ['http://[::1]:8080', '[::1]:8080', true],
  ])('%s with NO_PROXY=%j bypasses the proxy: %s', (url, noProxy, expected) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(expected);
  });
});

describe('proxyFor / agentFor', () => {
  const proxy = {
    httpsProxy: 'http://proxy:3128',
    httpProxy: 'http://plain-proxy:8080',
    noProxy: 'internal',
  };

  it('sends https through the HTTPS proxy (CONNECT) and http through the HTTP proxy', async () => {
    expect(proxyFor(new URL('https://api.x.com'), proxy)).toBe('http://proxy:3128');
    expect(proxyFor(new URL('http://api.x.com'), proxy)).toBe('http://plain-proxy:8080');
    expect(await agentFor(new URL('https://api.x.com'), proxy, OPTIONS)).toBeInstanceOf(HttpsProxyAgent);
    expect(await agentFor(new URL('http://api.x.com'), proxy, OPTIONS)).toBeInstanceOf(HttpProxyAgent);
  });

  it('never proxies loopback or NO_PROXY hosts, and connects directly without proxy settings', async () => {
    expect(proxyFor(new URL('http://127.0.0.1:8080'), proxy)).toBeUndefined();
    expect(proxyFor(new URL('https://localhost'), proxy)).toBeUndefined();
    expect(proxyFor(new URL('https://api.internal'), proxy)).toBeUndefined();
    const direct = await agentFor(new URL('https://api.x.com'), {}, OPTIONS);
    expect(direct).toBeInstanceOf(HttpsAgent);
    expect(direct).not.toBeInstanceOf(HttpsProxyAgent);
    expect(await agentFor(new URL('http://127.0.0.1'), proxy, OPTIONS)).toBeInstanceOf(HttpAgent);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['localhost', true],
    ['api.localhost', true],
    ['[::1]', true],
    ['[::ffff:7f00:1]', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.example.com', false],
    ['[::2]', false],
  ])('%s: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
