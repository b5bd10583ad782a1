// The report files a CI run asks for: --junit FILE, --sarif FILE, --html FILE.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { htmlReport } from '../report/html.js';
import { junitXml } from '../report/junit.js';
import { sarifLog } from '../report/sarif.js';
import type { FileReport } from '../report/file-report.js';

export interface ArtifactPaths {
  readonly junit?: string;
  readonly sarif?: string;
  readonly html?: string;
}

export function wantsArtifacts(p: ArtifactPaths): boolean {
  return Boolean(p.junit || p.sarif || p.html);
}

export function writeArtifacts(p: ArtifactPaths, files: readonly FileReport[], ctx: { version: string; commandLine: string; exitCode: number }): void {
  const write = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  if (p.junit) write(p.junit, junitXml(files));
  if (p.sarif) write(p.sarif, `${JSON.stringify(sarifLog(files, ctx), null, 2)}\n`);
  if (p.html) write(p.html, htmlReport(files, ctx));
}
