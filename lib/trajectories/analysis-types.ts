/**
 * The comparison of simulated careers with the empirical ones (and, on synthetic data, with the
 * truth's simulations), per model, subgroup and horizon. JSON-able.
 */
import type { Dimension, SubgroupStatus } from '../analysis/types';
import type { Interval } from '../metrics/bootstrap';
import type { Careers, Simulation } from './types';

export interface TrajectoryInput {
  /** The careers simulated (the empirical reference: their observed years after the K-th). */
  careers: Careers;
  /** Every simulation must cover the same careers with the same prefix years and horizon. */
  simulations: readonly Simulation[];
  /** The sampler name of the synthetic truth's simulation, if one is among them. */
  truth?: string;
  /** Taxonomy code -> occupation group (default: codePrefixGroups, the first 2 code digits). */
  groups?: ReadonlyMap<string, string>;
}

export interface TrajectoryOptions {
  /** Subgroup definitions (lib/analysis dimensions); default gender, race, region, birth_cohort, education. */
  subgroups?: readonly (readonly Dimension[])[];
  /** A subgroup with fewer persons at a horizon is reported as too small there (default 30). */
  minPersons?: number;
  /** Use the persons' survey weights (PersonRow.weight) where they carry them (default true); false: every person weighs 1. */
  weights?: boolean;
  /** Person-bootstrap replicates for the intervals of the measures (default 0: no intervals). */
  bootstrap?: number;
  /** Seed of the bootstrap resamples (default 0). */
  seed?: number;
  /** Level of the percentile intervals (default 0.95). */
  level?: number;
}

export const MEASURES = ['occupation_tv', 'group_tv', 'transition_tv', 'distinct_occupations', 'ever_nonemployed'] as const;
export type Measure = (typeof MEASURES)[number];

/** A model's value against the reference's; `value` = the distance (tv measures) or model - reference. */
export interface MeasureStat {
  value: number;
  /** Null for distances (they have one value), the two sides for means and shares. */
  model: number | null;
  reference: number | null;
  /** Person-bootstrap percentile interval of `value`; null without bootstrap. */
  ci?: Interval | null;
}

export interface TrajectorySubgroup {
  id: string;
  dimensions: string[];
  values: string[];
  /** Simulated persons in the subgroup (at horizon 1). */
  n_persons: number;
  status: SubgroupStatus;
}

export interface TrajectoryResult {
  model: string;
  /** 'empirical' or the truth's name. */
  reference: string;
  subgroup: string;
  /** Years after the K-th observed one. */
  horizon: number;
  /** Persons of the subgroup observed at least K + horizon years. */
  n_persons: number;
  status: SubgroupStatus;
  measures: Record<Measure, MeasureStat> | null;
}

export interface TransitionMatrix {
  /** A model's name or 'empirical'. */
  source: string;
  subgroup: string;
  /** Counts of (group before, group after) over every simulated year, row-major [groups, groups]. */
  counts: number[];
}

export interface TrajectoryAnalysis {
  method: {
    prefix_years: number;
    horizon: number;
    draws: Record<string, number>;
    seeds: Record<string, number>;
    min_persons: number;
    weights: string;
    bootstrap: { method: string; replicates: number; seed: number; level: number };
    subgroup_education: string;
    /** Education of the simulated years: observed, or generated (by each sampler's education model, named). */
    education: { mode: 'observed' } | { mode: 'generated'; models: Record<string, string> };
    measures: Record<Measure, string>;
    transitions: string;
  };
  models: string[];
  truth: string | null;
  references: string[];
  n_states: number;
  groups: string[];
  persons: { careers: number; simulated: number; skipped: number };
  subgroups: TrajectorySubgroup[];
  results: TrajectoryResult[];
  /** Subgroups with status ok only. */
  transitions: TransitionMatrix[];
}
