/** Where the X API bearer token comes from. The token never enters a log line, an error or a summary. */

export interface BearerTokenSource {
  /** The current token (cached by the source as it sees fit). */
  token(): Promise<string>;
  /** Drops any cached value so the next `token()` fetches afresh (after a 401, e.g. a rotated token). */
  invalidate(): void;
}

/** A fixed token from the environment (X_BEARER_TOKEN), for local runs. */
export class EnvBearerTokenSource implements BearerTokenSource {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  async token(): Promise<string> {
    return this.#value;
  }
  invalidate(): void {}
  toJSON(): Record<string, unknown> {
    return { kind: 'env' };
  }
}
