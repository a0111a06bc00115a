import type { TestProject } from 'vitest/node';
import { startRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://…` of the redis-server the `cluster` project's suites share. */
    clusterRedisUrl: string;
  }
}

/**
 * vitest globalSetup of the `cluster` project: one real redis-server for the run; each
 * test's nodes use a prefix of their own in it, so tests never see each other's state.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('clusterRedisUrl', redis.url);
  return () => redis.stop();
}
