/**
 * Progress of a long run: a single refreshing line on a terminal, JSON lines
 * for machines, or nothing (piped output, --quiet).
 */

export interface ProgressSnapshot {
  documents: number;
  bytesRead: number;
  totalBytes: number | undefined;
  elapsedMs: number;
}

export interface ProgressSink {
  update(snapshot: ProgressSnapshot): void;
  finish(snapshot: ProgressSnapshot): void;
}

export const silentProgress: ProgressSink = { update() {}, finish() {} };

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function describeProgress(label: string, snapshot: ProgressSnapshot): string {
  const seconds = snapshot.elapsedMs / 1000;
  const rate = seconds > 0 ? snapshot.bytesRead / 1e6 / seconds : 0;
  const parts = [`${label}: ${snapshot.documents.toLocaleString('en-US')} docs`, `${megabytes(snapshot.bytesRead)} MB`, `${rate.toFixed(1)} MB/s`];
  if (snapshot.totalBytes && snapshot.totalBytes > 0) {
    const fraction = Math.min(1, snapshot.bytesRead / snapshot.totalBytes);
    const eta = rate > 0 ? (snapshot.totalBytes - snapshot.bytesRead) / 1e6 / rate : Infinity;
    parts.push(`${(fraction * 100).toFixed(0)}%`, `ETA ${duration(eta)}`);
  }
  return parts.join(' · ');
}

/** Redraws one line on stderr, at most every `intervalMs`. */
export class TerminalProgress implements ProgressSink {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 200,
  ) {}

  update(snapshot: ProgressSnapshot): void {
    if (snapshot.elapsedMs - this.last < this.intervalMs) return;
    this.last = snapshot.elapsedMs;
    this.stream.write(`\r\x1b[2K${describeProgress(this.label, snapshot)}`);
    this.drawn = true;
  }

  finish(snapshot: ProgressSnapshot): void {
    if (!this.drawn) return;
    this.stream.write(`\r\x1b[2K${describeProgress(this.label, snapshot)}\n`);
  }
}

/** One JSON object per line on stderr, every `intervalMs`, for log collectors. */
export class JsonProgress implements ProgressSink {
  private last = -Infinity;

  constructor(
    private readonly command: string,
    private readonly stream: NodeJS.WritableStream = process.stderr,
    private readonly intervalMs = 1000,
  ) {}

  private emit(event: string, snapshot: ProgressSnapshot): void {
    this.stream.write(JSON.stringify({ event, command: this.command, ...snapshot }) + '\n');
  }

  update(snapshot: ProgressSnapshot): void {
    if (snapshot.elapsedMs - this.last < this.intervalMs) return;
    this.last = snapshot.elapsedMs;
    this.emit('progress', snapshot);
  }

  finish(snapshot: ProgressSnapshot): void {
    this.emit('progress-done', snapshot);
  }
}
