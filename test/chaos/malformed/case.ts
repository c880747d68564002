/** One generated malformed input: the command that reads it and what its error must name. */
export interface MalformedCase {
  /** What was broken, for the report ("config: steps[1].persons set to 'abc'"). */
  what: string;
  /** `labor-llm` arguments. */
  args: string[];
  /** The file the message must name (its base name is enough). */
  file: string;
  /** Where the problem is: any one of these named in the message is enough. */
  lines?: number[];
  keys?: string[];
  /** An output folder the command must not create. */
  out?: string;
  /** Whether the command starts a run (needs a store and a worker). */
  run?: boolean;
}

/** A seeded choice. */
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
