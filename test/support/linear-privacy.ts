/**
 * Whether a set of published numbers, each a linear function of individual
 * answers, lets anyone work out something about fewer than `threshold` people.
 *
 * Row r of the matrix holds, for each answer (a column), how much published
 * number r moves when that answer moves. A linear combination of the published
 * numbers "depends only on" a set S of people when its row vector is non-zero on
 * S's columns and zero elsewhere. Such a combination exists exactly when
 * rank(M) > rank(M without S's columns): the numbers then pin down something of
 * S's answers that no other answer affects. Ranks are taken modulo two primes
 * on the exact rational coefficients (a rank modulo a prime never exceeds the
 * rational rank, and the larger of the two is the rational rank but for odds
 * far below one in a million).
 *
 * Hand-written: a rank over exact rationals with column subsets is specific to
 * this check, and no maintained npm package offers it for small dense matrices.
 */

const PRIMES = [67_108_859, 33_554_393];

/** The fraction p/q nearest x with q ≤ maxDenominator (continued fractions). */
export function toFraction(x: number, maxDenominator = 1_000_000): [number, number] {
  if (Number.isInteger(x)) return [x, 1];
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let rest = x;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(rest);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (k2 > maxDenominator) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (Math.abs(x - h1 / k1) < 1e-12) break;
    rest = 1 / (rest - a);
  }
  if (Math.abs(x - h1 / k1) > 1e-9) throw new Error(`${x} is not a small fraction`);
  return [h1, k1];
}

const mod = (a: number, p: number) => ((a % p) + p) % p;
/** a·b mod p without losing precision: both below 2^26, so the product stays under 2^53. */
const mulMod = (a: number, b: number, p: number) => (a * b) % p;

function inverse(a: number, p: number): number {
  let [t, newT, r, newR] = [0, 1, p, mod(a, p)];
  while (newR !== 0) {
    const q = Math.floor(r / newR);
    [t, newT] = [newT, t - q * newT];
    [r, newR] = [newR, r - q * newR];
  }
  return mod(t, p);
}

/** The rank modulo p of the given rows (copied), keeping only `columns`. */
function rankModulo(rows: readonly number[][], columns: readonly number[], p: number): number {
  const m = rows.map((row) => columns.map((c) => row[c] ?? 0));
  let rank = 0;
  for (let col = 0; col < columns.length && rank < m.length; col++) {
    const pivot = m.findIndex((row, i) => i >= rank && row[col] !== 0);
    if (pivot < 0) continue;
    const pivotRow = m[pivot] as number[];
    m[pivot] = m[rank] as number[];
    m[rank] = pivotRow;
    const inv = inverse(pivotRow[col] ?? 0, p);
    for (let i = rank + 1; i < m.length; i++) {
      const row = m[i] as number[];
      const factor = mulMod(row[col] ?? 0, inv, p);
      if (factor === 0) continue;
      for (let j = col; j < columns.length; j++)
        row[j] = mod((row[j] ?? 0) - mulMod(factor, pivotRow[j] ?? 0, p), p);
    }
    rank++;
  }
  return rank;
}

export interface Leak {
  people: string[];
}

/**
 * The smallest set of fewer than `threshold` people (columns grouped by
 * person) that some linear combination of the rows depends on alone, or
 * undefined when there is none.
 */
export function smallGroupRevealed(
  rows: readonly number[][],
  personOfColumn: readonly string[],
  threshold: number,
): Leak | undefined {
  const people = [...new Set(personOfColumn)].sort();
  const all = personOfColumn.map((_, i) => i);
  for (const p of PRIMES) {
    const reduced = rows.map((row) =>
      row.map((x) => {
        const [num, den] = toFraction(x);
        return mulMod(mod(num, p), inverse(den, p), p);
      }),
    );
    const full = rankModulo(reduced, all, p);
    const subsets: string[][] = [];
    const build = (start: number, chosen: string[]) => {
      if (chosen.length > 0) subsets.push(chosen);
      if (chosen.length === threshold - 1) return;
      for (let i = start; i < people.length; i++) build(i + 1, [...chosen, people[i] as string]);
    };
    build(0, []);
    for (const subset of subsets) {
      const others = all.filter((i) => !subset.includes(personOfColumn[i] as string));
      if (rankModulo(reduced, others, p) < full) return { people: subset };
    }
  }
  return undefined;
}

/** The rank of the rows over the rationals (the larger of two modular ranks). */
export function rationalRank(rows: readonly number[][], columns: number): number {
  const all = Array.from({ length: columns }, (_, i) => i);
  return Math.max(
    ...PRIMES.map((p) =>
      rankModulo(
        rows.map((row) =>
          row.map((x) => {
            const [num, den] = toFraction(x);
            return mulMod(mod(num, p), inverse(den, p), p);
          }),
        ),
        all,
        p,
      ),
    ),
  );
}
