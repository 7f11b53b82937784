import { defineConfig } from 'vitest/config';

// Integration tests share one real stack (Kafka, ZooKeeper, Redis) and each spawns
// several replica processes on a 2-core machine: run files one at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
