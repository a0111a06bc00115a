/**
 * What TLS costs Node itself, with no protocol: a bare relay process that copies bytes
 * unparsed, over plaintext and over TLS, in alternating rounds, with the load (writers and
 * readers, TLS clients in the TLS rounds) in a second process, as in `fanout-tls` and
 * `file-tls`. Its TLS-to-plaintext ratios are the most any Node server can reach on this
 * machine, so they put relaykit's own ratios in scale.
 *
 * - `pipe`: one source writes `--mb` MB to one sink through the relay (as `file` does).
 * - `fanout`: one writer sends `--message`-byte messages (234, the size of `fanout`'s POST),
 *   at most `--window` ahead of the slowest of `--members` readers, and the relay writes each
 *   read to every reader (as `fanout`).
 *
 *   npm run bench:tls-floor -- [--mode pipe|fanout|both] [--rounds 3] [--mb 1024]
 *     [--members 50] [--messages 200000] [--window 100] [--message 234]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  connect as netConnect,
  createServer as netServer,
  type Server,
  type Socket,
} from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, createServer as tlsServer } from 'node:tls';
import { createDevCertificateSet } from '../src/certs/dev-set.js';
import { scriptArgs, usageError, wholeNumber } from '../stress/cli-args.js';

const USAGE = `npm run bench:tls-floor -- [--mode pipe|fanout|both] [--rounds R] [--mb MB]
    [--members N] [--messages M] [--window W] [--message BYTES]
  --mode      pipe (one source to one sink), fanout (one writer to N readers) or both (default)
  --rounds R  alternated plaintext and TLS rounds of each mode (default 3)
  --mb MB     megabytes through the pipe (default 1024)
  --members N, --messages M, --window W, --message BYTES
              fan-out: readers (50), messages (200000), most messages ahead of the slowest
              reader (100), bytes of a message (234)`;
const values = scriptArgs(
  {
    mode: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '3' },
    mb: { type: 'string', default: '1024' },
    members: { type: 'string', default: '50' },
    messages: { type: 'string', default: '200000' },
    window: { type: 'string', default: '100' },
    message: { type: 'string', default: '234' },
    // Set by this file when it forks itself as the relay or the load.
    role: { type: 'string', default: 'main' },
    tls: { type: 'boolean', default: false },
    port: { type: 'string' },
    ca: { type: 'string' },
  },
  USAGE,
);
if (!['pipe', 'fanout', 'both'].includes(values.mode)) {
  usageError(`--mode ${values.mode}: choose pipe, fanout or both`, USAGE);
}
for (const name of ['rounds', 'mb', 'members', 'messages', 'window', 'message'] as const) {
  wholeNumber(name, values[name], 1, USAGE);
}

/** A child process of this same file in another role; resolves with its first message. */
function spawn(args: string[]): { child: ChildProcess; first: Promise<unknown> } {
  const child = fork(new URL(import.meta.url).pathname, args, { execArgv: process.execArgv });
  const first = new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, first };
}

function cpuMs(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The relay: plaintext or TLS, pipe or fan-out, reporting its CPU when asked. */
function relay(): void {
  const mode = values.mode;
  const members = Number(values.members);
  const peers: Socket[] = [];
  let held: Socket | null = null;
  let waiting = 0;
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    peers.push(socket);
    if (mode === 'pipe' && peers.length === 2) {
      const [sink, source] = peers as [Socket, Socket];
      source.on('data', (chunk: Buffer) => {
        if (!sink.write(chunk)) source.pause();
      });
      sink.on('drain', () => source.resume());
    } else if (mode === 'fanout' && peers.length === members + 1) {
      const writer = socket;
      const readers = peers.slice(0, members);
      for (const r of readers) {
        r.on('drain', () => {
          if (--waiting === 0) held?.resume();
        });
      }
      writer.on('data', (chunk: Buffer) => {
        for (const r of readers) if (!r.write(chunk)) waiting++;
        if (waiting > 0) {
          held = writer;
          writer.pause();
        }
      });
    }
  };
  let server: Server;
  let ca: string | undefined;
  if (values.tls) {
    const set = createDevCertificateSet();
    ca = set.ca.cert;
    server = tlsServer({ ...set.server }, onSocket);
  } else {
    server = netServer({ noDelay: true }, onSocket);
  }
  let usage = process.cpuUsage();
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0, ca });
  });
  process.on('message', (m: string) => {
    if (m === 'start') usage = process.cpuUsage();
    else process.send?.(cpuMs(usage));
  });
  process.on('disconnect', () => process.exit(0));
}

