/** Where people open an artifact (light: the CLI loads it at start-up, without Arrow). */
import { dirname, join } from 'node:path';

/**
 * A ref's stable name (`<root>/<kind>/<key>`, the symlink to its current version) from its
 * version folder (`<root>/<kind>/.versions/<key>-<random>`).
 */
export const stablePathOf = (ref: { path: string; key: string }): string => join(dirname(dirname(ref.path)), ref.key);
