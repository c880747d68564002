/**
 * Text templates: how a person's record becomes a resume-like text. Templates are registered
 * by name and version; a released version never changes (texts, fine-tuned models and scores
 * depend on its exact characters): change a format by registering a new version.
 *
 * `resume` v1, the default (every line ends with "\n", no other line breaks):
 *
 *   {dataset} career record
 *   Gender: {gender}, race/ethnicity: {race}, region: {region}
 *   Birth year: {birth_year}
 *   Occupation by year (education in parentheses):
 *   {year} ({education}): {title}            <- one line per observed year, in year order
 *   <END>
 *
 * A prediction point is every observed year after a person's first. Its context is the text up
 * to and including the ':' of that year's line (`text.slice(0, context_end)` ends with
 * "{year} ({education}):"), and the continuation scored for a candidate state is
 * `" " + title + "\n"` (continuationFor): the line end is part of it so that a title that is a
 * prefix of another is scored correctly. `text.slice(0, context_end) + continuation(true state)`
 * is a prefix of the text.
 *
 * Variants (version 1 each):
 *   resume-codes          the state's code instead of its title: "1998 (some college): 2400",
 *                         intro "Occupation code by year (education in parentheses):",
 *                         continuation " " + code + "\n"
 *   resume-no-birth-year  the same without the "Birth year" line
 *   resume-no-education   year lines "{year}: {title}" (context ends with "{year}:"),
 *                         intro "Occupation by year:"
 */
import { InvalidConfig } from '../errors';
import { UNKNOWN_BIRTH_YEAR } from '../artifacts/birth-year';
import type { PersonRow, TaxonomyRow } from '../artifacts/contracts';
import { didYouMean } from '../config/did-you-mean';

export interface TemplateRef {
  name: string;
  /** Omitted: the latest registered version. */
  version?: number;
}

export interface TextTemplate {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  /** Which taxonomy field writes a state in the text. */
  readonly label: 'title' | 'code';
  /** The header lines for one person (each ending in "\n"). */
  header(dataset: string, person: PersonRow): string;
  /** The start of a year's line, ending with ':' (the context end of a prediction point). */
  yearPrefix(year: number, education: string): string;
  /** The end marker line (ending in "\n"). */
  readonly footer: string;
  /**
   * What the synthetic truth conditions on that this template leaves out of the text (e.g.
   * 'birth year'): its oracle then knows more than any model of the text can, a bound rather
   * than the best achievable.
   */
  readonly hides: readonly string[];
}

/** The exact string scored for a candidate state: " " + label + "\n". */
export function continuationFor(template: Pick<TextTemplate, 'label'>, row: TaxonomyRow): string {
  return ` ${template.label === 'code' ? row.code : row.title}\n`;
}

/** The continuation format in words, for manifests: `" " + title + "\n"`. */
export function continuationFormat(template: Pick<TextTemplate, 'label'>): string {
  return `" " + ${template.label} + "\\n"`;
}

export const END_MARKER = '<END>';

interface ResumeOptions {
  name: string;
  description: string;
  label: 'title' | 'code';
  birthYear: boolean;
  education: boolean;
}

function resumeTemplate(o: ResumeOptions): TextTemplate {
  const intro = o.label === 'code'
    ? `Occupation code by year${o.education ? ' (education in parentheses)' : ''}:\n`
    : `Occupation by year${o.education ? ' (education in parentheses)' : ''}:\n`;
  return {
    name: o.name,
    version: 1,
    description: o.description,
    label: o.label,
    header: (dataset, p) =>
      `${dataset} career record\n` +
      `Gender: ${p.gender}, race/ethnicity: ${p.race}, region: ${p.region}\n` +
      (o.birthYear && p.birth_year !== UNKNOWN_BIRTH_YEAR ? `Birth year: ${p.birth_year}\n` : '') +
      intro,
    yearPrefix: o.education ? (year, education) => `${year} (${education}):` : (year) => `${year}:`,
    footer: `${END_MARKER}\n`,
    hides: [...(o.birthYear ? [] : ['birth year']), ...(o.education ? [] : ['education'])],
  };
}

const registry = new Map<string, Map<number, TextTemplate>>();

/** Adds a template; a name and version can be registered once. */
export function registerTemplate(template: TextTemplate): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(template.name)) {
    throw new InvalidConfig(`text template name must be lowercase letters, digits and '-'; found '${template.name}'`);
  }
  if (!Number.isInteger(template.version) || template.version < 1) {
    throw new InvalidConfig(`text template '${template.name}': version must be a positive integer; found ${template.version}`);
  }
  const versions = registry.get(template.name) ?? new Map<number, TextTemplate>();
  if (versions.has(template.version)) throw new InvalidConfig(`text template '${template.name}' v${template.version} is already registered`);
  versions.set(template.version, template);
  registry.set(template.name, versions);
}

/** Looks up a template; unknown names and versions fail with the known ones and a suggestion. */
export function getTemplate(ref: TemplateRef | string): TextTemplate {
  const { name, version } = typeof ref === 'string' ? { name: ref, version: undefined } : ref;
  const versions = registry.get(name);
  if (!versions) {
    const guess = didYouMean(name, registry.keys());
    throw new InvalidConfig(
      `unknown text template '${name}'${guess ? `; did you mean '${guess}'?` : ''} (known: ${[...registry.keys()].join(', ')})`,
    );
  }
  if (version === undefined) return versions.get(Math.max(...versions.keys()))!;
  const t = versions.get(version);
  if (!t) throw new InvalidConfig(`text template '${name}' has no version ${version} (versions: ${[...versions.keys()].join(', ')})`);
  return t;
}

export function listTemplates(): { name: string; version: number; description: string }[] {
  return [...registry.values()].flatMap((v) => [...v.values()]).map(({ name, version, description }) => ({ name, version, description }));
}

export const DEFAULT_TEMPLATE: TemplateRef = { name: 'resume', version: 1 };

registerTemplate(resumeTemplate({
  name: 'resume', label: 'title', birthYear: true, education: true,
  description: 'demographics, birth year, then "YEAR (EDUCATION): TITLE" per observed year (the paper\'s format)',
}));
registerTemplate(resumeTemplate({
  name: 'resume-codes', label: 'code', birthYear: true, education: true,
  description: 'as resume, with occupation codes instead of titles',
}));
registerTemplate(resumeTemplate({
  name: 'resume-no-birth-year', label: 'title', birthYear: false, education: true,
  description: 'as resume, without the birth-year line',
}));
registerTemplate(resumeTemplate({
  name: 'resume-no-education', label: 'title', birthYear: true, education: false,
  description: 'as resume, with year lines "YEAR: TITLE" (no education)',
}));
