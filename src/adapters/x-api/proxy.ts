/**
 * The agent that carries the X API requests: direct, or through the proxy that HTTPS_PROXY /
 * HTTP_PROXY name (read and validated by src/config/, passed in here), unless NO_PROXY matches.
 * https targets go through an HTTP CONNECT tunnel (https-proxy-agent: TLS stays end to end, the
 * proxy never sees the token); plain http targets, which only loopback or --allow-insecure-http
 * allow, are sent to the proxy as absolute-form requests (http-proxy-agent).
 * The two proxy-agent packages are imported only when a proxy is used: loading them costs ~0.1 s of
 * CPU at every start-up (bench/README.md, "Drain profile ... round 2").
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isLoopbackHost } from './loopback.js';

/** Proxy settings from the environment (curl's conventions). Every field optional: no proxy. */
export interface ProxySettings {
  /** Proxy for https:// targets (HTTPS_PROXY / https_proxy). @default none */
  readonly httpsProxy?: string;
  /** Proxy for http:// targets (HTTP_PROXY / http_proxy). @default none */
  readonly httpProxy?: string;
  /** Hosts never proxied: comma-separated names, `.suffix`, `host:port`, or `*` (NO_PROXY). @default none */
  readonly noProxy?: string;
}

/** Options of the agent, whichever kind it is. */
export interface AgentOptions {
  readonly keepAlive: boolean;
  readonly maxSockets: number;
}

/**
 * Whether NO_PROXY exempts `url`: `*` exempts everything; an entry matches the host itself or any
 * subdomain (`example.com` and `.example.com` both match `api.example.com`); `host:port` only that port.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (m === null) continue;
    const name = (m[1] ?? '').replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    if (m[2] !== undefined && m[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * The proxy URL to use for `target`, or undefined for a direct connection. Loopback targets are never
 * proxied (as in Go's net/http): a proxy cannot reach this machine's loopback anyway.
 */
export function proxyFor(target: URL, proxy: ProxySettings): string | undefined {
  const chosen = target.protocol === 'https:' ? proxy.httpsProxy : proxy.httpProxy;
  if (chosen === undefined || isLoopbackHost(target.hostname) || bypassesProxy(target, proxy.noProxy))
    return undefined;
  return chosen;
}

/** A keep-alive agent straight to `target` (no proxy). */
export function directAgent(target: URL, options: AgentOptions): HttpAgent {
  return target.protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent(options);
}

/** A keep-alive agent for `target`: direct, or through the proxy the settings name for it. */
export async function agentFor(target: URL, proxy: ProxySettings, options: AgentOptions): Promise<HttpAgent> {
  const via = proxyFor(target, proxy);
  if (via === undefined) return directAgent(target, options);
  if (target.protocol === 'http:') return new (await import('http-proxy-agent')).HttpProxyAgent(via, options);
  return new (await import('https-proxy-agent')).HttpsProxyAgent(via, options);
}
