/** Dataset importers: each returns a checked Panel and writes nothing. */
export { importCareer, type CareerImportOptions } from './career';
export { UNKNOWN_BIRTH_YEAR } from '../artifacts/contracts';
export { importTable, DEFAULT_COLUMNS, type ColumnMap, type TableImportOptions } from './table';
export { splitPersons, splitOf, DEFAULT_SPLIT_FRACTIONS, type SplitFractions } from '../panel/split';
