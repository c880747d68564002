/**
 * The experiment config schema. Strict: an unknown key is an error. Defaults are applied here,
 * so the resolved config (and its hash) says exactly what runs. Configs never execute code:
 * generators, templates, providers, scorers and baselines are referenced by registered name.
 */
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes, starting with a letter');
const stepRef = name.describe('the name of an earlier step');
const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);
/** "90s", "15m", "2h", or a number of seconds. */
const duration = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration like 30s, 15m or 2h')]);

const splits = z
  .strictObject({ train: fraction, valid: fraction, test: fraction })
  .refine((s) => Math.abs(s.train + s.valid + s.test - 1) < 1e-9, 'train + valid + test must be 1');

const dataCommon = {
  name,
  /** Dataset name written into each text's header. */
  datasetName: z.string().optional(),
  /** 'default' or a path to a `code,title[,kind]` CSV, relative to the config file. */
  taxonomy: z.string().default('default'),
  splits: splits.default({ train: 0.7, valid: 0.1, test: 0.2 }),
  seed: z.number().int().optional(),
};

export const syntheticDataStep = z.strictObject({
  kind: z.literal('data'),
  source: z.literal('synthetic'),
  ...dataCommon,
  generator: z.strictObject({ name: z.literal('career-markov'), version: z.literal(1) }).default({ name: 'career-markov', version: 1 }),
  population: z.enum(['resume', 'survey']),
  persons: positiveInt,
  firstYear: z.number().int().default(1980),
  lastYear: z.number().int().default(2020),
  biennialAfter: z.number().int().default(1996),
});

export const importDataStep = z.strictObject({
  kind: z.literal('data'),
  source: z.enum(['career', 'table']),
  ...dataCommon,
  /** A CAREER folder or a CSV/Arrow long table, relative to the config file. */
  path: z.string(),
  /** For `table`: our column name -> the file's column name. */
  columns: z.record(z.string(), z.string()).optional(),
});

export const encodeStep = z.strictObject({
  kind: z.literal('encode'),
  name,
  input: stepRef,
  template: z
    .union([z.string(), z.strictObject({ name: z.string(), version: positiveInt.optional() })])
    .default('resume')
    .transform((t) => (typeof t === 'string' ? { name: t } : t)),
});

const modelArchitecture = z.strictObject({
  architecture: z.literal('llama').default('llama'),
  layers: positiveInt,
  hidden: positiveInt,
  heads: positiveInt,
  intermediate: positiveInt.optional(),
  vocabSize: positiveInt.default(2048),
  maxPositions: positiveInt.default(512),
});

/** Resources for the slurm provider. */
const slurmResources = z
  .strictObject({
    partition: z.string().optional(),
    gpus: z.number().int().min(0).optional(),
    time: z.string().optional(),
    mem: z.string().optional(),
    cpusPerTask: positiveInt.optional(),
    setup: z.array(z.string()).optional(),
  })
  .optional();

/**
 * The encode steps whose texts a finetune step trains on: one name, or a list pooled in order
 * (train with train, valid with valid). A one-name list reads as the name, so the resolved config
 * and its cache key are those of `data: name`.
 */
const finetuneData = z
  .union([stepRef, z.array(stepRef).min(1, 'expected the name of an encode step or a non-empty list of them, found an empty list')])
  .transform((d) => (Array.isArray(d) && d.length === 1 ? d[0] : d));

export const finetuneStep = z.strictObject({
  kind: z.literal('finetune'),
  name,
  data: finetuneData,
  provider: z.enum(['local', 'slurm']).default('local'),
  /** Where the weights start: a small architecture from scratch, a local HF folder, or an earlier finetune step. */
  base: z.union([
    z.strictObject({ init: modelArchitecture }),
    z.strictObject({ path: z.string() }),
    z.strictObject({ step: stepRef }),
  ]),
  method: z.enum(['full', 'lora']).default('full'),
  lora: z
    .strictObject({
      r: positiveInt.default(8),
      alpha: z.number().positive().default(16),
      dropout: fraction.default(0.05),
      targetModules: z.array(z.string()).min(1).default(['q_proj', 'v_proj']),
      /**
       * Store the merged weights. By default a LoRA step stores its adapters alone (megabytes, not
       * a 7B model's 13 GB), its base named by path and digest; readers merge them as they load.
       * Optional rather than defaulted so that the cache keys of existing LoRA steps stay the same.
       */
      merge: z.boolean().optional(),
    })
    .optional(),
  epochs: z.number().positive().default(1),
  maxSteps: positiveInt.optional(),
  learningRate: z.number().positive().default(1e-3),
  schedule: z
    .strictObject({ warmupSteps: z.number().int().min(0).default(10), decay: z.enum(['cosine', 'linear', 'constant']).default('cosine') })
    .default({ warmupSteps: 10, decay: 'cosine' }),
  batchSize: positiveInt.default(16),
  gradAccum: positiveInt.default(1),
  maxSeqLen: positiveInt.default(256),
  /** Pack each batch's texts into as few maxSeqLen rows as fit (attention stays inside each text; batchSize still counts texts). */
  packing: z.boolean().default(true),
  /** Recompute activations in the backward pass: less GPU memory for about a third more compute. */
  gradientCheckpointing: z.boolean().default(false),
  seed: z.number().int().optional(),
  evalEvery: positiveInt.default(50),
  earlyStoppingPatience: positiveInt.optional(),
  precision: z.enum(['fp32', 'bf16', 'fp16']).default('fp32'),
  device: z.enum(['cpu', 'cuda']).default('cpu'),
  threads: positiveInt.optional(),
  /**
   * The trained model's ONNX export (what the onnx scorer reads). `none` saves HF weights and the
   * tokenizer only (for a torch scorer, or a base for another fine-tune). `auto`: `onnx` when an
   * ONNX scorer of the experiment reads this step's model, else `none` (onnx-export.ts).
   */
  export: z.enum(['auto', 'onnx', 'none']).default('auto'),
  /** A running job whose progress (status.json) stands still this long is stopped and resumed from its checkpoint. */
  stallTimeout: duration.default('30m'),
  /** Resources for the slurm provider. */
  slurm: slurmResources,
});

