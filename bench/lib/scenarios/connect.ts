import { int, num, type Row } from '../report.js';
import type { Scenario } from './types.js';
import type { ConnectResult } from './results.js';
import { cpuRows, mark, target } from './judge.js';

export const connect: Scenario = {
  name: 'connect',
  server: true,
  params: (quick) => ({
    clients: quick ? 2_000 : 10_000,
    concurrency: 256,
    holdSeconds: quick ? 4 : 15,
    heartbeatMs: 4_000,
  }),
  evaluate(run) {
    const r = run.result as unknown as ConnectResult;
    const start = run.marks.start?.server;
    const end = run.marks.held?.server;
    const perClient =
      start && end && r.connectedAtEnd > 0 ? (end.rss - start.rss) / r.connectedAtEnd : null;
    const heapPerClient =
      start && end && r.connectedAtEnd > 0
        ? (end.heapUsed + end.external - start.heapUsed - start.external) / r.connectedAtEnd
        : null;
    const targets = [
      target(
        'still connected',
        `${int(r.clients)}`,
        int(r.connectedAtEnd),
        r.connectedAtEnd === r.clients,
      ),
      target(
        'registrations/s',
        '≥ 5,000',
        int(r.registrationsPerSecond),
        r.registrationsPerSecond >= 5_000,
      ),
      target(
        'server RSS per client',
        '< 24 KB',
        perClient === null ? '—' : `${num(perClient / 1000, 1)} KB`,
        perClient !== null && perClient < 24_000,
      ),
    ];
    return {
      summary: {
        registrationsPerSecond: r.registrationsPerSecond,
        connectedAtEnd: r.connectedAtEnd,
        rssPerClientBytes: perClient === null ? null : Math.round(perClient),
        heapPerClientBytes: heapPerClient === null ? null : Math.round(heapPerClient),
      },
      ratios: {},
      targets,
      rows: [
        ['registrations/s', int(r.registrationsPerSecond), '', '', mark(targets[1]!)],
        [
          'connected at end',
          `${int(r.connectedAtEnd)} of ${int(r.clients)}`,
          '',
          '',
          mark(targets[0]!),
        ],
        [
          'refused / failed / dropped',
          `${r.refused} / ${r.failed} / ${r.closedWhileHolding}`,
          '',
          '',
          '',
        ],
        [
          'server RSS per client',
          perClient === null ? '—' : `${num(perClient / 1000, 1)} KB`,
          '',
          '',
          mark(targets[2]!),
        ],
        [
          'server heap+external per client',
          heapPerClient === null ? '—' : `${num(heapPerClient / 1000, 1)} KB`,
          '',
          '',
          '',
        ],
        ['server RSS at end', end ? `${num(end.rss / 1e6, 1)} MB` : '—', '', '', ''],
        ...cpuRows(run, null).map((r): Row => [`${r[0]} registering`, r[1], r[2], r[3], r[4]]),
      ],
    };
  },
};
