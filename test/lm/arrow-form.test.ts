import { Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { InvalidData } from '../../lib/errors';
import { createScorer, readRequests, readResults, requestsTable, resultsSchema, resultsTable } from '../../lib/lm';
import { tinyLlama } from './fixtures';

describe('Arrow form of scoring', () => {
  it('requests table in, results table out, equal to score(); survives an IPC file round trip', async () => {
    const candidates = ['Cook', 'Cooks', 'Cashiers'];
    const scorer = await createScorer({ modelDir: tinyLlama(), candidates, kind: 'fast', threads: 1 });
    try {
      const rows = [
        { request_id: 'p1/1991', context: '1990 (some college): Cooks\n1991 (some college):' },
        { request_id: 'p2/2001', context: '2001 (graduate degree):' },
      ];
      const req = tableFromIPC(tableToIPC(requestsTable(rows), 'file'));
      const res = tableFromIPC(tableToIPC(await scorer.scoreTable(req), 'file'));
      expect(res.numRows).toBe(rows.length * candidates.length);
      expect(res.schema.fields.map((f) => [f.name, String(f.type)])).toEqual(resultsSchema().fields.map((f) => [f.name, String(f.type)]));
      expect(res.getChild('request_id')!.get(3)).toBe('p2/2001');
      expect(res.getChild('candidate_index')!.get(3)).toBe(0);
      const back = readResults(res, rows.map((r) => r.request_id), candidates.length);
      const direct = await scorer.score(rows);
      expect(back.map((a) => Array.from(a))).toEqual(direct.map((a) => Array.from(a)));
    } finally {
      await scorer.release();
    }
  }, 180_000);

  it('rejects malformed requests and results with every problem named', () => {
    const noContext = new Table({ request_id: vectorFromArray(['a'], new Utf8()) });
    expect(() => readRequests(noContext)).toThrow(/column 'context' missing \(found: request_id\)/);
    const dup = requestsTable([{ request_id: 'a', context: 'x' }, { request_id: 'a', context: 'y' }]);
    expect(() => readRequests(dup)).toThrow(InvalidData);
    expect(() => readRequests(dup)).toThrow(/row 1: request_id 'a' repeats row 0/);
    const res = resultsTable(['a'], [Float64Array.from([-1, -2])]);
    expect(() => readResults(res, ['a'], 3)).toThrow(/expected 3 rows \(1 requests x 3 candidates\), found 2/);
    expect(() => readResults(res, ['b'], 2)).toThrow(/unknown request_id 'a'/);
    expect(readResults(res, ['a'], 2)[0]).toEqual(Float64Array.from([-1, -2]));
  });
});