/**
 * A baseline fitted in Python as a durable job (like fine-tuning: resumable, idempotent, visible
 * in status): its distributions over the valid states at the points of `predictSplits` are read
 * by an evaluate step that names it as its model. `logit`: the multinomial logit of
 * baselines/README.md, its L2 penalty chosen on the valid split. `career`: a CAREER-style
 * transformer over occupation sequences with covariate embeddings (trainer/README.md),
 * optionally pretrained on another population's points (`pretrain`).
 */
export const fitStep = z
  .strictObject({
    kind: z.literal('fit'),
    name,
    /** An encode step: its point features (and taxonomy) are the data. */
    data: stepRef,
    model: z.enum(['logit', 'career']),
    /** career: an encode step of another population (e.g. the resume panel) to pretrain on, all its points. */
    pretrain: stepRef.optional(),
    provider: z.enum(['local', 'slurm']).default('local'),
    logit: z
      .strictObject({
        /** L2 grid, fitted strongest first; the best on the valid split is kept. */
        penalties: z.array(z.number().min(0)).min(1).default([0.1, 0.01, 0.001, 0.0001]),
        maxIter: positiveInt.default(200),
        /** Weight points by the panel's survey weights. */
        useWeights: z.boolean().default(true),
      })
      .optional(),
    career: z
      .strictObject({
        layers: positiveInt.default(2),
        hidden: positiveInt.default(64),
        heads: positiveInt.default(4),
        dropout: fraction.default(0.1),
        /** Positions (observed years) per window. */
        maxLen: positiveInt.default(64),
        epochs: z.number().int().min(0).default(10),
        pretrainEpochs: z.number().int().min(0).default(3),
        batchSize: positiveInt.default(32),
        learningRate: z.number().positive().default(1e-3),
        weightDecay: z.number().min(0).default(0.01),
        warmupSteps: z.number().int().min(0).default(20),
        evalEvery: positiveInt.default(100),
        earlyStoppingPatience: positiveInt.optional(),
        useWeights: z.boolean().default(true),
        device: z.enum(['cpu', 'cuda']).default('cpu'),
      })
      .optional(),
    /** Splits whose points get a distribution (what evaluate steps can score). */
    predictSplits: z.array(z.enum(['train', 'valid', 'test'])).min(1).default(['valid', 'test']),
    seed: z.number().int().optional(),
    /** Torch CPU threads; a fixed number keeps the fit bit-for-bit reproducible (default 1). */
    threads: positiveInt.optional(),
    /** A running job whose progress stands still this long is stopped and resumed from its checkpoint. */
    stallTimeout: duration.default('30m'),
    slurm: slurmResources,
  })
  .superRefine((s, ctx) => {
    const other = s.model === 'logit' ? 'career' : 'logit';
    if (s[other] !== undefined) ctx.addIssue({ code: 'custom', path: [other], message: `'${other}' settings given for model: ${s.model}; write them under '${s.model}' or set model: ${other}` });
    if (s.pretrain !== undefined && s.model !== 'career') ctx.addIssue({ code: 'custom', path: ['pretrain'], message: `pretrain needs model: career (found model: ${s.model}; the logit fits the survey alone)` });
  })
  .transform((s) => ({
    ...s,
    logit: s.model === 'logit' ? (s.logit ?? { penalties: [0.1, 0.01, 0.001, 0.0001], maxIter: 200, useWeights: true }) : undefined,
    career: s.model === 'career'
      ? (s.career ?? {
          layers: 2, hidden: 64, heads: 4, dropout: 0.1, maxLen: 64, epochs: 10, pretrainEpochs: 3, batchSize: 32, learningRate: 1e-3,
          weightDecay: 0.01, warmupSteps: 20, evalEvery: 100, useWeights: true, device: 'cpu' as const,
        })
      : undefined,
  }));

