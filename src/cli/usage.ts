// What every command shares: where output goes, and the error for bad command-line use.
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  /** stderr is a terminal: the progress line may be drawn there. */
  readonly stderrIsTTY?: boolean;
  /** stderr unescaped, for the progress line's own cursor controls (its text is escaped). */
  readonly terminal?: (s: string) => void;
}

/** Bad command-line use: printed with the usage text, exit 2. */
export class UsageError extends Error {}
