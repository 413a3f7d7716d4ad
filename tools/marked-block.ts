// A block of a hand-written file that `npm run generate` owns: the text between two
// marker lines, rewritten from the contract and compared by the drift check.

export interface Markers {
  /** The file, for errors. */
  readonly file: string;
  readonly start: string;
  readonly end: string;
}

/** The text between the markers (without them); fails, naming the file, when they are missing. */
export function readBlock(text: string, { file, start, end }: Markers): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file}: the generated block's markers are missing (${start} ... ${end})`);
  return text.slice(from + start.length, to);
}

/** The text with the block between the markers replaced by `content`. */
export function withBlock(text: string, markers: Markers, content: string): string {
  readBlock(text, markers);
  const from = text.indexOf(markers.start) + markers.start.length;
  return `${text.slice(0, from)}${content}${text.slice(text.indexOf(markers.end))}`;
}
