/**
 * Splits a byte stream into lines without decoding it, so a line that is not
 * valid UTF-8 can be rejected on its own. Memory is bounded by the longest line:
 * a line that spans chunks is gathered as a list of pieces and joined once.
 */
export interface ByteLine {
  /** 1-based line number. */
  lineNo: number;
  bytes: Buffer;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line;
}

export class LineSplitter {
  private pieces: Buffer[] = [];
  private lineNo = 0;

  /** Lines completed by this chunk. Buffers may share memory with the chunk. */
  *push(chunk: Buffer): Generator<ByteLine> {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      let line = chunk.subarray(start, newline);
      if (this.pieces.length > 0) {
        this.pieces.push(line);
        line = Buffer.concat(this.pieces);
        this.pieces = [];
      }
      yield { lineNo: ++this.lineNo, bytes: withoutCarriageReturn(line) };
      start = newline + 1;
    }
    if (start < chunk.length) this.pieces.push(chunk.subarray(start));
  }

  /** The last line when the input does not end with a newline. */
  finish(): ByteLine | undefined {
    if (this.pieces.length === 0) return undefined;
    const line = Buffer.concat(this.pieces);
    this.pieces = [];
    return { lineNo: ++this.lineNo, bytes: withoutCarriageReturn(line) };
  }

  /** Bytes of an unfinished line, dropped when the stream behind it breaks. */
  get pendingBytes(): number {
    return this.pieces.reduce((sum, piece) => sum + piece.length, 0);
  }

  get linesSeen(): number {
    return this.lineNo;
  }
}
