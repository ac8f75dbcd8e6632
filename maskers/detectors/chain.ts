/**
 * Runs a pack's detectors in order, each seeing what the earlier ones found,
 * and applies every keep context to every detector's findings (to the semantic
 * detector's only where a finding lies inside one: it weighs keeps itself).
 */
import { joinTogether } from '../segment/segmenter.js';
import type { Pack } from '../pack/schema.js';
import { compareFindings, type Detector, type Span, type SpanFinding } from '../findings.js';
import { ContextDetector } from './context.js';
import { EntityDetector } from './entity.js';
import { LexicalDetector, suppressInsideKeeps } from './lexical.js';
import { PassageDetector } from './passage.js';
import { emptySemanticStats, SemanticDetector, type SemanticModels, type SemanticStats } from './semantic.js';
import { PackVocabulary } from './vocabulary.js';

export const DETECTOR_NAMES = ['lexical', 'entity', 'context', 'passage', 'semantic'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
/**
 * What runs unless `--detectors` says otherwise: every detector but the
 * semantic one, whose encoder runs at tens of sentences a second (hours per
 * 100 MB); the passage classifier reads the same text at corpus speed.
 */
export const DEFAULT_DETECTORS: readonly DetectorName[] = DETECTOR_NAMES.filter((name) => name !== 'semantic');

export interface ChainResult {
  findings: SpanFinding[];
  /** Findings dropped inside keep contexts (or, for the semantic detector, closer to a keep exemplar). */
  suppressed: SpanFinding[];
  semantic: SemanticStats;
  /** The passage classifier's paragraphs by score band, when it ran. */
  scoreBands?: number[];
}

export interface ChainOptions {
  detectors?: readonly DetectorName[];
  concepts?: ReadonlySet<string>;
  /** Needed when the semantic detector runs. */
  models?: SemanticModels;
}

export function addSemanticStats(total: SemanticStats, more: SemanticStats): void {
  total.sentences += more.sentences;
  total.windows += more.windows;
  total.windowsScreenedIn += more.windowsScreenedIn;
  total.sentencesEmbedded += more.sentencesEmbedded;
}

/** A pack's vocabulary and rule detectors, compiled once for a choice of concepts. */
interface CompiledRules {
  vocabulary: PackVocabulary;
  lexical?: LexicalDetector;
  entity?: EntityDetector;
  context?: ContextDetector;
}

/**
 * Compiling a pack's vocabulary (stemming every term, building the phrase automaton) costs about
 * 0.15 s; a run that builds a chain per book, per measure and per held-out model (`lacuna train`
 * built over a thousand for physics: 40 s of a 102 s run) paid it each time. The rule detectors keep no state between texts,
 * and a loaded pack is not changed after loading, so one compiled set per pack object and choice of
 * concepts serves every chain built from it.
 */
const compiled = new WeakMap<Pack, Map<string, CompiledRules>>();

function compiledRules(pack: Pack, concepts?: ReadonlySet<string>): CompiledRules {
  let byConcepts = compiled.get(pack);
  if (!byConcepts) compiled.set(pack, (byConcepts = new Map()));
  const key = concepts ? [...concepts].sort().join('\n') : '*';
  let rules = byConcepts.get(key);
  if (!rules) byConcepts.set(key, (rules = { vocabulary: new PackVocabulary(pack, concepts) }));
  return rules;
}

/**
 * For each of the texts at `spans` of a joined text, the findings inside it, cut to it and shifted
 * to start at 0, in the order of `findings`. Each finding is placed by a binary search among the
 * spans: a run of 20,000 records with thousands of findings costs the findings, not their product.
 */
function findingsWithinEach(findings: readonly SpanFinding[], spans: readonly Span[]): SpanFinding[][] {
  const within: SpanFinding[][] = spans.map(() => []);
  for (const finding of findings) {
    // The first span that ends after the finding starts.
    let low = 0;
    let high = spans.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (spans[middle].end <= finding.start) low = middle + 1;
      else high = middle;
    }
    for (let at = low; at < spans.length && spans[at].start < finding.end; at++) {
      const from = Math.max(finding.start, spans[at].start);
      const to = Math.min(finding.end, spans[at].end);
      if (from < to) within[at].push({ ...finding, start: from - spans[at].start, end: to - spans[at].start });
    }
  }
  return within;
}

export class DetectorChain {
  /** With a vocabulary, the text is matched once and every detector reads the same matches. */
  constructor(
    readonly detectors: Detector[],
    private readonly vocabulary?: PackVocabulary,
  ) {}

