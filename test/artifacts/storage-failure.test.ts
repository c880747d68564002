import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageFailed, storageFailure } from '../../lib/artifacts/storage-failure';

describe('storageFailure', () => {
  it('names the path and the cause of a full, limited or read-only disk', () => {
    const big = storageFailure(Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG', path: '/store/panel/.tmp-x/oracle.arrow' }), '/store/panel');
    expect(big).toBeInstanceOf(StorageFailed);
    expect(big!.message).toMatch(/^cannot write \/store\/panel\/\.tmp-x\/oracle\.arrow: the file is too large .*\(EFBIG\); free space/);
    expect(storageFailure(Object.assign(new Error('x'), { code: 'EROFS' }), '/store/text')!.message).toMatch(/cannot write \/store\/text: the file system is read-only \(EROFS\)/);
    expect(storageFailure(Object.assign(new Error('x'), { code: 'ENOSPC', path: '/a' }), '/b')!.message).toContain('no space left');
    expect(big!.nonRetryable).toBe(true);
  });

  it('leaves other errors alone: a plain error, a missing file in a writable folder', () => {
    expect(storageFailure(new Error('boom'), '/x')).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'labor-llm-storage-'));
    expect(storageFailure(Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: join(dir, 'a', 'b') }), dir)).toBeUndefined();
  });
});
