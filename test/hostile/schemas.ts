// Validation against the published schemas vendored in test/schemas/ (see its README): the
// official OASIS SARIF 2.1.0 JSON schema (draft-04) and Jenkins' junit-10.xsd (with xmllint).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

const SCHEMAS = join(import.meta.dirname, '..', 'schemas');

/** Errors of a SARIF log against the official schema, as text ([] when valid). */
export const sarifErrors = (() => {
  // Both are CommonJS: under NodeNext their default import is module.exports, which has `.default`.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'sarif-schema-2.1.0.json'), 'utf8')));
  return (log: unknown): string[] => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
})();

/** xmllint is Debian's libxml2-utils; .ci/run installs it. */
export function xmllintMissing(): string | undefined {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  return r.error ? 'xmllint not found: install it (apt-get install -y libxml2-utils) to validate JUnit files' : undefined;
}

/** xmllint's complaints about a JUnit file against junit-10.xsd ('' when valid). */
export function junitErrors(path: string): string {
  const r = spawnSync('xmllint', ['--noout', '--schema', join(SCHEMAS, 'junit-10.xsd'), path], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? '' : r.stderr;
}