  /**
   * The chain without the semantic detector: synchronous to build, no encoder to load.
   * `passage` replaces the pack's passage detector (cross-validation scores each book
   * with a model trained without it).
   */
  static forPack(pack: Pack, names: readonly DetectorName[] = DEFAULT_DETECTORS, concepts?: ReadonlySet<string>, passage?: PassageDetector): DetectorChain {
    if (names.includes('semantic')) throw new Error('the semantic detector needs models: use DetectorChain.create');
    const rules = compiledRules(pack, concepts);
    const vocabulary = rules.vocabulary;
    const make: Record<Exclude<DetectorName, 'semantic'>, () => Detector | undefined> = {
      lexical: () => (rules.lexical ??= new LexicalDetector(pack, concepts, vocabulary)),
      entity: () => (rules.entity ??= new EntityDetector(pack, concepts, vocabulary)),
      context: () => (rules.context ??= new ContextDetector(pack, concepts, vocabulary)),
      // A pack without a trained model has no passage detector.
      passage: () => passage ?? PassageDetector.forPack(pack, concepts),
    };
    // The order matters: entity and context weigh what lexical found, passage takes its concepts from all three.
    const ordered = DETECTOR_NAMES.filter((name): name is Exclude<DetectorName, 'semantic'> => name !== 'semantic' && names.includes(name));
    return new DetectorChain(ordered.flatMap((name) => make[name]() ?? []), vocabulary);
  }

  /** The chain of the named detectors, loading what the semantic detector needs. */
  static async create(pack: Pack, options: ChainOptions = {}): Promise<DetectorChain> {
    const names = options.detectors ?? DETECTOR_NAMES;
    const chain = DetectorChain.forPack(pack, names.filter((name) => name !== 'semantic'), options.concepts);
    if (!names.includes('semantic')) return chain;
    if (!options.models) throw new Error('the semantic detector needs models');
    // Semantic runs last: it skips what the others flagged.
    return new DetectorChain([...chain.detectors, await SemanticDetector.create(pack, options.models, options.concepts)], chain.vocabulary);
  }

  /**
   * Detects `texts` as one text (joined by TOGETHER_SEPARATOR) and gives each its own findings,
   * at offsets into it: records that are parts of one work (the paragraphs of a book stored one per
   * record, the posts of a thread) are judged with each other as context, as the book is, while
   * each stays a record of its own. A finding that reached across a separator is cut at it. The
   * passage classifier's score bands and the semantic detector's counters are the whole text's:
   * they go to the first text, so that sums over the texts are the whole's.
   */
  async detectTogether(texts: readonly string[]): Promise<ChainResult[]> {
    if (texts.length === 1) return [await this.detect(texts[0])];
    const { text, spans } = joinTogether(texts);
    const whole = await this.detect(text);
    const findings = findingsWithinEach(whole.findings, spans);
    const suppressed = findingsWithinEach(whole.suppressed, spans);
    return texts.map((_, index) => ({
      findings: findings[index],
      suppressed: suppressed[index],
      semantic: index === 0 ? whole.semantic : emptySemanticStats(),
      ...(whole.scoreBands ? { scoreBands: index === 0 ? whole.scoreBands : whole.scoreBands.map(() => 0) } : {}),
    }));
  }

  async detect(text: string): Promise<ChainResult> {
    let findings: SpanFinding[] = [];
    let suppressed: SpanFinding[] = [];
    const semantic = emptySemanticStats();
    const keeps: Span[] = [];
    let scoreBands: number[] | undefined;
    // No detector, no scan: `--detectors none` is the null pipeline.
    const matches = this.detectors.length > 0 ? this.vocabulary?.scan(text) : undefined;
    for (const detector of this.detectors) {
      const result = await detector.detect(text, findings, matches);
      suppressed = suppressed.concat(result.suppressed);
      if (result.keeps) keeps.push(...result.keeps);
      if (result.semantic) addSemanticStats(semantic, result.semantic);
      if (result.scoreBands) scoreBands = result.scoreBands;
      const own = suppressInsideKeeps(result.findings, keeps, detector.weighsKeeps === true);
      suppressed = suppressed.concat(own.suppressed);
      findings = findings.concat(own.findings);
    }
    return { findings: findings.sort(compareFindings), suppressed: suppressed.sort(compareFindings), semantic, ...(scoreBands ? { scoreBands } : {}) };
  }
}
