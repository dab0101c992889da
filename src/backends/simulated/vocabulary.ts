/** The built-in word lists the simulated model writes with. Data only; read-only. */

/** Sentence subjects. */
export const SUBJECTS = [
  'The short answer',
  'A practical approach',
  'The key idea',
  'In most cases, the outcome',
  'A good first step',
  'The main trade-off',
  'Careful testing',
  'A simple example',
  'The underlying principle',
  'Experience in the field',
  'Recent work on the topic',
  'A closer look',
  'The most common mistake',
  'A useful rule of thumb',
  'The wider context',
  'Clear documentation',
] as const;

/** Verb phrases joining a subject to an object. */
export const VERBS = [
  'depends on',
  'comes down to',
  'points to',
  'highlights',
  'starts with',
  'relies on',
  'is shaped by',
  'often reveals',
  'benefits from',
  'is closely tied to',
  'tends to favour',
  'makes room for',
  'builds on',
  'calls for',
] as const;

/** Objects of a sentence. */
export const OBJECTS = [
  'a clear definition of the goal',
  'the balance between cost and quality',
  'how the parts fit together',
  'the assumptions behind the question',
  'small, measurable steps',
  'the constraints you are working with',
  'consistent feedback',
  'the needs of the people involved',
  'a well-chosen set of examples',
  'the data that is available',
  'the time you can invest',
  'a few reliable sources',
  'the order in which things happen',
  'simple tools used well',
  'the trade-off between speed and accuracy',
  'a steady, iterative process',
  'what has worked before',
  'the scale of the problem',
  'patterns that repeat over time',
  'a shared understanding of the terms',
] as const;

/** Optional sentence endings (the empty ones keep most sentences plain). */
export const TAILS = [
  '',
  '',
  '',
  ' in practice',
  ' more than anything else',
  ', so it is worth checking first',
  ' over the long run',
  ', especially early on',
  ' for most people',
  ', as many experts note',
  ' in everyday situations',
] as const;

/** Complete sentences mixed in for variety. */
export const STANDALONE_SENTENCES = [
  'It helps to start small and adjust as you learn more.',
  'There is rarely a single right answer, but some options are clearly better than others.',
  'Keeping notes along the way makes the next step easier.',
  'If in doubt, try the idea on a small scale first.',
  'Details matter, but the overall direction matters more.',
  'A second opinion is often worth the extra time.',
  'Most problems look simpler once they are broken into parts.',
  'The first version does not need to be perfect.',
  'Trade-offs are easier to judge when the goal is written down.',
  'Good results usually come from a few simple habits repeated consistently.',
  'It is worth revisiting the question once the first results are in.',
  'Examples tend to explain more than definitions do.',
] as const;

/** Adjectives for short phrases. */
export const ADJECTIVES = [
  'steady', 'practical', 'careful', 'bright', 'simple', 'quiet', 'clear', 'modern', 'robust',
  'gentle', 'balanced', 'curious', 'early', 'final', 'golden', 'open', 'rapid', 'shared',
] as const;

/** Nouns for short phrases. */
export const NOUNS = [
  'approach', 'garden', 'journey', 'pattern', 'signal', 'harbor', 'library', 'method', 'summit',
  'project', 'river', 'lantern', 'bridge', 'outline', 'report', 'market', 'record', 'window',
] as const;

/** Person names. */
export const PERSON_NAMES = [
  'Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Katherine Johnson', 'Marie Curie', 'Rosalind Franklin',
  'Niels Bohr', 'Emmy Noether', 'Carl Sagan', 'Hedy Lamarr', 'Srinivasa Ramanujan', 'Barbara Liskov',
] as const;

/** City names. */
export const CITIES = [
  'Lisbon', 'Nairobi', 'Kyoto', 'Montreal', 'Oslo', 'Melbourne', 'Valparaíso', 'Edinburgh', 'Seoul', 'Cusco',
] as const;

/** Country names. */
export const COUNTRIES = [
  'Portugal', 'Kenya', 'Japan', 'Canada', 'Norway', 'Australia', 'Chile', 'Scotland', 'South Korea', 'Peru',
] as const;

/** Colour names. */
export const COLORS = ['red', 'blue', 'green', 'amber', 'violet', 'teal', 'black', 'white'] as const;
