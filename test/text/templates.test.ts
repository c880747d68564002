import { describe, expect, it } from 'vitest';
import { InvalidConfig } from '../../lib/errors';
import { DEFAULT_TEMPLATE, getTemplate, listTemplates, registerTemplate, type TextTemplate } from '../../lib/text';
import { didYouMean } from '../../lib/config/did-you-mean';
import { UNKNOWN_BIRTH_YEAR } from '../../lib/artifacts/contracts';

describe('template registry', () => {
  it('has the default and the variants, versioned', () => {
    const names = listTemplates().map((t) => `${t.name}@${t.version}`);
    expect(names).toEqual(expect.arrayContaining(['resume@1', 'resume-codes@1', 'resume-no-birth-year@1', 'resume-no-education@1']));
    expect(getTemplate(DEFAULT_TEMPLATE).name).toBe('resume');
  });

  it('suggests the closest name for a typo', () => {
    expect(() => getTemplate({ name: 'resme' })).toThrow(InvalidConfig);
    expect(() => getTemplate({ name: 'resme' })).toThrow(/unknown text template 'resme'; did you mean 'resume'\?/);
    expect(() => getTemplate('resume-code')).toThrow(/did you mean 'resume-codes'/);
    expect(() => getTemplate('zzzzzzzzzzzz')).toThrow(/known: resume, /);
    expect(didYouMean('completely-different', ['resume'])).toBeUndefined();
  });

  it('lists versions for an unknown version, and picks the latest when none is given', () => {
    expect(() => getTemplate({ name: 'resume', version: 9 })).toThrow(/has no version 9 \(versions: 1\)/);
    const base = getTemplate('resume');
    const v1: TextTemplate = { ...base, name: 'test-versioned', version: 1 };
    const v2: TextTemplate = { ...base, name: 'test-versioned', version: 2, footer: '<STOP>\n' };
    registerTemplate(v2);
    registerTemplate(v1);
    expect(getTemplate('test-versioned').version).toBe(2);
    expect(getTemplate({ name: 'test-versioned', version: 1 }).footer).toBe('<END>\n');
    expect(() => registerTemplate(v1)).toThrow(/already registered/);
    expect(() => registerTemplate({ ...base, name: 'Bad Name' })).toThrow(/lowercase/);
  });
});

describe('unknown birth year', () => {
  const person = { person_id: 'p', gender: 'female', race: 'Black', region: 'South', split: 'test' as const };
  it('leaves the birth-year line out rather than writing "Birth year: 0" (CAREER files have none)', () => {
    const t = getTemplate('resume');
    expect(t.header('d', { ...person, birth_year: 1960 })).toContain('Birth year: 1960\n');
    const unknown = t.header('d', { ...person, birth_year: UNKNOWN_BIRTH_YEAR });
    expect(unknown).not.toContain('Birth year');
    expect(unknown).toBe(getTemplate('resume-no-birth-year').header('d', { ...person, birth_year: 1960 }));
  });
});
