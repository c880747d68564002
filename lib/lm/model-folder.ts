/**
 * A model folder (design.md 3b): config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model.onnx. Loaded from local files only; every problem found is reported at once.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { InvalidModel } from '../errors';

export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const;

export interface ModelFolder {
  /** Absolute path of the folder. */
  dir: string;
  config: Record<string, unknown>;
  tokenizer: PreTrainedTokenizer;
  /** Absolute path of onnx/model.onnx. */
  sessionPath: string;
  modelType: string;
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  maxPositions: number;
  /** The model's vocabulary (rows of the logits); the tokenizer's may be smaller. */
  vocabSize: number;
  /** Ids the tokenizer can produce (largest id + 1). */
  tokenizerVocabSize: number;
  hidden: number;
  /** Query heads (numKvHeads may be fewer). */
  numHeads: number;
  intermediate: number;
}

/** First present key of `keys` whose value is a positive integer. */
function intKey(config: Record<string, unknown>, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = config[k];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

/** Sizes from a config.json, for Llama-, GPT-2- and most decoder-only families. */
export function modelDims(config: Record<string, unknown>, where = 'config.json') {
  const text = (typeof config.text_config === 'object' && config.text_config) ? { ...config, ...(config.text_config as object) } : config;
  const problems: string[] = [];
  const need = (name: string, keys: string[]) => {
    const v = intKey(text, keys);
    if (v === undefined) problems.push(`${where}: no ${name} (expected one of ${keys.join(', ')} as a positive integer)`);
    return v ?? 0;
  };
  const numLayers = need('layer count', ['num_hidden_layers', 'n_layer', 'num_layers']);
  const heads = need('attention head count', ['num_attention_heads', 'n_head']);
  const hidden = need('hidden size', ['hidden_size', 'n_embd', 'd_model']);
  const maxPositions = need('maximum positions', ['max_position_embeddings', 'n_positions', 'n_ctx']);
  const vocabSize = need('vocabulary size', ['vocab_size']);
  const numKvHeads = intKey(text, ['num_key_value_heads']) ?? heads;
  const headDim = intKey(text, ['head_dim']) ?? (heads ? Math.floor(hidden / heads) : 0);
  const intermediate = intKey(text, ['intermediate_size', 'n_inner', 'ffn_dim']) ?? 4 * hidden;
  if (problems.length) throw new InvalidModel(`${where}: cannot read the model's sizes`, problems);
  return { numLayers, numKvHeads, headDim, maxPositions, vocabSize, hidden, numHeads: heads, intermediate };
}

/** Loads the tokenizer from a local folder, never from the network. */
export async function loadLocalTokenizer(dir: string): Promise<PreTrainedTokenizer> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  // An absolute path is read as a folder; a relative one could be taken for a hub id.
  return (await AutoTokenizer.from_pretrained(resolve(dir), { local_files_only: true })) as PreTrainedTokenizer;
}

export function tokenizerVocabSize(tokenizer: PreTrainedTokenizer): number {
  let max = -1;
  for (const id of tokenizer.get_vocab().values()) if (id > max) max = id;
  return max + 1;
}

/**
 * Loads and checks a model folder. Throws InvalidModel naming the folder and every problem:
 * missing files, unreadable config, sizes missing, a tokenizer that produces ids the model
 * does not have.
 */
export async function loadModelFolder(dirArg: string): Promise<ModelFolder> {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InvalidModel(`model folder not found: ${dir} (expected a folder with ${MODEL_FILES.join(', ')})`);
  }
  const missing = MODEL_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) {
    throw new InvalidModel(`model folder ${dir}: ${missing.length} required file(s) missing`, missing.map((f) => `missing ${f}`));
  }
  const configPath = join(dir, 'config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new InvalidModel(`${configPath}: not valid JSON: ${(err as Error).message}`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new InvalidModel(`${configPath}: expected a JSON object`);
  const dims = modelDims(config, configPath);
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await loadLocalTokenizer(dir);
  } catch (err) {
    throw new InvalidModel(`model folder ${dir}: tokenizer does not load: ${(err as Error).message}`);
  }
  const tokVocab = tokenizerVocabSize(tokenizer);
  if (tokVocab > dims.vocabSize) {
    throw new InvalidModel(
      `model folder ${dir}: tokenizer and model do not match: tokenizer.json has ids up to ${tokVocab - 1} ` +
        `(${tokVocab} tokens) but config.json vocab_size is ${dims.vocabSize}`,
    );
  }
  return {
    dir,
    config,
    tokenizer,
    sessionPath: join(dir, 'onnx/model.onnx'),
    modelType: String(config.model_type ?? 'unknown'),
    numLayers: dims.numLayers,
    numKvHeads: dims.numKvHeads,
    headDim: dims.headDim,
    maxPositions: dims.maxPositions,
    vocabSize: dims.vocabSize,
    tokenizerVocabSize: tokVocab,
    hidden: dims.hidden,
    numHeads: dims.numHeads,
    intermediate: dims.intermediate,
  };
}
