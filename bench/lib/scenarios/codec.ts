import { int, num, type Row } from '../report.js';
import type { Scenario } from './types.js';
import type { CodecCase } from './results.js';
import { target, mark } from './judge.js';

/** The frame the codec target is judged on: the server's everyday input. */
export const CODEC_SMALL = 'SEND_MESSAGE 20 B text';

export const codec: Scenario = {
  name: 'codec',
  server: false,
  params: (quick) => ({ ms: quick ? 150 : 400 }),
  evaluate(run) {
    const cases = (run.result as { cases: CodecCase[] }).cases;
    const small = cases.find((c) => c.frame === CODEC_SMALL);
    const decode = small?.decodePerSecond ?? 0;
    const targets = [
      target(`decode ${CODEC_SMALL}`, '≥ 2,000,000/s', int(decode), decode >= 2_000_000),
    ];
    return {
      summary: { cases },
      ratios: {},
      targets,
      rows: cases.flatMap((c): Row[] => [
        [
          `${c.frame} (${c.frameBytes} B) decode/s`,
          `${int(c.decodePerSecond)} (${num(c.decodeMBPerSecond, 0)} MB/s)`,
          '',
          '',
          c.frame === CODEC_SMALL ? mark(targets[0]!) : '',
        ],
        [
          `${c.frame} encode/s (trusted)`,
          `${int(c.encodePerSecond)} (${int(c.encodeTrustedPerSecond)})`,
          '',
          '',
          '',
        ],
      ]),
    };
  },
};
