/**
 * Every bench scenario: how each is run and judged lives in `scenarios/<name>.ts`, the
 * shared judging helpers in `scenarios/judge.ts`.
 */
import { bigRoom } from './scenarios/big-room.js';
import { churn } from './scenarios/churn.js';
import { clusterFanout, clusterRooms } from './scenarios/cluster.js';
import { codec } from './scenarios/codec.js';
import { connect } from './scenarios/connect.js';
import { fanout } from './scenarios/fanout.js';
import { file } from './scenarios/file.js';
import { fanoutMetrics } from './scenarios/metrics.js';
import { rooms } from './scenarios/rooms.js';
import { fileServer, sdkFile } from './scenarios/sdk-file.js';
import { fanoutTls, fileTls } from './scenarios/tls.js';
import type { Scenario } from './scenarios/types.js';

export type { Cpu, Evaluation, Run, Scenario, Target } from './scenarios/types.js';

/** Every scenario, in the order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [
  codec,
  fanout,
  rooms,
  connect,
  file,
  sdkFile,
  fileServer,
  bigRoom,
  churn,
  fanoutTls,
  fileTls,
  fanoutMetrics,
  clusterFanout,
  clusterRooms,
];
