/**
 * "Did you mean …?": the nearest valid name to a mistyped one, by edit distance (insertions, deletions,
 * substitutions and swaps of neighbours each count 1), compared case-insensitively. Pure.
 */

/** Optimal string alignment distance between `a` and `b` (Damerau-Levenshtein without repeated edits). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= x.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= y.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[x.length] as number[])[y.length] as number;
}

/**
 * The candidate nearest to `word`, when it is near enough to be a typo of it (at most a third of its length
 * in edits, at least 2), or when `word` is a prefix or a dotted suffix of exactly one candidate.
 *
 * @example
 * nearest('sginal', ['signal', 'restart']); // 'signal'
 * nearest('kill', ['process.kill', 'process.stop']); // 'process.kill'
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 200) return undefined; // a name that long is no typo; and keep the cost bounded
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(Math.max(word.length, best?.length ?? 0) / 3));
  if (best !== undefined && bestDistance <= limit) return best;
  const lower = word.toLowerCase();
  const partial = candidates.filter((c) => c.toLowerCase().endsWith(`.${lower}`) || c.toLowerCase().startsWith(lower));
  return partial.length === 1 && word.length >= 2 ? partial[0] : undefined;
}

/**
 * `did you mean "x"?` for the nearest candidate, else `use one of a, b, c` (long lists cut).
 *
 * @example
 * didYouMean('sginal', ['signal', 'restart']); // 'did you mean "signal"?'
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const near = nearest(word, candidates);
  if (near !== undefined) return `did you mean ${JSON.stringify(near)}?`;
  if (candidates.length === 0) return 'it takes none';
  const shown = candidates.slice(0, 12).join(', ');
  return `use one of ${shown}${candidates.length > 12 ? ', …' : ''}`;
}
