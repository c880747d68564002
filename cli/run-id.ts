/** The workflow id of an experiment's run: its name and config hash (light: `validate` uses it). */
import type { LoadedConfig } from '../lib/config/load';

export const runIdFor = (loaded: Pick<LoadedConfig, 'config' | 'hash'>) => `${loaded.config.name}-${loaded.hash.slice(0, 10)}`;
