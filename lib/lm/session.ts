/**
 * An onnxruntime-node session over a model folder's graph, checked against the graph contract
 * (design.md 3b), with the session options recorded for the run manifest.
 */
import * as ort from 'onnxruntime-node';
import { InvalidModel } from '../errors';
import type { ModelFolder } from './model-folder';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** What is passed to onnxruntime; recorded in manifests so timings can be compared. */
export interface LmSessionOptions {
  /** Threads inside one operator (onnxruntime's intraOpNumThreads); 0 = onnxruntime's default (one per physical core). */
  intraOpNumThreads: number;
  graphOptimizationLevel: GraphOptimizationLevel;
  executionProvider: 'cpu';
  onnxruntimeVersion: string;
}

export function sessionOptions(threads?: number, graphOptimizationLevel: GraphOptimizationLevel = 'all'): LmSessionOptions {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 0)) {
    throw new RangeError(`threads must be a non-negative integer (0 = onnxruntime's default), got ${threads}`);
  }
  return {
    intraOpNumThreads: threads ?? 0,
    graphOptimizationLevel,
    executionProvider: 'cpu',
    onnxruntimeVersion: ort.env.versions?.common ?? 'unknown',
  };
}

export type Feeds = Record<string, ort.Tensor>;

export function int64Tensor(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

export function float32Tensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export const pastName = (layer: number, kv: 'key' | 'value') => `past_key_values.${layer}.${kv}`;
export const presentName = (layer: number, kv: 'key' | 'value') => `present.${layer}.${kv}`;

export class LmSession {
  /** The graph also outputs logsumexp(logits) per position (graphs from labor_trainer.onnx_export). */
  readonly hasLogsumexp: boolean;
  readonly presentNames: string[];
  readonly pastNames: string[];

  private constructor(
    readonly session: ort.InferenceSession,
    readonly folder: ModelFolder,
    readonly options: LmSessionOptions,
  ) {
    this.hasLogsumexp = session.outputNames.includes('logsumexp');
    this.pastNames = [];
    this.presentNames = [];
    for (let i = 0; i < folder.numLayers; i++) {
      for (const kv of ['key', 'value'] as const) {
        this.pastNames.push(pastName(i, kv));
        this.presentNames.push(presentName(i, kv));
      }
    }
  }

  static async open(folder: ModelFolder, options: LmSessionOptions): Promise<LmSession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(folder.sessionPath, {
        executionProviders: ['cpu'],
        intraOpNumThreads: options.intraOpNumThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: options.graphOptimizationLevel,
        logSeverityLevel: 3,
      });
    } catch (err) {
      throw new InvalidModel(`${folder.sessionPath}: onnxruntime cannot load the graph: ${(err as Error).message}`);
    }
    checkGraph(session, folder);
    return new LmSession(session, folder, options);
  }

  /** Past tensors for a batch: all layers empty (length 0). */
  emptyPast(batch: number): Feeds {
    const feeds: Feeds = {};
    for (const name of this.pastNames) {
      feeds[name] = float32Tensor(new Float32Array(0), [batch, this.folder.numKvHeads, 0, this.folder.headDim]);
    }
    return feeds;
  }

  run(feeds: Feeds, fetches: readonly string[]): Promise<ort.InferenceSession.OnnxValueMapType> {
    return this.session.run(feeds, fetches as string[]);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** Checks the graph's inputs and outputs against the contract and the config's sizes. */
function checkGraph(session: ort.InferenceSession, folder: ModelFolder): void {
  const problems: string[] = [];
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  for (const name of ['input_ids', 'attention_mask', 'position_ids']) if (!inputs.has(name)) problems.push(`input '${name}' missing`);
  if (!outputs.has('logits')) problems.push(`output 'logits' missing`);
  for (let i = 0; i < folder.numLayers; i++) {
    for (const kv of ['key', 'value'] as const) {
      if (!inputs.has(pastName(i, kv))) problems.push(`input '${pastName(i, kv)}' missing`);
      if (!outputs.has(presentName(i, kv))) problems.push(`output '${presentName(i, kv)}' missing`);
    }
  }
  const extraPast = session.inputNames.filter((n) => n.startsWith('past_key_values.') && Number(n.split('.')[1]) >= folder.numLayers);
  if (extraPast.length) problems.push(`graph has more layers than config.json's ${folder.numLayers} (found ${extraPast[0]})`);
  const meta = (session as unknown as { inputMetadata?: { name: string; shape?: (number | string)[] }[] }).inputMetadata;
  const past0 = meta?.find((m) => m.name === pastName(0, 'key'));
  if (past0?.shape && past0.shape.length === 4) {
    const [, h, , d] = past0.shape;
    if (typeof h === 'number' && h !== folder.numKvHeads) problems.push(`past key/value heads: config.json says ${folder.numKvHeads}, graph has ${h}`);
    if (typeof d === 'number' && d !== folder.headDim) problems.push(`past key/value head size: config.json says ${folder.headDim}, graph has ${d}`);
  }
  if (problems.length) {
    throw new InvalidModel(`${folder.sessionPath}: graph does not follow the model contract (design.md 3b)`, problems);
  }
}
