/**
 * Malformed data files from a seeded mutator over the valid fixtures: CAREER folders and long
 * tables for `data import`, taxonomies for `data synth`, and a few of each behind a config's data
 * step for `run`. Each case knows the file and the line (or column) it broke.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pick, type MalformedCase } from './case';

const CAREER = resolve('test/fixtures/import/career');
const TABLE = resolve('test/fixtures/import/long-table.csv');
const TAXONOMY = resolve('data/taxonomy/default.csv');
const CENSUS = resolve('data/taxonomy/census2010.csv');

const readLines = (file: string) => readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
const writeLines = (file: string, lines: string[]) => writeFileSync(file, lines.map((l) => `${l}\n`).join(''));

interface Broken {
  what: string;
  file: string;
  lines?: number[];
  keys?: string[];
}

/** One mutation of a copy of the CAREER fixture folder. */
function breakCareer(dir: string, r: () => number): Broken {
  const prefix = pick(r, ['train', 'train', 'valid', 'test']);
  const n = readLines(join(dir, `${prefix}.job`)).length;
  const line = 1 + Math.floor(r() * n);
  const edit = (kind: string, f: (tokens: string[]) => string[]) => {
    const file = join(dir, `${prefix}.${kind}`);
    const lines = readLines(file);
    lines[line - 1] = f(lines[line - 1].split(' ')).join(' ');
    writeLines(file, lines);
  };
  const at = (kind: string, what: string): Broken => ({ what: `CAREER ${prefix}.${kind} line ${line}: ${what}`, file: `${prefix}.${kind}`, lines: [line] });
  switch (Math.floor(r() * 10)) {
    case 0:
      edit('year', (t) => t.map((y, i) => (i === 0 ? `${y}x` : y)));
      return at('year', 'a year that is not an integer');
    case 1:
      edit('year', (t) => (t.length > 1 ? [t[1], t[0], ...t.slice(2)] : [t[0], String(Number(t[0]) - 1)]));
      edit('job', (t) => (t.length > 1 ? t : [...t, t[0]]));
      edit('education', (t) => (t.length > 1 ? t : [...t, t[0]]));
      return at('year', 'years out of order');
    case 2:
      edit('job', (t) => [pick(r, ['9999', 'chef', '010', 'unemployed_']), ...t.slice(1)]);
      return at('job', 'an unknown occupation code');
    case 3:
      edit('education', (t) => [...t, 'phd']);
      return at('education', 'one token more than .job (ragged)');
    case 4: {
      const kind = pick(r, ['gender', 'ethnicity', 'location']);
      edit(kind, (t) => [...t, 'extra']);
      return at(kind, 'two tokens in a per-person file');
    }
    case 5: {
      const kind = pick(r, ['gender', 'ethnicity', 'location', 'year']);
      rmSync(join(dir, `${prefix}.${kind}`));
      return { what: `CAREER ${prefix}.${kind} missing`, file: `${prefix}.${kind}` };
    }
    case 6: {
      const kind = pick(r, ['job', 'gender', 'education']);
      writeFileSync(join(dir, `${prefix}.${kind}`), '');
      return { what: `CAREER ${prefix}.${kind} empty`, file: `${prefix}.${kind}` };
    }
    case 7: {
      const file = join(dir, `${prefix}.gender`);
      writeLines(file, [...readLines(file), 'female']);
      return { what: `CAREER ${prefix}.gender has one line more than the other files`, file: `${prefix}.gender` };
    }
    case 8:
      writeLines(join(dir, `${prefix}.birth_year`), Array.from({ length: n }, (_, i) => (i === line - 1 ? 'nineteen' : '1970')));
      return at('birth_year', 'a birth year that is not an integer');
    default:
      edit('year', (t) => (t.length > 1 ? [t[0], t[0], ...t.slice(2)] : [t[0], t[0]]));
      edit('job', (t) => (t.length > 1 ? t : [...t, t[0]]));
      edit('education', (t) => (t.length > 1 ? t : [...t, t[0]]));
      return at('year', 'a year twice');
  }
}

