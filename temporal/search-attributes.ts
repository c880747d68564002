/**
 * The project's search attributes: what makes runs findable in the Web UI and `labor-llm list`.
 * Workflow-safe (imports only @temporalio/common).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ExperimentName = defineSearchAttributeKey('ExperimentName', SearchAttributeType.KEYWORD);
export const ConfigHash = defineSearchAttributeKey('ConfigHash', SearchAttributeType.KEYWORD);
/** The step started most recently. */
export const Step = defineSearchAttributeKey('Step', SearchAttributeType.KEYWORD);
/** running | succeeded | failed | cancelled (ExecutionStatus also exists; this one is ours, set by the workflow). */
export const RunStatus = defineSearchAttributeKey('RunStatus', SearchAttributeType.KEYWORD);
export const Dataset = defineSearchAttributeKey('Dataset', SearchAttributeType.KEYWORD);
export const Model = defineSearchAttributeKey('Model', SearchAttributeType.KEYWORD);
/** The id of the store (LABOR_LLM_HOME) the run belongs to: `labor-llm list` shows its own store's runs. */
export const StoreId = defineSearchAttributeKey('StoreId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [ExperimentName, ConfigHash, Step, RunStatus, Dataset, Model, StoreId];
