/**
 * The nine dimensions Alignment Pulse measures: each an anti-pattern of
 * product–engineering collaboration, or rather its healthy opposite. The names
 * here are the ones every message, chart and export uses.
 */
export const DIMENSIONS = [
  'okrs',
  'roadmap',
  'tech_debt',
  'priorities',
  'customer_value',
  'public_unity',
  'interrupts',
  'shared_why',
  'ownership',
] as const;

export type Dimension = (typeof DIMENSIONS)[number];

/** Asked at least every other pulse: the product is built around these three. */
export const REQUIRED_DIMENSIONS: readonly Dimension[] = ['okrs', 'roadmap', 'tech_debt'];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  okrs: 'Shared goals',
  roadmap: 'One roadmap',
  tech_debt: 'Tech debt',
  priorities: 'Priorities',
  customer_value: 'Customer value',
  public_unity: 'One voice',
  interrupts: 'Interrupts',
  shared_why: 'Shared why',
  ownership: 'Ownership',
};

export const DISCIPLINES = ['product', 'engineering', 'design', 'program', 'other'] as const;
export type Discipline = (typeof DISCIPLINES)[number];

export const DISCIPLINE_LABELS: Record<Discipline, string> = {
  product: 'Product',
  engineering: 'Engineering',
  design: 'Design',
  program: 'Program / TPM',
  other: 'Other',
};

export const isDimension = (value: string): value is Dimension =>
  (DIMENSIONS as readonly string[]).includes(value);

export const isDiscipline = (value: string): value is Discipline =>
  (DISCIPLINES as readonly string[]).includes(value);

/**
 * The two sides of the perception gap. Every discipline counts with one:
 * Product and Engineering with their own, the others with the side a survey's
 * admin chooses. The gap compares sides, not disciplines, so no small group
 * (two designers, one TPM) ever has to be hidden at the expense of a side.
 */
export const SIDES = ['product', 'engineering'] as const;
export type Side = (typeof SIDES)[number];

export const SIDE_LABELS: Record<Side, string> = {
  product: 'Product',
  engineering: 'Engineering',
};

/** The disciplines whose side an admin chooses; Product and Engineering make their own. */
export const MAPPED_DISCIPLINES = ['design', 'program', 'other'] as const;
export type MappedDiscipline = (typeof MAPPED_DISCIPLINES)[number];

/** Which side Design, Program / TPM and Other count with. */
export type SideMapping = Record<MappedDiscipline, Side>;

/** What fits most companies: Design stands with Product; Program / TPM and Other with Engineering. */
export const DEFAULT_SIDES: SideMapping = {
  design: 'product',
  program: 'engineering',
  other: 'engineering',
};

export const isSide = (value: string): value is Side =>
  (SIDES as readonly string[]).includes(value);

/** The side a discipline counts with under a mapping. */
export function sideOf(discipline: Discipline, mapping: SideMapping): Side {
  return discipline === 'product' || discipline === 'engineering'
    ? discipline
    : mapping[discipline];
}

/** The disciplines that make up a side under a mapping, in the usual order. */
export const disciplinesOf = (side: Side, mapping: SideMapping): Discipline[] =>
  DISCIPLINES.filter((d) => sideOf(d, mapping) === side);
