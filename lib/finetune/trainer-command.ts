/**
 * How to start the trainer: `<python> -m <module> --job-dir DIR` with PYTHONPATH=<trainerPath>.
 * Configurable so tests can point at a small fake trainer package with the same interface.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InvalidConfig } from '../errors';

export interface TrainerCommand {
  /** Python interpreter (absolute path, or a name looked up on PATH). */
  python: string;
  /** Folder put on PYTHONPATH: the one that contains the `labor_trainer` package. */
  trainerPath: string;
  /** Module run with -m (default `labor_trainer.train`). */
  module?: string;
  /** More folders for PYTHONPATH, after trainerPath (a fitted baseline's package beside the trainer's). */
  morePaths?: string[];
  /** Extra environment for the trainer process. */
  env?: Record<string, string>;
}

export const DEFAULT_TRAINER_MODULE = 'labor_trainer.train';

/** The project's own trainer: `<repo>/.venv/bin/python`, PYTHONPATH=`<repo>/trainer`. */
export function defaultTrainerCommand(repoRoot: string): TrainerCommand {
  const root = resolve(repoRoot);
  return { python: join(root, '.venv', 'bin', 'python'), trainerPath: join(root, 'trainer') };
}

export function trainerArgv(trainer: TrainerCommand, jobDir: string): string[] {
  return [trainer.python, '-m', trainer.module ?? DEFAULT_TRAINER_MODULE, '--job-dir', jobDir];
}

/** The job's PYTHONPATH: trainerPath, morePaths, then any PYTHONPATH already set (`inherited`). */
export function pythonPathOf(trainer: TrainerCommand, inherited?: string): string {
  return [trainer.trainerPath, ...(trainer.morePaths ?? []), ...(inherited ? [inherited] : [])].join(':');
}

/** The logit baseline's job (baselines/labor_baselines, which uses labor_trainer's job folder code). */
export function logitCommand(trainer: TrainerCommand, repoRoot: string): TrainerCommand {
  return { ...trainer, module: 'labor_baselines.logit', morePaths: [join(resolve(repoRoot), 'baselines')] };
}

/** The CAREER-style model's job (labor_trainer.career, beside the trainer). */
export function careerCommand(trainer: TrainerCommand): TrainerCommand {
  return { ...trainer, module: 'labor_trainer.career' };
}

/** Environment entries the provider adds for the trainer (PYTHONPATH is prepended by callers). */
export function trainerEnv(trainer: TrainerCommand): Record<string, string> {
  return { PYTHONUNBUFFERED: '1', ...(trainer.env ?? {}) };
}

/** Checks what can be checked on the submitting host; problems all at once. */
export function checkTrainerCommand(trainer: TrainerCommand, where: string): TrainerCommand {
  const problems: string[] = [];
  if (!trainer || typeof trainer.python !== 'string' || trainer.python === '') {
    problems.push(`${where}.python: expected a Python interpreter path, found ${JSON.stringify(trainer?.python)}`);
  } else if (isAbsolute(trainer.python) && !existsSync(trainer.python)) {
    problems.push(`${where}.python: ${trainer.python} does not exist (create the venv: python3.11 -m venv .venv)`);
  }
  if (!trainer || typeof trainer.trainerPath !== 'string' || trainer.trainerPath === '') {
    problems.push(`${where}.trainerPath: expected the folder that contains labor_trainer/, found ${JSON.stringify(trainer?.trainerPath)}`);
  } else if (!existsSync(trainer.trainerPath)) {
    problems.push(`${where}.trainerPath: ${trainer.trainerPath} does not exist`);
  }
  if (problems.length) throw new InvalidConfig('invalid trainer command', problems);
  return { ...trainer, trainerPath: resolve(trainer.trainerPath) };
}

/** POSIX single-quote quoting for generated shell scripts. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
