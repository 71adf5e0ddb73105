/**
 * @module `pod.stress`, `pod.limit-cpu`, `pod.limit-memory`, `pod.limit-pids`, `pod.disk-fill`: the stress and limit
 * families applied to one container of a pod by the `turbulence agent` on the pod's node, through the same
 * FaultRequest transport as the pod network kinds (`./pod-network.ts`). What the agent does with each:
 *
 *   pod.stress        stress.cpu | stress.memory | stress.io, the load started inside the container's cgroups
 *                     (it counts against the pod's requests and limits; io writes in the container's filesystem)
 *   pod.limit-*       limit.cpu | limit.memory | limit.pids written on the container's own cgroup; the values
 *                     there before are kept in the agent's ledger and written back on revert or recover
 *   pod.disk-fill     stress.disk-fill in a directory of the container's filesystem (its mount namespace, reached
 *                     through /proc/<pid>/root), in a directory named from the fault id, removed on revert
 */
import type { z } from 'zod';
import type { JsonObject } from '../../core/json.js';
import { podAgentDriver } from './pod-network.js';
import {
  podDiskFillParams,
  podLimitCpuParams,
  podLimitMemoryParams,
  podLimitPidsParams,
  podStressParams,
} from './schema.js';

const params = <T extends z.ZodType>(schema: T) => schema as unknown as z.ZodType<JsonObject>;

/** `pod.stress`. */
export const podStressDriver = podAgentDriver(
  'pod.stress',
  params(podStressParams),
  "burn CPU, hold memory or hammer I/O inside a pod's container (its cgroups), through the node agent",
);
/** `pod.limit-cpu`. */
export const podLimitCpuDriver = podAgentDriver(
  'pod.limit-cpu',
  params(podLimitCpuParams),
  "cap a pod container's CPU (its cgroup's CFS quota; the previous value comes back on revert), through the node agent",
);
/** `pod.limit-memory`. */
export const podLimitMemoryDriver = podAgentDriver(
  'pod.limit-memory',
  params(podLimitMemoryParams),
  "lower a pod container's memory limit (its cgroup; the previous value comes back on revert), through the node agent",
);
/** `pod.limit-pids`. */
export const podLimitPidsDriver = podAgentDriver(
  'pod.limit-pids',
  params(podLimitPidsParams),
  "cap how many processes a pod container may have (its cgroup's pids.max), through the node agent",
);
/** `pod.disk-fill`. */
export const podDiskFillDriver = podAgentDriver(
  'pod.disk-fill',
  params(podDiskFillParams),
  "fill a directory of a pod container's filesystem (a size, or up to a percentage full; removed on revert), through the node agent",
);
