/**
 * Params shared by the stress kinds.
 */
import { z } from 'zod';

/** `auto` prefers stress-ng where the kind supports it and it is installed, else the Node worker. */
export const engineParam = z.enum(['auto', 'node', 'stress-ng']).default('auto');
