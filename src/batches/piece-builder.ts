/**
 * Gathers lines into pieces of about `pieceBytes` for writing: each line's bytes are copied into
 * the piece being filled, followed by a newline, and a full piece is handed out. Copying a range
 * of a larger buffer needs no Buffer object for the line, so a million results cost a few hundred
 * pieces, not a million views. A line larger than a piece gets a piece of its own size.
 */
const NEWLINE = 0x0a;

export class PieceBuilder {
  private piece: Buffer;
  private used = 0;

  constructor(private readonly pieceBytes: number) {
    this.piece = Buffer.allocUnsafe(pieceBytes);
  }

  /**
   * Adds `source[start, end)` (default all of it) and a newline; returns the pieces filled so far
   * when adding it filled one (the line then begins the next piece), else undefined.
   */
  addLine(source: Buffer, start = 0, end = source.length): Buffer | undefined {
    const length = end - start + 1;
    let full: Buffer | undefined;
    if (this.used + length > this.piece.length) {
      full = this.take();
      this.piece = Buffer.allocUnsafe(Math.max(this.pieceBytes, length));
    }
    source.copy(this.piece, this.used, start, end);
    this.used += length;
    this.piece[this.used - 1] = NEWLINE;
    return full;
  }

  /** The bytes gathered and not yet handed out (undefined when none); the next line starts a new piece. */
  take(): Buffer | undefined {
    if (this.used === 0) return undefined;
    const taken = this.piece.subarray(0, this.used);
    this.piece = Buffer.allocUnsafe(this.pieceBytes);
    this.used = 0;
    return taken;
  }
}
