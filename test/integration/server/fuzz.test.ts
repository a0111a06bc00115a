import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type RelayServer } from '../../../src/server/index.js';
import { runCampaign } from '../../../stress/fuzz/campaign.js';

// The CI slice of `npm run fuzz`: a fixed seed, 15–30 s on a quiet machine. An exception
// escaping the server fails the run (vitest reports it); a bystander pair that stops chatting
// makes the campaign throw.
let server: RelayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('fuzzing a live server', () => {
  it('survives 60,000 mutated, split and hostile frames with its bystanders still chatting', async () => {
    server = createServer({ host: '127.0.0.1', port: 0 });
    const { port } = await server.listen(0, '127.0.0.1');
    const batches: number[] = [];
    const result = await runCampaign({
      port,
      iterations: 60_000,
      seed: 10,
      batchFrames: 20_000,
      afterBatch: () => void batches.push(server!.stats.users),
    });
    expect(result.frames).toBeGreaterThanOrEqual(60_000);
    expect(result.batches).toBe(3);
    for (const kind of ['flip', 'truncate', 'kind', 'length', 'garbage', 'random']) {
      expect(result.counts[`mutated:${kind}`]).toBeGreaterThan(0);
    }
    expect(result.counts['split:bytes']).toBeGreaterThan(0);
    // Every fuzzing connection is gone after its batch: only the two bystanders remain.
    expect(batches).toEqual([2, 2, 2]);
  }, 180_000);
});
