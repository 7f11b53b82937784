/** The fault of each name: one module per fault. */
import type { FaultName } from '../lib/plan.js';
import { leaderKill } from './leader-kill.js';
import { leaderStop } from './leader-stop.js';
import { kafkaStop, zookeeperStop } from './outage.js';
import { partitionExpansion } from './partition-expansion.js';
import { redisStop } from './redis-stop.js';
import { rollingRestart } from './rolling-restart.js';
import { scale } from './scale.js';
import type { Fault } from './types.js';
import { workerKill } from './worker-kill.js';

export const FAULTS: Record<FaultName, Fault> = {
  'leader-kill': leaderKill,
  'leader-stop': leaderStop,
  'worker-kill': workerKill,
  'rolling-restart': rollingRestart,
  scale,
  'zookeeper-stop': zookeeperStop,
  'kafka-stop': kafkaStop,
  'redis-stop': redisStop,
  'partition-expansion': partitionExpansion,
};