/** One mutation of a copy of the long-table fixture. */
function breakTable(file: string, r: () => number): Broken {
  const lines = readLines(file);
  const header = lines[0].split(',');
  const rows = lines.map((l, i) => ({ l, i })).filter(({ l, i }) => i > 0 && l.trim() && !l.includes('"'));
  const kind = Math.floor(r() * 9);
  const id = (l: string) => l.split(',')[0];
  // A covariate can only disagree within a person who has several rows.
  const { i } = pick(r, kind === 4 ? rows.filter((a) => rows.some((b) => b.i !== a.i && id(b.l) === id(a.l))) : rows);
  const line = i + 1;
  const setCell = (column: string, value: string) => {
    const cells = lines[i].split(',');
    cells[header.indexOf(column)] = value;
    lines[i] = cells.join(',');
  };
  let b: Broken;
  switch (kind) {
    case 0: {
      const column = pick(r, ['person_id', 'occupation', 'education', 'gender', 'race', 'region']);
      setCell(column, '');
      b = { what: `long table line ${line}: empty ${column}`, file: 'table.csv', lines: [line] };
      break;
    }
    case 1: {
      const column = pick(r, ['year', 'birth_year']);
      setCell(column, pick(r, ['20x1', '1990.5', 'soon']));
      b = { what: `long table line ${line}: ${column} not an integer`, file: 'table.csv', lines: [line] };
      break;
    }
    case 2:
      setCell('occupation', pick(r, ['99999', 'chef', '10']));
      b = { what: `long table line ${line}: unknown occupation`, file: 'table.csv', lines: [line] };
      break;
    case 3:
      setCell('split', pick(r, ['holdout', 'TRAIN', 'dev']));
      b = { what: `long table line ${line}: bad split`, file: 'table.csv', lines: [line] };
      break;
    case 4:
      setCell('gender', 'nonconstant');
      b = { what: `long table line ${line}: a person's gender changes`, file: 'table.csv', lines: [line] };
      break;
    case 5:
      lines.push(lines[i]);
      b = { what: `long table: line ${line} repeated at the end (duplicate person-year)`, file: 'table.csv', lines: [line, lines.length] };
      break;
    case 6: {
      const column = pick(r, ['year', 'occupation', 'person_id', 'education']);
      lines[0] = header.map((h) => (h === column ? `${h}_` : h)).join(',');
      b = { what: `long table: column ${column} misnamed`, file: 'table.csv', keys: [column] };
      break;
    }
    case 7:
      lines[i] = lines[i].replace(',', ',"');
      b = { what: `long table line ${line}: unclosed quote`, file: 'table.csv', lines: Array.from({ length: lines.length - i + 1 }, (_, k) => line + k) };
      break;
    default:
      lines.splice(1);
      b = { what: 'long table: a header and no rows', file: 'table.csv' };
  }
  writeLines(file, lines);
  return b;
}

/** One mutation of a copy of the default taxonomy. */
function breakTaxonomy(file: string, r: () => number): Broken {
  const lines = readLines(file);
  const i = 1 + Math.floor(r() * (lines.length - 2));
  const line = i + 1;
  const cells = lines[i].split(',');
  let b: Broken;
  switch (Math.floor(r() * 6)) {
    case 0:
      cells[0] = lines[i + 1].split(',')[0];
      b = { what: `taxonomy line ${line}: duplicate code`, file: 'taxonomy.csv', lines: [line, line + 1] };
      break;
    case 1:
      cells[1] = lines[i + 1].split(',')[1];
      b = { what: `taxonomy line ${line}: a title used twice`, file: 'taxonomy.csv', lines: [line, line + 1] };
      break;
    case 2:
      cells[1] = '';
      b = { what: `taxonomy line ${line}: empty title`, file: 'taxonomy.csv', lines: [line] };
      break;
    case 3:
      cells[2] = pick(r, ['job', 'retired', 'Occupation']);
      b = { what: `taxonomy line ${line}: unknown kind`, file: 'taxonomy.csv', lines: [line] };
      break;
    case 4:
      lines[0] = 'code,name,kind';
      b = { what: 'taxonomy: no title column', file: 'taxonomy.csv', keys: ['title'] };
      break;
    default:
      cells[1] = `"${cells[1]}`;
      b = { what: `taxonomy line ${line}: unclosed quote`, file: 'taxonomy.csv', lines: Array.from({ length: lines.length - i + 1 }, (_, k) => line + k) };
  }
  if (lines[0].startsWith('code,title')) lines[i] = cells.join(',');
  writeLines(file, lines);
  return b;
}

/** The three kinds of data file behind `data import` / `data synth`, and (`asRun`) behind a config's data step. */
export function dataCases(dir: string, n: number, r: () => number, asRun: number): MalformedCase[] {
  const cases: MalformedCase[] = [];
  for (let k = 0; cases.length < n; k++) {
    const caseDir = join(dir, `data-${String(k).padStart(3, '0')}`);
    const out = join(caseDir, 'out');
    const source = ['career', 'table', 'taxonomy'][k % 3];
    let b: Broken;
    let args: string[];
    let step: string;
    if (source === 'career') {
      cpSync(CAREER, join(caseDir, 'career'), { recursive: true });
      b = breakCareer(join(caseDir, 'career'), r);
      args = ['data', 'import', '--format', 'career', join(caseDir, 'career'), '--out', out];
      step = `{name: panel, kind: data, source: career, path: career}`;
    } else if (source === 'table') {
      cpSync(TABLE, join(caseDir, 'table.csv'));
      b = breakTable(join(caseDir, 'table.csv'), r);
      args = ['data', 'import', '--format', 'table', join(caseDir, 'table.csv'), '--taxonomy', CENSUS, '--out', out];
      step = `{name: panel, kind: data, source: table, path: table.csv, taxonomy: ${CENSUS}}`;
    } else {
      cpSync(TAXONOMY, join(caseDir, 'taxonomy.csv'));
      b = breakTaxonomy(join(caseDir, 'taxonomy.csv'), r);
      args = ['data', 'synth', '--persons', '20', '--taxonomy', join(caseDir, 'taxonomy.csv'), '--out', out];
      step = `{name: panel, kind: data, source: synthetic, population: survey, persons: 20, taxonomy: taxonomy.csv}`;
    }
    const run = k >= n - asRun;
    if (run) {
      const config = join(caseDir, `bad-${source}.yaml`);
      writeFileSync(config, `schemaVersion: 1\nname: chaos-bad-${source}-${k}\ntimeouts: { heartbeat: 8s }\nsteps:\n  - ${step}\n`);
      args = ['run', config];
    }
    cases.push({ what: `${run ? 'run: ' : ''}${b.what}`, args, file: b.file, lines: b.lines, keys: b.keys, out: run ? undefined : out, run });
  }
  return cases;
}
