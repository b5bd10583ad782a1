// Text from a scenario (names, source lines, file paths) reaches the terminal in every report; a
// control character in it could move the cursor, retitle the window or hide text. Everything
// printed goes through `escapeControls`, which keeps newlines and tabs and writes any other
// control character, and the invisible bidirectional overrides ("Trojan Source"), as `\uXXXX` —
// the same escape JSON uses, so a JSON document stays valid and means the same.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
