// The progress line: on a terminal, one line on stderr rewritten in place (states, states/s,
// depth, queue, memory, elapsed) for a search that runs over a second; cleared when it ends.
import type { ExploreProgress } from '../explore/bfs.js';
import { escapeControls } from '../report/escape.js';

const SHOW_AFTER_MS = 1000;

export interface ProgressLine {
  /** Pass as ExploreOptions.onProgress. */
  readonly update: (p: ExploreProgress) => void;
  /** Erases the line if one was drawn. */
  readonly done: () => void;
}

export function formatProgress(label: string, p: ExploreProgress, rssBytes: number): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.states * 1000) / p.elapsedMs) : 0;
  return `${label}: ${p.states.toLocaleString('en-US')} states, ${rate.toLocaleString('en-US')} states/s, depth ${p.depth}, queue ${p.queue.toLocaleString('en-US')}, ${Math.round(rssBytes / 2 ** 20)} MiB, ${(p.elapsedMs / 1000).toFixed(1)} s`;
}

/** `lines`: write whole lines (a log, not a terminal) instead of rewriting one line in place. */
export function progressLine(label: string, write: (s: string) => void, columns = 120, lines = false): ProgressLine {
  let drawn = false;
  return {
    update: (p) => {
      if (p.elapsedMs < SHOW_AFTER_MS) return;
      const text = escapeControls(formatProgress(label, p, process.memoryUsage.rss()));
      if (lines) { write(`${text}\n`); return; }
      write(`\r${text.length >= columns ? `${text.slice(0, columns - 4)}...` : text}\x1b[K`);
      drawn = true;
    },
    done: () => { if (drawn) write('\r\x1b[K'); drawn = false; },
  };
}
