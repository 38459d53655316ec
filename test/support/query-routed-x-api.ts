/**
 * Several FakeXApi worlds behind one XApi, chosen by the request's `query`: streams with very different
 * backlogs in one run (the fair-share tests). Unknown queries see an empty world.
 */
import type { ApiRequest, ApiResponse, XApi } from '../../src/core/ports/x-api.js';
import { FakeXApi } from './fake-x-api.js';
import type { ManualClock } from './manual-clock.js';

export class QueryRoutedXApi implements XApi {
  readonly requests: ApiRequest[] = [];
  readonly #worlds = new Map<string, FakeXApi>();
  readonly #empty: FakeXApi;

  constructor(private readonly clock: ManualClock) {
    this.#empty = new FakeXApi(clock);
  }

  /** The world of `query`, created empty on first use. */
  world(query: string): FakeXApi {
    let world = this.#worlds.get(query);
    if (world === undefined) {
      world = new FakeXApi(this.clock);
      this.#worlds.set(query, world);
    }
    return world;
  }

  get<T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
    this.requests.push(request);
    const query = request.params.query;
    return (query === undefined ? this.#empty : this.world(query)).get<T>(request, signal);
  }
}
