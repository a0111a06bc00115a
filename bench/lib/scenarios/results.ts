import type { Latency } from '../stats.js';

export interface FanoutResult {
  deliveriesPerSecond: number;
  rounds?: { deliveries: number }[];
  latencyMs: Latency;
  lost: number;
  duplicated: number;
  errors: number;
}
export interface RoomsResult extends FanoutResult {
  offeredDeliveriesPerSecond: number;
  sendLagMs: { p99: number; max: number };
}
export interface ConnectResult {
  clients: number;
  registrationsPerSecond: number;
  connectedAtEnd: number;
  closedWhileHolding: number;
  refused: number;
  failed: number;
}
export interface FileResult {
  mbPerSecond: number;
  rounds?: unknown[];
  sha256Ok: boolean;
  received: number;
  bytes: number;
}
export interface CodecCase {
  frame: string;
  frameBytes: number;
  decodePerSecond: number;
  decodeMBPerSecond: number;
  encodePerSecond: number;
  encodeTrustedPerSecond: number;
}
