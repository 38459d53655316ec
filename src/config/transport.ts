/**
 * Transport settings: which base URLs may carry the bearer token, and the proxy environment.
 * The one rule for the CLI and the Lambda: plain http only to loopback, unless explicitly allowed.
 */
import { isLoopbackHost } from '../adapters/x-api/loopback.js';
import type { ProxySettings } from '../adapters/x-api/proxy.js';
import { ConfigError } from '../core/errors.js';

export { isLoopbackHost };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Why `baseUrl` must not carry the bearer token, or undefined when it may: https, plain http to
 * loopback, or anything with `allowInsecureHttp`. Callers prefix the setting (`invalid --api-base: ...`).
 */
export function insecureTransportReason(baseUrl: string, allowInsecureHttp: boolean): string | undefined {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' || allowInsecureHttp || isLoopbackHost(url.hostname)) return undefined;
  return `refusing to send the bearer token over plain HTTP to ${url.hostname}; use https:// (or --allow-insecure-http, ALLOW_INSECURE_HTTP=true in the Lambda, to send it anyway)`;
}

/** Throws the ConfigError naming `setting` when insecureTransportReason finds a reason. */
export function assertTokenTransport(baseUrl: string, setting: string, allowInsecureHttp: boolean): void {
  const reason = insecureTransportReason(baseUrl, allowInsecureHttp);
  if (reason !== undefined) throw new ConfigError(`invalid ${setting}: ${reason}`, setting);
}

/** HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lowercase names win, as in curl); each proxy must be an http(s) URL. */
export function readProxyEnv(env: Env): ProxySettings {
  const pick = (name: string): [string, string] | undefined => {
    for (const key of [name.toLowerCase(), name]) {
      const value = env[key]?.trim();
      if (value) return [key, value];
    }
    return undefined;
  };
  const proxyUrl = (name: string): string | undefined => {
    const found = pick(name);
    if (found === undefined) return undefined;
    const [key, value] = found;
    // `host:port` without a scheme is common in the wild; curl reads it as http://.
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    if (!URL.canParse(withScheme) || !/^https?:$/.test(new URL(withScheme).protocol)) {
      throw new ConfigError(`invalid ${key}: must be a proxy URL such as http://proxy.example:3128`, key);
    }
    return withScheme;
  };
  const httpsProxy = proxyUrl('HTTPS_PROXY');
  const httpProxy = proxyUrl('HTTP_PROXY');
  const noProxy = pick('NO_PROXY')?.[1];
  return {
    ...(httpsProxy === undefined ? {} : { httpsProxy }),
    ...(httpProxy === undefined ? {} : { httpProxy }),
    ...(noProxy === undefined ? {} : { noProxy }),
  };
}
