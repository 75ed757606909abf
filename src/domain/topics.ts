import type { Dimension } from './dimensions.js';

/** How a dimension reads inside a sentence: "Engineering rates tech debt handling 38 points lower". */
export const DIMENSION_PHRASES: Record<Dimension, string> = {
  okrs: 'shared goals',
  roadmap: 'roadmap alignment',
  tech_debt: 'tech debt handling',
  priorities: 'working to agreed priorities',
  customer_value: 'the customer value of the work',
  public_unity: 'speaking with one voice',
  interrupts: 'the handling of interrupts',
  shared_why: 'sharing the why',
  ownership: 'clarity of ownership',
};

/** One question per dimension for the next leadership sync to discuss. */
export const DISCUSSION_QUESTIONS: Record<Dimension, string> = {
  okrs: "Where do next quarter's goals pull Product and Engineering in different directions, and which measure would both sides sign?",
  roadmap: "Which items on next quarter's roadmap has one side not yet seen or agreed to?",
  tech_debt:
    "How much of next quarter's capacity goes to tech debt, security and scaling — and who agreed to that number?",
  priorities:
    'What is engineering working on today that is not in the agreed top priorities, and why?',
  customer_value: 'Which current project could we not explain to a customer in one sentence?',
  public_unity: 'Which disagreement should we settle in private before the next exec meeting?',
  interrupts:
    'Which urgent asks reached engineers directly last month, and who should have decided them?',
  shared_why:
    'For our top three projects, can Product and Engineering state the customer problem in the same words?',
  ownership: 'Which decision last month had no clear owner, and who owns it from now on?',
};
