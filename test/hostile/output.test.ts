// Reports that stay valid whatever the file names (issue 12, item 12; issue 13, item 4): SARIF
// against the official OASIS 2.1.0 schema, JUnit against Jenkins' junit-10.xsd, percent-encoded
// URIs, locations relative to the checked repository with the bundled models on their own base,
// expected violations left out on request, per-test-case times and Jenkins-friendly classnames.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirtyrace, HEADER, scratchDir } from './cli.js';
import { junitErrors, sarifErrors, xmllintMissing } from './schemas.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const VIOLATED = `${HEADER}cpu a { x = 1; }\ninvariant zero: x == 0;\n`;
const EXPECTED = 'scenarios/apply_as_clean/harvest-before-flush.race';

interface SarifResult {
  ruleId: string; level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
  codeFlows?: { threadFlows: { locations: { location: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } } } }[] }[] }[];
}

/** A scratch repository (a .git directory) holding `files`; returns its root. */
function repository(files: Record<string, string>): string {
  const root = scratchDir();
  mkdirSync(join(root, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

function reports(root: string, args: string[], cwd = root) {
  const out = scratchDir();
  const r = dirtyrace(['check', '--junit', join(out, 'junit.xml'), '--sarif', join(out, 'log.sarif'), ...args], { cwd });
  return { r, junit: join(out, 'junit.xml'), sarif: JSON.parse(readFileSync(join(out, 'log.sarif'), 'utf8')) };
}

describe('the schema tools are there', () => {
  it('xmllint (libxml2-utils) is installed', () => {
    expect(xmllintMissing()).toBeUndefined();
  });
});

describe('item 12: SARIF and JUnit stay valid for any file name', () => {
  const names = ['odd name #1 100%.race', 'emoji-😀-𝔘.race', 'ctl-\x1b[31m.race', 'quote\'"<&>.race', 'sq[1]?.race'];

  it('a percent-encoded URI per file, a log valid against the official schema, a JUnit file valid against junit-10.xsd', () => {
    const root = repository(Object.fromEntries(names.map((n) => [`dir with space/${n}`, VIOLATED])));
    const { r, junit, sarif } = reports(root, ['dir with space']);
    expect(r.code, r.stderr).toBe(1);
    expect(sarifErrors(sarif)).toEqual([]);
    expect(junitErrors(junit)).toBe('');
    const uris = (sarif.runs[0].results as SarifResult[]).map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('dir%20with%20space/odd%20name%20%231%20100%25.race');
    expect(uris).toContain('dir%20with%20space/sq%5B1%5D%3F.race');
    for (const u of uris) expect(decodeURIComponent(u.split('/')[1]!)).toMatch(/\.race$/);
    // Astral-plane characters are kept in JUnit names (control characters cannot be: XML 1.0).
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('name="dir with space/emoji-😀-𝔘.race"');
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    expect(xml).toMatch(/<testsuites name="dirtyrace" tests="\d+" failures="5" errors="0" time="[\d.]+">/);
  });

  it('the official schema has teeth: an unencoded URI or a misspelt level is refused', () => {
    const root = repository({ 'a.race': VIOLATED });
    const { sarif } = reports(root, ['a.race']);
    expect(sarifErrors(sarif)).toEqual([]);
    const res = sarif.runs[0].results[0];
    const broken = (r: unknown) => ({ ...sarif, runs: [{ ...sarif.runs[0], results: [r] }] });
    expect(sarifErrors(broken({ ...res, level: 'fatal' }))).not.toEqual([]);
    const loc = res.locations[0].physicalLocation;
    expect(sarifErrors(broken({ ...res, locations: [{ physicalLocation: { ...loc, artifactLocation: { uri: 'odd name #1 100%.race' } } }] }))).not.toEqual([]);
  });

  it('the bundled scenarios and proofs, every report valid', () => {
    const { r, junit, sarif } = reports(ROOT, ['scenarios', 'proofs']);
    expect(r.code, r.stdout).toBe(0);
    expect(sarifErrors(sarif)).toEqual([]);
    expect(junitErrors(junit)).toBe('');
  });
});

describe('issue 13, item 4: SARIF for a repository of scenarios outside this one', () => {
  const repo = () => repository({ 'races/expected.race': readFileSync(join(ROOT, EXPECTED), 'utf8'), 'races/broken.race': VIOLATED, 'races/sub/.keep': '' });

  it('locations are relative to the repository root (from a subdirectory too); bundled model files have their own base', () => {
    const root = repo();
    const { sarif } = reports(root, ['..'], join(root, 'races', 'sub'));
    expect(sarifErrors(sarif)).toEqual([]);
    const run = sarif.runs[0];
    expect(run.originalUriBaseIds.SRCROOT.uri).toBe(`file://${root}/`);
    expect(run.originalUriBaseIds.DIRTYRACE_MODELS.uri).toBe(`file://${join(ROOT, 'models')}/`);
    const results = run.results as SarifResult[];
    const where = (x: SarifResult) => x.locations[0]!.physicalLocation.artifactLocation;
    expect(results.map(where)).toContainEqual({ uri: 'races/broken.race', uriBaseId: 'SRCROOT' });
    const steps = results.flatMap((x) => x.codeFlows ?? []).flatMap((c) => c.threadFlows).flatMap((t) => t.locations)
      .flatMap((l) => (l.location.physicalLocation ? [l.location.physicalLocation.artifactLocation] : []));
    expect(steps.some((a) => a.uri.startsWith('linux/') && a.uriBaseId === 'DIRTYRACE_MODELS')).toBe(true);
    expect(steps.every((a) => a.uriBaseId === 'SRCROOT' || a.uriBaseId === 'DIRTYRACE_MODELS')).toBe(true);
  });

  it('inside this repository the committed models are plain repository paths', () => {
    const { sarif } = reports(ROOT, [EXPECTED]);
    const steps = JSON.stringify(sarif.runs[0].results);
    expect(steps).toMatch(/\{"uri":"models\/linux\/\w+\.lib","uriBaseId":"SRCROOT"\}/);
    expect(steps).not.toContain('DIRTYRACE_MODELS');
  });

  it('--sarif-expected omit leaves expected violations out; note (the default) keeps them as notes', () => {
    const root = repo();
    const levels = (args: string[]) => (reports(root, [...args, 'races']).sarif.runs[0].results as SarifResult[]).map((x) => `${x.ruleId}:${x.level}`);
    expect(levels([])).toEqual(['violated-property:error', 'violated-property:note']);
    expect(levels(['--sarif-expected', 'note'])).toEqual(['violated-property:error', 'violated-property:note']);
    expect(levels(['--sarif-expected', 'omit'])).toEqual(['violated-property:error']);
    const bad = dirtyrace(['check', '--sarif-expected', 'hide', join(root, 'races')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--sarif-expected is note or omit, found 'hide'");
  });
});

describe('issue 13, item 4: JUnit for Jenkins', () => {
  it('classnames are dotted paths without .race; each test case carries its own time', () => {
    const root = repository({ 'races/v1.2/broken.race': VIOLATED });
    cpSync(join(ROOT, EXPECTED), join(root, 'races', 'expected.race'));
    const { junit } = reports(root, ['races']);
    const xml = readFileSync(junit, 'utf8');
    expect(junitErrors(junit)).toBe('');
    const cases = [...xml.matchAll(/<testcase name="([^"]+)" classname="([^"]+)" time="([\d.]+)"/g)].map((m) => ({ name: m[1]!, cls: m[2]!, time: Number(m[3]) }));
    expect(new Set(cases.map((c) => c.cls))).toEqual(new Set(['races.expected', 'races.v1_2.broken']));
    const suiteTime = (name: string) => Number(new RegExp(`<testsuite name="${name}"[^>]* time="([\\d.]+)"`).exec(xml)![1]);
    for (const [file, cls] of [['races/expected.race', 'races.expected'], ['races/v1.2/broken.race', 'races.v1_2.broken']] as const) {
      const own = cases.filter((c) => c.cls === cls);
      for (const c of own) expect(c.time).toBeLessThanOrEqual(suiteTime(file));
    }
    // A violation found early is decided early; the properties that hold took the whole search.
    const expected = cases.filter((c) => c.cls === 'races.expected');
    const holds = expected.filter((c) => c.name !== 'no_lost_dirty');
    expect(new Set(holds.map((c) => c.time)).size).toBe(1);
    expect(expected.find((c) => c.name === 'no_lost_dirty')!.time).toBeLessThanOrEqual(holds[0]!.time);
  });
});
