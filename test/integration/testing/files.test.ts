import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../../src/modules/index.js';
import { startTestKit, type TestKit } from '../../../src/testing/index.js';

// A bot that takes any file offered to it and offers it back, upper-cased, to the sender;
// what became of its own offer is posted in lobby.
const shouter = defineBot({
  name: 'shouter',
  rooms: ['lobby'],
  setup(client) {
    client.onOffer(async (ctx) => {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _e, done) {
          chunks.push(chunk);
          done();
        },
      });
      await ctx.accept({ stream: sink }).done;
      const loud = Buffer.from(Buffer.concat(chunks).toString('utf8').toUpperCase());
      try {
        await client.sendFile(ctx.from, loud, { name: `LOUD-${ctx.fileName}` }).done;
        await client.say('lobby', `sent ${ctx.from} ${loud.length} bytes`);
      } catch (err) {
        await client.say('lobby', `${ctx.from}: ${(err as { code?: string }).code}`);
      }
    });
  },
});

let kit: TestKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('relaykit/testing files', () => {
  it('a user sends a file from memory and accepts the bot’s file into memory', async () => {
    kit = await startTestKit();
    await kit.run(shouter);
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const offered = ann.client.waitFor('offer');
    const said = ann.nextPost({ from: 'shouter' });
    const sent = await ann.sendFile('shouter', 'note.txt', 'hello bot');
    expect(sent.bytes).toBe(9);
    // The bot offers before the test asks: the offer waits for nextFile instead of being rejected.
    await offered;
    const file = await ann.nextFile({ from: 'shouter' });
    expect((await said).text).toBe('sent ann 9 bytes');
    expect(file).toMatchObject({ from: 'shouter', fileName: 'LOUD-note.txt' });
    expect(file.bytes.toString()).toBe('HELLO BOT');
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('carries binary bytes of a size users send (1 MiB) unchanged', async () => {
    kit = await startTestKit();
    const echo = defineBot({
      name: 'mirror',
      setup(client) {
        client.onOffer(async (ctx) => {
          const chunks: Buffer[] = [];
          const sink = new Writable({
            write(c: Buffer, _e, done) {
              chunks.push(c);
              done();
            },
          });
          await ctx.accept({ stream: sink }).done;
          await client.sendFile(ctx.from, Buffer.concat(chunks), { name: ctx.fileName }).done;
        });
      },
    });
    await kit.run(echo);
    const bob = await kit.user('bob');
    const bytes = Buffer.alloc(1 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    const back = bob.nextFile({ from: 'mirror', timeoutMs: 10_000 });
    await bob.sendFile('mirror', 'blob.bin', bytes);
    expect((await back).bytes.equals(bytes)).toBe(true);
  });

  it('nextOffer lets a test reject; the bot sees REJECTED', async () => {
    kit = await startTestKit();
    await kit.run(shouter);
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const said = ann.nextPost({ from: 'shouter' });
    await ann.sendFile('shouter', 'x.txt', 'x');
    const offer = await ann.nextOffer({ from: 'shouter' });
    await offer.reject();
    expect((await said).text).toBe('ann: REJECTED');
  });

  it('nextFile fails with TIMEOUT and what to check when no file comes', async () => {
    kit = await startTestKit();
    const ann = await kit.user('ann');
    await expect(ann.nextFile({ from: 'shouter', timeoutMs: 50 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('ann was offered no file by shouter within 50 ms'),
    });
  });

  it('sendFile to a user who is not connected rejects with the SDK’s error', async () => {
    kit = await startTestKit();
    const ann = await kit.user('ann');
    await expect(ann.sendFile('nobody', 'a.txt', 'a')).rejects.toHaveProperty('code');
  });
});
