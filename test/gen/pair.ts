// A buggy/fixed scenario pair that differs only in the kernel-version parameter of its `use linux`
// line (comments and expect lines aside).
import { expect } from 'vitest';

const code = (t: string) => t.split('\n').filter((l) => !l.startsWith('//') && !l.startsWith('expect')).join('\n');

export function expectOnlyParameterDiffers(buggy: string, fixed: string, buggyUse: string): void {
  expect(buggy).toContain(buggyUse);
  expect(code(buggy).replace(buggyUse, 'use linux;')).toBe(code(fixed));
}
