export { computeMetrics, DEFAULT_BOOTSTRAP, DEFAULT_CI_LEVEL, DEFAULT_ECE_BINS } from './evaluate';
export type { EvalMetrics, BinaryTaskMetrics, MetricsCi, MetricsOptions } from './evaluate';
export { auc, aucSorted, ascendingOrder, logLoss, LOG_LOSS_CLIP } from './binary';
export { personBootstrap, percentileInterval, quantile, type Interval } from './bootstrap';
export { mulberry32 } from './rng';
export { formatMetricsTable, type FormatOptions } from './format';
export { writeMetrics, readMetrics } from './io';
