/** What the cluster reports about itself, read when `/healthz` or `/metrics` is asked. */
export interface ClusterHealth {
  /** Nodes the cluster currently knows, this one included. */
  readonly nodes: number;
  /** Whether this node reaches Redis now. */
  readonly redisUp: boolean;
  /**
   * Clients of this node not read now because another node holds their room (a member there
   * is backed up) or is a window of posts behind (room backpressure across nodes).
   */
  readonly postersHeld?: number;
  /** Members of this node whose backed-up sockets hold other nodes' posters now. */
  readonly membersHolding?: number;
}

/** The `/healthz` answer: `status` is `ok` (HTTP 200) or why it is not (HTTP 503). */
export interface HealthReport {
  status: 'ok' | 'draining' | 'redis_down';
  [field: string]: unknown;
}

/** Builds a health report from what the server knows at the moment of asking. */
export function healthReport(
  draining: boolean,
  cluster: ClusterHealth | null,
  fields: Record<string, unknown>,
): HealthReport {
  const status = draining ? 'draining' : cluster !== null && !cluster.redisUp ? 'redis_down' : 'ok';
  return {
    status,
    ...fields,
    ...(cluster === null ? {} : { cluster: { nodes: cluster.nodes, redisUp: cluster.redisUp } }),
  };
}
