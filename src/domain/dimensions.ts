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