/** The load: connects readers (or the sink) first, then the writer, and times the run. */
async function load(): Promise<void> {
  const port = Number(values.port);
  const ca = values.ca;
  const dial = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket: Socket = ca
        ? tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () =>
            resolve(socket),
          )
        : netConnect(port, '127.0.0.1', () => resolve(socket));
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  const pipeMode = values.mode === 'pipe';
  const readers: Socket[] = [];
  for (let i = 0; i < (pipeMode ? 1 : Number(values.members)); i++) readers.push(await dial());
  const writer = await dial();
  // A TLS server sees a connection once its handshake is done, after the client's.
  await new Promise((resolve) => setTimeout(resolve, 200));
  process.send?.('connected');
  await new Promise((resolve) => process.once('message', resolve));
  const usage = process.cpuUsage();
  const start = performance.now();
  if (pipeMode) {
    const total = Number(values.mb) * 1024 * 1024;
    const block = randomBytes(1024 * 1024);
    let sent = 0;
    let got = 0;
    await new Promise<void>((resolve) => {
      readers[0]!.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= total) resolve();
      });
      const pump = (): void => {
        while (sent < total) {
          sent += block.length;
          if (!writer.write(block)) return;
        }
      };
      writer.on('drain', pump);
      pump();
    });
    const seconds = (performance.now() - start) / 1000;
    process.send?.({ rate: total / 1024 / 1024 / seconds, unit: 'MB/s', cpu: cpuMs(usage) });
  } else {
    const MESSAGE = Number(values.message);
    const total = Number(values.messages);
    const window = Number(values.window);
    const batch = Buffer.alloc(MESSAGE * window, 0x61);
    const got = readers.map(() => 0);
    let sent = 0;
    let slowest = 0;
    await new Promise<void>((resolve) => {
      const top = (): void => {
        // Keep the slowest reader at most `window` messages behind.
        const room = Math.min(slowest + window - sent, total - sent);
        if (room <= 0) return;
        writer.write(batch.subarray(0, room * MESSAGE));
        sent += room;
      };
      readers.forEach((r, i) => {
        r.on('data', (chunk: Buffer) => {
          got[i] = got[i]! + chunk.length;
          const min = Math.floor(Math.min(...got) / MESSAGE);
          if (min === slowest) return;
          slowest = min;
          if (slowest >= total) resolve();
          else top();
        });
      });
      top();
    });
    const seconds = (performance.now() - start) / 1000;
    const deliveries = total * readers.length;
    process.send?.({ rate: deliveries / seconds, unit: 'deliveries/s', cpu: cpuMs(usage) });
  }
  for (const s of [...readers, writer]) s.destroy();
  process.exit(0);
}

interface Round {
  rate: number;
  unit: string;
  cpu: number;
  relayCpu: number;
}

async function round(mode: string, tls: boolean): Promise<Round> {
  const relayProcess = spawn(['--role', 'relay', '--mode', mode, ...(tls ? ['--tls'] : [])]);
  const { port, ca } = (await relayProcess.first) as { port: number; ca?: string };
  const loadArgs = ['--role', 'load', '--mode', mode, '--port', String(port)];
  for (const k of ['mb', 'members', 'messages', 'window', 'message'] as const) {
    loadArgs.push(`--${k}`, values[k]!);
  }
  const loadProcess = spawn([...loadArgs, ...(ca ? [`--ca=${ca}`] : [])]);
  await loadProcess.first;
  relayProcess.child.send('start');
  const done = new Promise<Omit<Round, 'relayCpu'>>((resolve) =>
    loadProcess.child.once('message', (m) => resolve(m as Omit<Round, 'relayCpu'>)),
  );
  loadProcess.child.send('go');
  const result = await done;
  relayProcess.child.send('usage');
  const relayCpu = await new Promise<number>((resolve) =>
    relayProcess.child.once('message', (m) => resolve(Number(m))),
  );
  relayProcess.child.kill();
  return { ...result, relayCpu };
}

async function main(): Promise<void> {
  const modes = values.mode === 'both' ? ['pipe', 'fanout'] : [values.mode!];
  for (const mode of modes) {
    const ratios: number[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      const plain = await round(mode, false);
      const secure = await round(mode, true);
      ratios.push(secure.rate / plain.rate);
      const line = (x: Round): string =>
        `${x.rate.toFixed(0)} ${x.unit}, relay CPU ${x.relayCpu.toFixed(0)} ms, load CPU ${x.cpu.toFixed(0)} ms`;
      process.stdout.write(
        `${mode} round ${r + 1}: plaintext ${line(plain)}; TLS ${line(secure)}; ratio ${(secure.rate / plain.rate).toFixed(2)}\n`,
      );
    }
    ratios.sort((a, b) => a - b);
    process.stdout.write(
      `${mode}: TLS of plaintext, median of ${ratios.length} rounds ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)} (range ${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)})\n`,
    );
  }
}

if (values.role === 'relay') relay();
else if (values.role === 'load') await load();
else await main();