export const evaluateStep = z.strictObject({
  kind: z.literal('evaluate'),
  name,
  data: stepRef,
  /** A finetune step, a fit step (its distributions are read, not scored), or a local ONNX model folder. */
  model: z.union([stepRef, z.strictObject({ path: z.string() })]),
  split: z.enum(['train', 'valid', 'test']).default('test'),
  /** Evaluate only the first N prediction points (quick looks); all by default. */
  maxPoints: positiveInt.optional(),
  shards: positiveInt.default(2),
  scorer: z
    .strictObject({
      /** onnx: onnxruntime-node in the worker (CPU, `cpu` queue); torch: the Python scorer (scorer/) as a child process. */
      backend: z.enum(['onnx', 'torch']).default('onnx'),
      /** cuda (torch only) runs on the `gpu` queue. */
      device: z.enum(['cpu', 'cuda']).default('cpu'),
      /** bf16 (torch only): a sample of points is also scored in fp32 and the difference recorded in metrics.json. */
      dtype: z.enum(['fp32', 'bf16']).default('fp32'),
      kind: z.enum(['fast', 'naive']).default('fast'),
      threads: positiveInt.optional(),
      memoryBudgetMb: positiveInt.default(512),
      batchPoints: positiveInt.default(8),
      /** Points of the first shard scored again in fp32 when dtype is bf16 (torch only); default 16. */
      checkPoints: positiveInt.optional(),
    })
    .superRefine((s, ctx) => {
      const torchOnly = (key: string, why: string) => ctx.addIssue({ code: 'custom', path: [key], message: `${why} needs backend: torch (found backend: onnx; onnxruntime-node scores on CPU in fp32 only)` });
      if (s.backend === 'onnx') {
        if (s.device !== 'cpu') torchOnly('device', `device: ${s.device}`);
        if (s.dtype !== 'fp32') torchOnly('dtype', `dtype: ${s.dtype}`);
        if (s.checkPoints !== undefined) torchOnly('checkPoints', 'checkPoints (the bf16 check)');
      } else if (s.kind === 'naive') {
        ctx.addIssue({ code: 'custom', path: ['kind'], message: "kind: naive is the ONNX reference scorer; the torch backend has the tree scorer only (use kind: fast)" });
      }
    })
    .default({ backend: 'onnx', device: 'cpu', dtype: 'fp32', kind: 'fast', memoryBudgetMb: 512, batchPoints: 8 }),
  baselines: z.array(z.enum(['marginal', 'markov', 'markov2', 'markov-gap'])).default(['marginal', 'markov']),
  /** Compare with the generator's true probabilities when the data is synthetic. */
  oracle: z.boolean().default(true),
  /** Bootstrap replicates (resampling persons) for confidence intervals; 0 for none. */
  bootstrap: z.number().int().min(0).default(200),
  /** Seed of the bootstrap resampling. */
  seed: z.number().int().optional(),
  topK: positiveInt.default(5),
  /**
   * In-context learning (a model without fine-tuning): k whole texts of training-split persons
   * (never the person itself; all of them or those of the person's gender) before each point's
   * context, drawn per point from seed (default: the step's) + person + year. Whole examples are
   * dropped, the first first, until the context fits the model; metrics.json's scorer.incontext
   * records how many were used.
   */
  incontext: z
    .strictObject({ k: positiveInt, seed: z.number().int().optional(), selection: z.enum(['random', 'same-gender']).default('random') })
    .optional(),
});

