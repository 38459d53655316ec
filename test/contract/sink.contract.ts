import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Batch, Sink } from '../../src/core/ports/sink.js';
import type { Tweet } from '../../src/core/ports/x-api.js';

/** A sink under test plus a way to read back what it durably accepted (after a flush), as post objects in order. */
export interface SinkFixture {
  readonly sink: Sink;
  /** Every post delivered so far, in delivery order. */
  delivered(): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

let seq = 0;
function batch(stream: string, ids: readonly string[], extra: Partial<Batch> = {}): Batch {
  seq += 1;
  const tweets: Tweet[] = ids.map((id) => ({ id, text: `post ${id} ✓ "quoted"\nnew line`, author_id: '12' }));
  return { version: 1, stream, batch_id: `b-${seq}`, correlation_id: 'exec-1', tweets, ...extra };
}

/** The behaviour every Sink must share. `makeSink` returns a fresh sink each time. */
export function describeSinkContract(name: string, makeSink: () => Promise<SinkFixture>): void {
  describe(`Sink contract: ${name}`, () => {
    let fixture: SinkFixture;
    beforeEach(async () => {
      fixture = await makeSink();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('has every post of every batch exactly once, in order, once flush resolves', async () => {
      const batches = [
        batch('s', ['9223372036854775807', '9223372036854775806']),
        batch('s', ['1578516068309794817']),
        batch('s', []),
        batch('s', ['30', '20', '10']),
      ];
      for (const b of batches) await fixture.sink.write(b);
      await fixture.sink.flush();
      const ids = (await fixture.delivered()).map((t) => t.id);
      expect(ids).toEqual([
        '9223372036854775807',
        '9223372036854775806',
        '1578516068309794817',
        '30',
        '20',
        '10',
      ]);
    });

    it('keeps call order when writes are not awaited one by one', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => String(1000 - i));
      await Promise.all(ids.map((id) => fixture.sink.write(batch('s', [id]))));
      await fixture.sink.flush();
      expect((await fixture.delivered()).map((t) => t.id)).toEqual(ids);
    });

    it('flushes what was written before, in order, with or without anything pending', async () => {
      await fixture.sink.flush();
      const writes = [fixture.sink.write(batch('s', ['3', '2'])), fixture.sink.write(batch('s', ['1']))];
      await fixture.sink.flush();
      await Promise.all(writes);
      await fixture.sink.flush();
      expect((await fixture.delivered()).map((t) => t.id)).toEqual(['3', '2', '1']);
    });

    it("keeps what one stream writes while another stream's flush is running (several streams, one sink)", async () => {
      await fixture.sink.write(batch('a', ['50', '49']));
      const first = fixture.sink.flush(); // stream a's commit, left running
      // Stream b's page, written while a's flush is under way (its file I/O has started).
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      await fixture.sink.write(batch('b', ['40']));
      await first;
      await fixture.sink.flush(); // stream b's commit
      expect((await fixture.delivered()).map((t) => t.id)).toEqual(['50', '49', '40']);
    });

    it('delivers each post unchanged, fields and text included', async () => {
      const post: Tweet = {
        id: '1578516068309794817',
        text: 'héllo\u2028world',
        edit_history_tweet_ids: ['1578516068309794817'],
        public_metrics: { like_count: 3 },
        created_at: '2026-08-01T10:00:00.000Z',
      };
      await fixture.sink.write({ ...batch('s', []), tweets: [post] });
      await fixture.sink.flush();
      const [delivered] = await fixture.delivered();
      expect(delivered).toMatchObject(post);
    });

    it('closes idempotently, keeping what was written, and refuses writes after close', async () => {
      await fixture.sink.write(batch('s', ['5']));
      await fixture.sink.close();
      await fixture.sink.close();
      await expect(fixture.sink.write(batch('s', ['6']))).rejects.toThrow(/closed/);
      expect((await fixture.delivered()).map((t) => t.id)).toEqual(['5']);
    });
  });
}
