import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archiveRooms, echoBot, fileSink, type ReceivedFile } from '../../../bots/index.js';
import { type Client, connect } from '../../index.js';
import type { ClientTlsOptions } from '../../transport/index.js';
import { dialOptions, type ServerTarget } from '../server-target.js';
import type { Transcript } from './transcript.js';

/** Where the demo leaves its results. */
export interface DemoResult {
  ok: boolean;
  archiveLog: string;
  archiveJsonl: string;
  received: ReceivedFile | undefined;
}

const ROOM = 'lobby';
const STEP_MS = 350;
const WAIT_MS = 4000;

/** The file the visitor sends: a few hundred KiB so the transfer takes visible chunks. */
function demoFile(): Buffer {
  const lines = ['Hello from the relaykit demo!', ''];
  let length = 0;
  for (let i = 1; length < 300_000; i++) {
    const line = `line ${i}: the quick brown fox jumps over the lazy dog`;
    lines.push(line);
    length += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Marks a promise awaited later as handled now, so a rejection before that is no crash. */
function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * The demo scenario: an echo bot, an archiver and a file sink on one server, and a visitor
 * who talks to them, sends a file, and leaves. Every client is closed before it returns.
 */
export async function runDemo(
  server: Pick<ServerTarget, 'host' | 'port' | 'servers' | 'label'> & {
    tlsOptions?: ClientTlsOptions | undefined;
  },
  dir: string,
  t: Transcript,
  signal: AbortSignal,
): Promise<DemoResult> {
  const clients: Client[] = [];
  const open = async (name: string): Promise<Client> => {
    const client = await connect({
      name,
      ...dialOptions(server),
      signal,
      ...(server.tlsOptions === undefined ? {} : { tls: server.tlsOptions }),
    });
    clients.push(client);
    return client;
  };
  const stops: (() => Promise<void>)[] = [];
  try {
    t.step(`Three bots connect to ${server.label}`);
    const echo = await open('echo');
    stops.push((await echoBot(echo, { rooms: [ROOM] })).stop);
    t.event('echo', `joined #${ROOM}: repeats what it hears, and answers direct messages`);

    const archiver = await open('archiver');
    const archive = await archiveRooms(archiver, {
      dir: join(dir, 'archive'),
      rooms: [ROOM],
      server: { host: server.host, port: server.port },
    });
    stops.push(archive.stop);
    t.event('archiver', `joined #${ROOM}: writes it to ${archive.writer.roomDir(ROOM)}`);

    let received: ReceivedFile | undefined;
    let gotFile!: () => void;
    const fileArrived = new Promise<void>((resolve) => {
      gotFile = resolve;
    });
    const sinkClient = await open('filesink');
    stops.push(
      (
        await fileSink(sinkClient, {
          dir: join(dir, 'received'),
          conflict: 'overwrite',
          maxSize: 10 * 1024 * 1024,
          onReceived: (file) => {
            received = file;
            t.event('filesink', `stored ${file.fileName} (${file.bytes} bytes) at ${file.path}`);
            gotFile();
          },
          onRejected: (offer) =>
            t.event('filesink', `rejected ${offer.fileName} (${offer.reason})`),
        })
      ).stop,
    );
    t.event('filesink', `accepts files into ${join(dir, 'received')}`);
    await pause(STEP_MS, signal);

    t.step('A visitor arrives');
    const visitor = await open('visitor');
    visitor.onPost({ room: ROOM }, (p) => t.event(p.from, `#${p.room}: ${p.text}`));
    visitor.onDirect((d) => t.event(d.from, `(direct to visitor) ${d.text}`));
    const members = await visitor.join(ROOM);
    t.event('visitor', `joined #${ROOM}; members: ${members.join(', ')}`);
    t.event('visitor', `rooms on the server: ${(await visitor.rooms()).join(', ')}`);
    await pause(STEP_MS, signal);

    t.step('The visitor says hello; the echo bot answers');
    const echoed = settleLater(
      visitor.waitFor('post', (p) => p.from === 'echo', { timeoutMs: WAIT_MS, signal }),
    );
    await visitor.say(ROOM, 'hello, is anyone here?');
    const reply = await echoed;
    t.check(reply.text === 'echo: hello, is anyone here?', 'the echo bot echoed the greeting');
    await pause(STEP_MS, signal);

    t.step('A direct message to the echo bot');
    const answered = settleLater(
      visitor.waitFor('direct', (d) => d.from === 'echo', { timeoutMs: WAIT_MS, signal }),
    );
    const { delivered } = await visitor.direct('echo', 'ping');
    const answer = await answered;
    t.check(delivered && answer.text === 'echo: ping', 'delivered, and answered directly');
    t.check(
      !(await visitor.isOnline('nobody-here')),
      'a query for a user who is not there says offline',
    );
    await pause(STEP_MS, signal);

    t.step('The visitor sends a file to the file sink');
    const bytes = demoFile();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const transfer = visitor.sendFile('filesink', bytes, { name: 'greeting.txt' });
    t.event(
      'visitor',
      `offers greeting.txt (${bytes.length} bytes, sha256 ${sha256.slice(0, 16)}…)`,
    );
    await transfer.done;
    await Promise.race([fileArrived, pause(WAIT_MS, signal)]);
    const stored = received ? readFileSync(received.path) : undefined;
    const storedSha = stored ? createHash('sha256').update(stored).digest('hex') : undefined;
    t.check(storedSha === sha256, 'the stored file has the same sha256 as the one sent');
    await pause(STEP_MS, signal);

    t.step('The visitor says goodbye');
    const left = settleLater(
      archiver.waitFor('members', (m) => m.room === ROOM && !m.members.includes('visitor'), {
        timeoutMs: WAIT_MS,
        signal,
      }),
    );
    await visitor.say(ROOM, 'thanks, that was fun');
    await visitor.close('see you next time');
    await left;
    t.event('visitor', 'left with the farewell "see you next time"');

    const day = new Date();
    const paths = archive.writer.paths(ROOM, day);
    for (const stop of stops.splice(0)) await stop();
    t.step(`The archive of #${ROOM} (${paths.log})`);
    const log = readFileSync(paths.log, 'utf8').trimEnd().split('\n');
    t.block(log.slice(-10));
    return {
      ok: reply.text.startsWith('echo: ') && delivered && storedSha === sha256,
      archiveLog: paths.log,
      archiveJsonl: paths.jsonl,
      received,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => {});
    await Promise.allSettled(clients.map((c) => c.close('demo over')));
  }
}