/** One-step representativeness: every model of the named evaluations, per subgroup. */
export const analyzeStep = z.strictObject({
  kind: z.literal('analyze'),
  name,
  /** Evaluate steps, all on the same data, split and points; their models (fine-tuned, baselines, oracle) are compared. */
  evaluations: z.array(stepRef).min(1),
  /**
   * Subgroup definitions: one dimension (a person column such as gender, race or region,
   * `birth_cohort` or `education`) or an intersection ([gender, race]). Default: each on its own.
   */
  subgroups: z.array(z.array(z.string().min(1)).min(1)).optional(),
  /** Subgroups with fewer persons or points are reported as too small, without statistics. */
  minPersons: positiveInt.default(30),
  minPoints: positiveInt.default(100),
  /** Occupation groups are codes sharing their first `groupDigits` characters. */
  groupDigits: positiveInt.default(2),
  /** Person-bootstrap replicates for intervals; 0 for none. */
  bootstrap: z.number().int().min(0).default(200),
  seed: z.number().int().optional(),
  /**
   * Whole careers: from each test person's first `prefixYears` observed years, each evaluated
   * model (and, on synthetic data, the truth; and the `baselines`) samples the next `horizon`
   * years `draws` times over the valid states; compared per subgroup and horizon with the
   * observed careers and the truth's simulations.
   */
  trajectories: z
    .strictObject({
      prefixYears: positiveInt.default(3),
      horizon: positiveInt.default(5),
      draws: positiveInt.default(5),
      baselines: z.array(z.enum(['marginal', 'markov'])).default(['markov']),
      /**
       * The scorer the evaluated models sample through: onnx in the worker, or the Python torch
       * scorer (scorer/) as a child process; device cuda runs the analysis on the gpu queue.
       */
      scorer: z
        .strictObject({
          backend: z.enum(['onnx', 'torch']).default('onnx'),
          device: z.enum(['cpu', 'cuda']).default('cpu'),
          dtype: z.enum(['fp32', 'bf16']).default('fp32'),
        })
        .superRefine((s, ctx) => {
          if (s.backend === 'onnx' && s.device !== 'cpu') ctx.addIssue({ code: 'custom', path: ['device'], message: `device: ${s.device} needs backend: torch (found backend: onnx; onnxruntime-node scores on CPU only)` });
          if (s.backend === 'onnx' && s.dtype !== 'fp32') ctx.addIssue({ code: 'custom', path: ['dtype'], message: `dtype: ${s.dtype} needs backend: torch (found backend: onnx; onnxruntime-node scores in fp32 only)` });
        })
        .default({ backend: 'onnx', device: 'cpu', dtype: 'fp32' }),
      /**
       * Education in the simulated years: `observed` keeps each person's observed values;
       * `generated` draws it year by year with the state (from each model where it can, otherwise
       * from the training split's education transitions).
       */
      education: z.enum(['observed', 'generated']).default('observed'),
    })
    .optional(),
});

/** A self-contained HTML report of the run's evaluations and analysis. */
export const reportStep = z.strictObject({
  kind: z.literal('report'),
  name,
  /** An analyze step; its evaluations' metrics come with it. */
  analysis: stepRef.optional(),
  /** Further evaluate steps to tabulate (those of the analysis are included already). */
  evaluations: z.array(stepRef).default([]),
  title: z.string().optional(),
});

/** One table of every model of the named evaluations: metrics with intervals, paired against the oracle and a reference. */
export const compareStep = z.strictObject({
  kind: z.literal('compare'),
  name,
  /** Evaluate steps; every model of each (the evaluated model, its baselines, its oracle) is a row. */
  evaluations: z.array(stepRef).min(1),
  /**
   * The model the others are paired against, as `step:model` (e.g. `eval-a:model`, `eval-a:markov`),
   * or `none`. Default: the first evaluation's own model.
   */
  reference: z
    .string()
    .superRefine((v, ctx) => {
      if (!/^(none|[a-z][a-z0-9-]*:[a-z][a-z0-9-]*)$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `expected 'step:model' (one of this step's evaluations and one of its models, e.g. eval-a:model or eval-a:markov) or 'none', found '${v}'` });
      }
    })
    .optional(),
  /** Paired person-bootstrap replicates; 0 for no intervals. */
  bootstrap: z.number().int().min(0).default(200),
  seed: z.number().int().optional(),
});

export const step = z.discriminatedUnion('kind', [
  z.discriminatedUnion('source', [syntheticDataStep, importDataStep]),
  encodeStep,
  finetuneStep,
  fitStep,
  evaluateStep,
  analyzeStep,
  reportStep,
  compareStep,
]);

export const experimentConfig = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  name,
  description: z.string().optional(),
  /** Default seed of every step that has none (a data step draws its own from it and the step name: lib/config/load.ts dataSeed). */
  seed: z.number().int().default(0),
  /** Timeouts for the activities, tuned per cluster. */
  timeouts: z
    .strictObject({ heartbeat: duration.default('60s'), step: duration.default('24h') })
    .default({ heartbeat: '60s', step: '24h' }),
  steps: z.array(step).min(1),
});

export type ExperimentConfig = z.output<typeof experimentConfig>;
export type StepConfig = z.output<typeof step>;
export type StepKind = StepConfig['kind'];
export type DataStepConfig = Extract<StepConfig, { kind: 'data' }>;
export type EncodeStepConfig = z.output<typeof encodeStep>;
export type FinetuneStepConfig = z.output<typeof finetuneStep>;
export type FitStepConfig = z.output<typeof fitStep>;
export type EvaluateStepConfig = z.output<typeof evaluateStep>;
export type AnalyzeStepConfig = z.output<typeof analyzeStep>;
export type ReportStepConfig = z.output<typeof reportStep>;
export type CompareStepConfig = z.output<typeof compareStep>;
