/**
 * Error types shared by every layer. Each carries a stable `type` (used as the Temporal
 * ApplicationFailure type), an exit code for the CLI, and a message that names the file,
 * row or key path, what was expected and what was found.
 */

/** Exit codes of the CLI, documented in the README. */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  invalidInput: 2,
} as const;

export abstract class LaborError extends Error {
  abstract readonly type: string;
  /** Retrying cannot help: the input has to change first. */
  readonly nonRetryable: boolean = true;
  readonly exitCode: number = ExitCode.invalidInput;
  constructor(message: string, readonly details: string[] = []) {
    super(details.length ? `${message}\n${details.map((d) => `  - ${d}`).join('\n')}` : message);
    this.name = new.target.name;
  }
}

/** An experiment config that does not validate. */
export class InvalidConfig extends LaborError {
  readonly type = 'InvalidConfig';
}

/** A data file (panel, taxonomy, import source) that is malformed or inconsistent. */
export class InvalidData extends LaborError {
  readonly type = 'InvalidData';
}

/** A model folder that is missing files or does not match its tokenizer. */
export class InvalidModel extends LaborError {
  readonly type = 'InvalidModel';
}

/** A training job that failed for a reason a retry cannot fix (NaN loss, bad hyperparameters). */
export class TrainingFailed extends LaborError {
  readonly type = 'TrainingFailed';
  override readonly exitCode: number = ExitCode.runFailed;
}

/** Failure types that must not be retried by Temporal. */
export const NON_RETRYABLE_TYPES = ['InvalidConfig', 'InvalidData', 'InvalidModel', 'TrainingFailed', 'StorageFailed'];

/**
 * Collects problems so that all of them are reported at once, with a cap on the examples
 * printed per kind of problem ("12 rows: unknown occupation code; first: row 3 '9999', ...").
 */
export class ProblemList {
  private readonly groups = new Map<string, string[]>();
  private readonly counts = new Map<string, number>();
  constructor(private readonly maxExamples = 5) {}

  add(kind: string, example: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const examples = this.groups.get(kind) ?? [];
    if (examples.length < this.maxExamples) examples.push(example);
    this.groups.set(kind, examples);
  }

  get size(): number {
    return this.groups.size;
  }

  lines(): string[] {
    return [...this.groups].map(([kind, examples]) => {
      const n = this.counts.get(kind)!;
      return `${kind}: ${n} occurrence${n === 1 ? '' : 's'}; first: ${examples.join('; ')}`;
    });
  }

  /** Throws `make(summary, lines)` if any problem was recorded. */
  throwIfAny(make: (message: string, details: string[]) => Error, message: string): void {
    if (this.size > 0) throw make(message, this.lines());
  }
}
