/** Edit distance between two words (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** The closest of `choices` to a mistyped word, when it is close enough to be what was meant. */
export function closest(word: string, choices: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  let best: { choice: string; distance: number } | undefined;
  for (const choice of choices) {
    const distance =
      choice.startsWith(typed) && typed.length >= 3 ? 0 : editDistance(typed, choice);
    if (best === undefined || distance < best.distance) best = { choice, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.choice.length / 3)) ? best.choice : undefined;
}
