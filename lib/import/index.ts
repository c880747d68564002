/** Dataset importers: each returns a checked Panel and writes nothing. */
export { importCareer, UNKNOWN_BIRTH_YEAR, type CareerImportOptions } from './career';
export { importTable, DEFAULT_COLUMNS, type ColumnMap, type TableImportOptions } from './table';
export { splitPersons, splitOf, DEFAULT_SPLIT_FRACTIONS, type SplitFractions } from '../panel/split';
