/**
 * Runs a pack's detectors in order, each seeing what the earlier ones found,
 * and applies every keep context to every detector's findings.
 */
import type { Pack } from '../pack/schema.js';
import { compareFindings, type Detector, type Span, type SpanFinding } from '../findings.js';
import { ContextDetector } from './context.js';
import { EntityDetector } from './entity.js';
import { LexicalDetector, suppressInsideKeeps } from './lexical.js';
import { PackVocabulary } from './vocabulary.js';

export const DETECTOR_NAMES = ['lexical', 'entity', 'context'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

export interface ChainResult {
  findings: SpanFinding[];
  /** Findings dropped inside keep contexts. */
  suppressed: SpanFinding[];
}

export class DetectorChain {
  /** With a vocabulary, the text is matched once and every detector reads the same matches. */
  constructor(
    readonly detectors: Detector[],
    private readonly vocabulary?: PackVocabulary,
  ) {}

  static forPack(pack: Pack, names: readonly DetectorName[] = DETECTOR_NAMES, concepts?: ReadonlySet<string>): DetectorChain {
    const vocabulary = new PackVocabulary(pack, concepts);
    const make: Record<DetectorName, () => Detector> = {
      lexical: () => new LexicalDetector(pack, concepts, vocabulary),
      entity: () => new EntityDetector(pack, concepts, vocabulary),
      context: () => new ContextDetector(pack, concepts, vocabulary),
    };
    // The order matters: entity and context weigh what lexical found.
    return new DetectorChain(
      DETECTOR_NAMES.filter((name) => names.includes(name)).map((name) => make[name]()),
      vocabulary,
    );
  }

  detect(text: string): ChainResult {
    let findings: SpanFinding[] = [];
    let suppressed: SpanFinding[] = [];
    const keeps: Span[] = [];
    const matches = this.vocabulary?.scan(text);
    for (const detector of this.detectors) {
      const result = detector.detect(text, findings, matches);
      suppressed = suppressed.concat(result.suppressed);
      if (result.keeps) keeps.push(...result.keeps);
      const own = suppressInsideKeeps(result.findings, keeps);
      suppressed = suppressed.concat(own.suppressed);
      findings = findings.concat(own.findings);
    }
    return { findings: findings.sort(compareFindings), suppressed: suppressed.sort(compareFindings) };
  }
}
