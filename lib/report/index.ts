export { renderReport } from './render';
export { reportMarkdown } from './markdown';
export { renderSvg } from './charts/to-svg';
export { escapeHtml } from './escape';
export type { ReportEvaluation, ReportInput, ReportProvenance, ReportRun } from './types';
