import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contractTable, FILES } from '../../lib/artifacts/contracts';
import { readArrowFile, writeArrowFile } from '../../lib/artifacts/arrow-io';
import { InvalidData } from '../../lib/errors';
import { fixedFloat32ListData, int32Data, readInt32, readStrings, utf8Data } from '../../lib/artifacts/arrow-columns';
import { readPanel, writePanel } from '../../lib/panel/panel-io';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';
import { tinyPanel } from '../text/tiny-panel';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'labor-llm-panel-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Rewrites person_years.arrow of a panel folder with edited columns (bypassing writePanel's checks). */
function rewritePersonYears(dir: string, edit: (cols: { person_id: string[]; year: Int32Array; state: string[]; education: string[] }) => void) {
  const path = join(dir, FILES.personYears);
  const t = readArrowFile(path);
  const cols = {
    person_id: readStrings(t, 'person_id') as string[],
    year: readInt32(t, 'year') as Int32Array,
    state: readStrings(t, 'state') as string[],
    education: readStrings(t, 'education') as string[],
  };
  edit(cols);
  writeArrowFile(path, contractTable('person_years', {
    person_id: utf8Data(cols.person_id), year: int32Data(cols.year), state: utf8Data(cols.state), education: utf8Data(cols.education),
  }));
}

describe('panel folders', () => {
  it('round-trips a synthetic panel with its oracle exactly', () => {
    const dir = tmp();
    const panel = generatePanel({ taxonomy: loadTaxonomy('default'), population: 'survey', persons: 60, seed: 5 });
    expect(writePanel(dir, panel).sort()).toEqual([FILES.oracle, FILES.personYears, FILES.persons, FILES.taxonomy].sort());
    const back = readPanel(dir);
    expect(back.name).toBe('synthetic survey');
    expect(back.taxonomy.rows).toEqual(panel.taxonomy.rows);
    expect(back.persons).toEqual(panel.persons);
    expect(back.personYears.person_id).toEqual(panel.personYears.person_id);
    expect(back.personYears.state).toEqual(panel.personYears.state);
    expect(back.personYears.education).toEqual(panel.personYears.education);
    expect(back.personYears.year).toEqual(panel.personYears.year);
    expect(back.oracle!.person_id).toEqual(panel.oracle!.person_id);
    expect(back.oracle!.year).toEqual(panel.oracle!.year);
    // Bit-exact floats (a byte comparison; deep equality over 100k floats is slow).
    expect(Buffer.from(back.oracle!.probs.buffer).equals(Buffer.from(panel.oracle!.probs.buffer))).toBe(true);
    expect(readPanel(dir, 'renamed').name).toBe('renamed');
  });

  it('writes no oracle when there is none and removes a stale one', () => {
    const dir = tmp();
    writePanel(dir, generatePanel({ taxonomy: loadTaxonomy('default'), population: 'resume', persons: 10, seed: 1 }));
    expect(existsSync(join(dir, FILES.oracle))).toBe(true);
    const tiny = tinyPanel();
    expect(writePanel(dir, tiny)).not.toContain(FILES.oracle);
    expect(existsSync(join(dir, FILES.oracle))).toBe(false);
    const back = readPanel(dir);
    expect(back.oracle).toBeUndefined();
    expect(back.name).toBe('golden');
    expect(back.persons).toEqual(tiny.persons);
  });

  it('refuses to write an invalid panel', () => {
    const bad = tinyPanel();
    bad.personYears.state[0] = 'nope';
    expect(() => writePanel(tmp(), bad)).toThrow(/person_years\.arrow row 1: 'nope'/);
  });

  it('names missing folders, files and columns', () => {
    const dir = tmp();
    expect(() => readPanel(join(dir, 'absent'))).toThrow(/panel folder not found/);
    expect(() => readPanel(dir)).toThrow(/not a panel folder: missing persons\.arrow, person_years\.arrow, taxonomy\.arrow/);
    writePanel(dir, tinyPanel());
    const t = readArrowFile(join(dir, FILES.persons));
    writeArrowFile(join(dir, FILES.persons), t.select(['person_id', 'gender', 'race', 'region', 'split']));
    expect(() => readPanel(dir)).toThrow(new RegExp(`${FILES.persons}: column 'birth_year'`));
    writeFileSync(join(dir, FILES.persons), 'not arrow');
    expect(() => readPanel(dir)).toThrow(/persons\.arrow: .*/);
  });

  it('reports bad rows with the file path and row', () => {
    const dir = tmp();
    writePanel(dir, tinyPanel());
    rewritePersonYears(dir, (c) => {
      c.state[1] = '9999'; // unknown code
      c.year[2] = 1991; // duplicate of row 2's year for p1
      c.person_id[5] = 'ghost'; // not in persons
    });
    let err: unknown;
    try {
      readPanel(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidData);
    const message = (err as Error).message;
    const file = join(dir, FILES.personYears);
    expect(message).toContain(`state code not in the taxonomy (${join(dir, FILES.taxonomy)}): 1 occurrence; first: ${file} row 2: '9999'`);
    expect(message).toContain(`duplicate person-year: 1 occurrence; first: ${file} row 3: person 'p1', year 1991`);
    expect(message).toContain(`person not in ${join(dir, FILES.persons)}: 1 occurrence; first: ${file} row 6: 'ghost'`);
  });

  it('rejects oracle lists that do not fit the taxonomy', () => {
    const dir = tmp();
    const panel = generatePanel({ taxonomy: loadTaxonomy('default'), population: 'survey', persons: 5, seed: 2 });
    writePanel(dir, panel);
    const o = panel.oracle!;
    const K = panel.taxonomy.size;
    const short = new Float32Array(o.year.length * (K - 1));
    writeArrowFile(join(dir, FILES.oracle), contractTable('oracle', {
      person_id: utf8Data(o.person_id), year: int32Data(o.year), probs: fixedFloat32ListData(short, K - 1),
    }));
    expect(() => readPanel(dir)).toThrow(new RegExp(`oracle\\.arrow: row 1: ${K - 1} values, expected ${K}`));
  });
});
