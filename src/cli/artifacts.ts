// The report files a CI run asks for: --junit FILE, --sarif FILE, --html FILE.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { htmlReport } from '../report/html.js';
import { junitXml } from '../report/junit.js';
import { sarifLog, type SarifExpected } from '../report/sarif.js';
import type { FileReport } from '../report/file-report.js';
import { fsProblem } from '../lang/source.js';

export interface ArtifactPaths {
  readonly junit?: string;
  readonly sarif?: string;
  readonly sarifExpected?: SarifExpected;
  readonly html?: string;
}

/** Writes the report files asked for; returns `PATH: reason` for each that could not be written. */
export function writeArtifacts(p: ArtifactPaths, files: readonly FileReport[], ctx: { version: string; commandLine: string; exitCode: number }): string[] {
  const failed: string[] = [];
  const write = (path: string, text: string) => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    } catch (e) {
      failed.push(`${path}: ${fsProblem(e)}`);
    }
  };
  if (p.junit) write(p.junit, junitXml(files));
  if (p.sarif) write(p.sarif, `${JSON.stringify(sarifLog(files, { ...ctx, expected: p.sarifExpected }), null, 2)}\n`);
  if (p.html) write(p.html, htmlReport(files, ctx));
  return failed;
}
