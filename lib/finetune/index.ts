/** Fine-tuning jobs: the provider registry and the public API of lib/finetune. */
import { InvalidConfig } from '../errors';
import { didYouMean } from '../config/did-you-mean';
import type { JobProvider } from './job';
import { LocalProvider, type LocalProviderOptions } from './local-provider';
import { SlurmProvider, type SlurmJobOptions } from './slurm-provider';

export type ProviderName = 'local' | 'slurm';

/**
 * One options shape for every provider, so a config can name the provider and carry all
 * settings: the common fields, plus Slurm's either flat or under `slurm` (which wins).
 * Providers ignore what is not theirs.
 */
export interface CreateProviderOptions extends LocalProviderOptions, SlurmJobOptions {
  slurm?: SlurmJobOptions;
}

const PROVIDERS: Record<ProviderName, (options: CreateProviderOptions) => JobProvider> = {
  local: ({ jobsRoot, trainer, cancelGraceMs, lock }) => new LocalProvider({ jobsRoot, trainer, cancelGraceMs, lock }),
  slurm: ({ slurm, cancelGraceMs: _unused, ...rest }) => new SlurmProvider({ ...rest, ...slurm }),
};

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

export function createProvider(name: ProviderName | (string & {}), options: CreateProviderOptions): JobProvider {
  if (!Object.hasOwn(PROVIDERS, name)) {
    const guess = didYouMean(name, PROVIDER_NAMES);
    throw new InvalidConfig(
      `unknown fine-tuning provider ${JSON.stringify(name)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''} (known: ${PROVIDER_NAMES.join(', ')})`,
    );
  }
  return PROVIDERS[name as ProviderName](options);
}



export {
  type TrainingSpec, type JobState, type JobStatus, type JobProgress, type JobErrorType, type JobProvider,
  type SubmitOptions, type SubmitResult, type JobResult, jobIdForSpec, assertJobId, isTerminal, JOB_ID_PREFIX, TRAINER_EXIT,
  InvalidJobSpec, JobNotFound, JobNotSucceeded, ProviderError,
} from './job';
export { canonicalJson, hashJson } from '../config/hash';
export { JOB_FILES, type TrainerStatus, type JobRecord } from './job-dir';
export { LocalProvider, type LocalProviderOptions, PROCESS_LOG } from './local-provider';
export { SlurmProvider, type SlurmProviderOptions, type SlurmJobOptions, SBATCH_FILE, JOB_NAME_PREFIX } from './slurm-provider';
export { type TrainerCommand, defaultTrainerCommand, DEFAULT_TRAINER_MODULE } from './trainer-command';
export { waitForJob, type WaitOptions } from './wait';
