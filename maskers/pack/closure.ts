/** The concepts a mask of some concepts must also mask: everything they imply, transitively. */
import { UsageError } from '../../corpora/errors.js';
import type { Pack } from './schema.js';

/** The chosen concepts and all they imply, in pack order. Unknown ids are a usage error. */
export function conceptClosure(pack: Pack, chosen: readonly string[]): string[] {
  const byId = new Map(pack.concepts.map((concept) => [concept.id, concept]));
  const unknown = chosen.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw new UsageError(`pack ${pack.id} has no concept ${unknown.map((id) => `'${id}'`).join(', ')} (it has ${pack.concepts.map((concept) => concept.id).join(', ')})`);
  const reached = new Set<string>();
  const visit = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const implied of byId.get(id)!.implies) visit(implied);
  };
  chosen.forEach(visit);
  return pack.concepts.map((concept) => concept.id).filter((id) => reached.has(id));
}
