/**
 * Inputs, options and results of the one-step-ahead representativeness analysis: per model and
 * subgroup, the mean predicted next-state distribution against the empirical one, predicted
 * against actual rates, and calibration, with person-bootstrap intervals.
 */
import type { PersonRow } from '../artifacts/contracts';
import type { Interval } from '../metrics/bootstrap';
import type { PersonYears } from '../panel/panel';
import type { Taxonomy } from '../panel/taxonomy';
import type { Predictions } from '../predict/types';

/** One model's predictions.arrow, by name. */
export interface AnalysisModel {
  name: string;
  predictions: Predictions;
  /** The taxonomy the predictions were made over; checked against the analysis taxonomy when given. */
  taxonomy?: Taxonomy;
  /** The synthetic truth: its row shows how large a gap sampling noise alone makes. At most one. */
  oracle?: boolean;
}

/** A person row with extra covariates (e.g. a survey weight); any property can be a subgroup dimension. */
export type AnalysisPerson = PersonRow & Record<string, unknown>;

export interface AnalysisInput {
  taxonomy: Taxonomy;
  /** Persons (persons.arrow rows); extra properties of a row are read as covariates too. */
  persons: readonly PersonRow[];
  /** Needed only for the `education` dimension (education at the point's year). */
  personYears?: Pick<PersonYears, 'person_id' | 'year' | 'education'>;
  /** Every model is compared on the same points: those of the first model. */
  models: readonly AnalysisModel[];
  /** Taxonomy code -> occupation group; group-level distances are reported only when given. */
  groups?: ReadonlyMap<string, string>;
}

/**
 * A dimension: a person column (gender, race, region, or any other), `birth_cohort` (decade of
 * birth_year, e.g. "1960s") or `education` (at the point's year).
 */
export type Dimension = string;

export interface AnalysisOptions {
  /** Subgroup definitions; each is one dimension or an intersection (e.g. ['gender', 'race']). */
  subgroups?: readonly (readonly Dimension[])[];
  /** A subgroup with fewer persons or points is reported as too small, without statistics. */
  minPersons?: number;
  minPoints?: number;
  /** Person column holding survey weights; every person weighs 1 when not given. */
  weightColumn?: string;
  /** Bootstrap replicates (0: no intervals), seed, percentile interval level. */
  bootstrap?: number;
  seed?: number;
  level?: number;
  /** Equal-width bins of the top-1 confidence for calibration. */
  eceBins?: number;
  /** Added to every state's probability (empirical and predicted) before renormalising, for KL. */
  klEpsilon?: number;
}

export type SubgroupStatus = 'ok' | 'too_small';

export interface SubgroupInfo {
  /** e.g. "all", "gender=female", "gender=female&race=black". */
  id: string;
  dimensions: string[];
  values: string[];
  n_persons: number;
  n_points: number;
  /** Sum of the point weights (each point weighs its person's weight). */
  weight: number;
  status: SubgroupStatus;
}

/** A distance between the mean predicted and the empirical distribution. */
export interface DistanceStat {
  value: number;
  ci: Interval | null;
  /** Interval of (this model's distance - the oracle's), same resamples; null without an oracle or for it. */
  minus_oracle: Interval | null;
  /** The interval of (distance - oracle's distance) lies above 0. */
  exceeds_oracle: boolean | null;
}

export interface Distances {
  tv: DistanceStat;
  js: DistanceStat;
  kl: DistanceStat;
}

/** Predicted against actual rate; gap = predicted - actual. Null values where no point qualifies. */
export interface RateStat {
  n_points: number;
  predicted: number | null;
  actual: number | null;
  gap: number | null;
  ci: Interval | null;
  /** The interval of the gap excludes 0. */
  flagged: boolean | null;
}

export interface ReliabilityBin {
  bin: number;
  lo: number;
  hi: number;
  n_points: number;
  weight: number;
  /** Weighted mean top-1 confidence and accuracy in the bin; null for an empty bin. */
  confidence: number | null;
  accuracy: number | null;
}

export interface Calibration {
  ece: DistanceStat;
  bins: ReliabilityBin[];
}

export interface ModelSubgroupResult {
  model: string;
  subgroup: string;
  status: SubgroupStatus;
  /** Null when the subgroup is too small. `group` only when a group map was given. */
  distances: { state: Distances; group?: Distances } | null;
  rates: { change: RateStat; nonemployment: RateStat } | null;
  calibration: Calibration | null;
}

export interface AnalysisMethod {
  points: string;
  weights: string;
  distances: { tv: string; js: string; kl: string; kl_epsilon: number };
  rates: { change: string; nonemployment: string };
  calibration: { confidence: string; bins: number };
  bootstrap: { method: string; replicates: number; seed: number; level: number };
  flags: { rates: string; oracle: string };
  min_persons: number;
  min_points: number;
}

export interface OneStepAnalysis {
  method: AnalysisMethod;
  models: string[];
  oracle: string | null;
  n_states: number;
  /** Occupation groups in order (empty without a group map). */
  groups: string[];
  subgroups: SubgroupInfo[];
  results: ModelSubgroupResult[];
}
