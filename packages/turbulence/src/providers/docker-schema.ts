/**
 * Ours: the schema of the `docker` probe provider, apart from its implementation so the experiment schema can be
 * assembled without loading the Docker client.
 */
import { z } from 'zod';
import { strictObject } from '../experiment/strict.js';

/** `{type: "docker", name?, label?, timeout?}`: one container by name, or every container with the labels. */
export const dockerObject = strictObject(
  {
    type: z.literal('docker'),
    /** The container's exact name. */
    name: z.string().min(1, { message: 'name must be a container name' }).optional(),
    /** `key=value` labels (comma-separated or a list), all of which must match. */
    label: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Seconds to wait for the Engine, default 5. */
    timeout: z.number().positive().optional(),
  },
  'the docker provider',
).refine((p) => (p.name === undefined) !== (p.label === undefined), {
  message: 'give exactly one of name (one container) or label (every container with those labels)',
});

/** Ours: `{type: "docker", ...}`: the state of containers, from the Docker Engine. */
export type DockerProvider = z.output<typeof dockerObject>;

/** Schema of the `docker` provider. */
export const dockerSchema: z.ZodType<DockerProvider> = dockerObject;
