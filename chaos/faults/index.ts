/** The fault of each name: one module per fault. */
import type { FaultName } from '../lib/plan.js';
import { brokerKillGroupCoordinator, brokerKillLedgerLeader, brokerKillTxnCoordinator, brokerRollingRestart, brokersTwoDown } from './broker.js';
import { leaderKill } from './leader-kill.js';
import { leaderStop } from './leader-stop.js';
import { netsplitFollowerAll, netsplitLeaderKafka, netsplitLeaderZookeeper } from './netsplit.js';
import { kafkaStop, zookeeperStop } from './outage.js';
import { partitionExpansion } from './partition-expansion.js';
import { redisStop } from './redis-stop.js';
import { rollingRestart } from './rolling-restart.js';
import { scale } from './scale.js';
import type { Fault } from './types.js';
import { workerKill } from './worker-kill.js';
import { zookeeperKillLeader, zookeeperQuorumLoss } from './zookeeper-ensemble.js';

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
  'broker-kill-ledger-leader': brokerKillLedgerLeader,
  'broker-kill-txn-coordinator': brokerKillTxnCoordinator,
  'broker-kill-group-coordinator': brokerKillGroupCoordinator,
  'broker-rolling-restart': brokerRollingRestart,
  'brokers-two-down': brokersTwoDown,
  'zookeeper-kill-leader': zookeeperKillLeader,
  'zookeeper-quorum-loss': zookeeperQuorumLoss,
  'netsplit-leader-zookeeper': netsplitLeaderZookeeper,
  'netsplit-leader-kafka': netsplitLeaderKafka,
  'netsplit-follower-all': netsplitFollowerAll,
};
